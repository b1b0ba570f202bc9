package gear

import (
	"cmp"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/pvpsync/pvpsync/battlenet"
)

// Content addressing: a gear build (the ordered slots of one equipment response) and a talent loadout
// are stored once and referenced by every snapshot that shows them. Their identity is the SHA-256 of a
// canonical text, built here and, for the migration of data stored before content addressing, by the
// same rules in SQL (schema/migrations/00003_content_addressed.sql). A test checks both agree, so the
// formats below must not change without a migration that rehashes.

// SlotKey is the canonical text of one equipped item:
// "item|item level|context|enchant,enchant|gem,gem|bonus,bonus".
func SlotKey(s Slot) string {
	return strings.Join([]string{
		strconv.FormatInt(s.ItemBlizzardID, 10), strconv.Itoa(s.ItemLevel), strconv.Itoa(s.Context),
		joinIDs(s.EnchantmentIDs), joinIDs(s.GemItemIDs), joinIDs(s.BonusList),
	}, "|")
}

// SlotHash identifies one equipped item (the same ring in both finger slots has one hash).
func SlotHash(s Slot) []byte { return sum(SlotKey(s)) }

// BuildKey is the canonical text of a whole equipment response:
// "item level|tier set id|pieces|4-piece (0/1)|SLOT=slot hash hex;SLOT=..." with slots in name order.
func BuildKey(g Gear) string {
	var b strings.Builder
	var id int64
	pieces, four := 0, 0
	if g.TierSet != nil {
		id, pieces = g.TierSet.ID, g.TierSet.Pieces
		if g.TierSet.FourPieceActive {
			four = 1
		}
	}
	fmt.Fprintf(&b, "%d|%d|%d|%d|", g.ItemLevel, id, pieces, four)
	slots := slices.Clone(g.Slots)
	slices.SortFunc(slots, func(a, b Slot) int { return strings.Compare(a.Slot, b.Slot) })
	for i, s := range slots {
		if i > 0 {
			b.WriteByte(';')
		}
		fmt.Fprintf(&b, "%s=%x", s.Slot, SlotHash(s))
	}
	return b.String()
}

// BuildHash identifies a gear build.
func BuildHash(g Gear) []byte { return sum(BuildKey(g)) }

// LoadoutKey is the canonical text of a loadout:
// "spec|code|hero tree id|c:node:talent:rank,...|s:...|h:...|p:slot:talent,..." with talents in node
// order and PvP talents in slot order. Names are not part of the identity: they live in the catalogue.
func LoadoutKey(l Loadout) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d|%s|%d", l.SpecID, l.Code, l.HeroTreeID)
	for _, tree := range []struct {
		tag string
		ts  []Talent
	}{{"c", l.Class}, {"s", l.Spec}, {"h", l.Hero}} {
		fmt.Fprintf(&b, "|%s:", tree.tag)
		for i, t := range sortedTalents(tree.ts) {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "%d:%d:%d", t.NodeID, t.TalentID, t.Rank)
		}
	}
	b.WriteString("|p:")
	for i, p := range l.Pvp {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%d:%d", p.Slot, p.TalentID)
	}
	return b.String()
}

// LoadoutHash identifies a talent loadout.
func LoadoutHash(l Loadout) []byte { return sum(LoadoutKey(l)) }

// TalentPick is one selected talent node as stored: the API's snake_case names, no display name (the
// talents catalogue holds names once).
type TalentPick struct {
	NodeID   int64 `json:"node_id"`
	TalentID int64 `json:"talent_id"`
	Rank     int   `json:"rank"`
}

// PvpPick is one selected PvP talent as stored.
type PvpPick struct {
	Slot     int   `json:"slot"`
	TalentID int64 `json:"talent_id"`
}

// StoredTalents is the talents document of a loadout: {"class":[…],"spec":[…],"hero":[…]}.
type StoredTalents struct {
	Class []TalentPick `json:"class"`
	Spec  []TalentPick `json:"spec"`
	Hero  []TalentPick `json:"hero"`
}

// TalentsJSON encodes the loadout's class, spec and hero talents as stored, in node order.
func (l Loadout) TalentsJSON() ([]byte, error) {
	doc := StoredTalents{Class: picks(l.Class), Spec: picks(l.Spec), Hero: picks(l.Hero)}
	return json.Marshal(doc)
}

// PvpTalentsJSON encodes the PvP talents as stored, in slot order.
func (l Loadout) PvpTalentsJSON() ([]byte, error) {
	out := make([]PvpPick, 0, len(l.Pvp))
	for _, p := range l.Pvp {
		out = append(out, PvpPick{Slot: p.Slot, TalentID: p.TalentID})
	}
	return json.Marshal(out)
}

// Loadouts returns the loadout SelectLoadout picks for every specialization in the response, in spec id
// order, and the spec the character is in right now (0 when the response names none). A leaderboard
// entry later takes the loadout of its own spec, so one specializations response serves every board.
func Loadouts(s *battlenet.Specializations) (loadouts []Loadout, activeSpecID int) {
	if s == nil {
		return nil, 0
	}
	if s.ActiveSpecialization != nil {
		activeSpecID = int(s.ActiveSpecialization.ID)
	}
	seen := map[int]bool{}
	for _, d := range s.Specializations {
		id := int(d.Specialization.ID)
		if id <= 0 || seen[id] {
			continue
		}
		seen[id] = true
		if lo, ok := SelectLoadout(s, id); ok {
			loadouts = append(loadouts, lo)
		}
	}
	slices.SortFunc(loadouts, func(a, b Loadout) int { return cmp.Compare(a.SpecID, b.SpecID) })
	return loadouts, activeSpecID
}

func picks(ts []Talent) []TalentPick {
	out := make([]TalentPick, 0, len(ts))
	for _, t := range sortedTalents(ts) {
		out = append(out, TalentPick{NodeID: t.NodeID, TalentID: t.TalentID, Rank: t.Rank})
	}
	return out
}

func sortedTalents(ts []Talent) []Talent {
	out := slices.Clone(ts)
	slices.SortStableFunc(out, func(a, b Talent) int {
		return cmp.Or(cmp.Compare(a.NodeID, b.NodeID), cmp.Compare(a.TalentID, b.TalentID))
	})
	return out
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

func sum(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}
