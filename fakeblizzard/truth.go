package fakeblizzard

import (
	"cmp"
	"errors"
	"slices"
	"time"

	"github.com/pvpsync/pvpsync/battlenet"
)

// Ground truth: what a correct consumer of the API must derive, computed from the world model (the
// ladders, the gear and talent models), not from the JSON served. It is a second implementation of
// what pvpsync's gear package reads out of the payloads, so the two can check each other.

// ErrUnknownCharacter is returned by Truth for a character that does not exist in the region.
var ErrUnknownCharacter = errors.New("unknown character")

// ErrNoWorld is returned by the ground-truth calls of a server that serves fixtures.
var ErrNoWorld = errors.New("ground truth needs the generated world, not fixtures")

// CharacterTruth is a character as the world has it now. A private character has its identity, class
// and board entries only: a consumer gets a 404 for everything else.
type CharacterTruth struct {
	Region       string `json:"region"`
	BlizzardID   int64  `json:"blizzard_id"`
	Name         string `json:"name"`
	RealmSlug    string `json:"realm_slug"`
	Private      bool   `json:"private"`
	ClassID      int    `json:"class_id"`
	ActiveSpecID int    `json:"active_spec_id"`
	// Entries are the character's entries on the served boards of the current season (index order),
	// whatever the faults (EmptyBoards included).
	Entries []EntryTruth `json:"entries"`
	// Slots are the equipped slots in the order Battle.net lists them.
	Slots []SlotTruth `json:"slots"`
	// TierSet is the class tier set (never the Gladiator's PvP set); nil when no piece is worn.
	TierSet           *TierTruth `json:"tier_set"`
	EquippedItemLevel int        `json:"equipped_item_level"`
	// Specs are the specializations in the order of the response (the active one first).
	Specs []SpecTruth `json:"specs"`
	// The Last-Modified each endpoint answers with; a resource that did not change keeps its date.
	EquipmentLastModified       time.Time `json:"equipment_last_modified"`
	SpecializationsLastModified time.Time `json:"specializations_last_modified"`
	ProfileLastModified         time.Time `json:"profile_last_modified"`
}

// EntryTruth is one board entry. SpecID is the board's spec on shuffle-/blitz-{class}-{spec} boards
// and 0 elsewhere (2v2, 3v3, rbg and the overall boards), as battlenet.BracketSpecID has it.
type EntryTruth struct {
	Bracket    string `json:"bracket"`
	BlizzardID int64  `json:"blizzard_id"`
	Name       string `json:"name"`
	RealmSlug  string `json:"realm_slug"`
	Rank       int    `json:"rank"`
	Rating     int    `json:"rating"`
	Played     int    `json:"played"`
	Wins       int    `json:"wins"`
	Losses     int    `json:"losses"`
	SpecID     int    `json:"spec_id"`
}

// IDName is a game object by id and name.
type IDName struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// SlotTruth is one equipped slot. Enchantments and gems are sorted by id (a gem worn twice is listed
// twice); the *IDs lists and the named lists are in the same order.
type SlotTruth struct {
	Slot           string   `json:"slot"`
	ItemID         int64    `json:"item_id"`
	ItemName       string   `json:"item_name"`
	ItemLevel      int      `json:"item_level"`
	EnchantmentIDs []int64  `json:"enchantment_ids"`
	Enchantments   []IDName `json:"enchantments"`
	GemItemIDs     []int64  `json:"gem_item_ids"`
	Gems           []IDName `json:"gems"`
}

// TierTruth is the class tier set worn: how many of its five pieces, and whether the 4-piece bonus is on.
type TierTruth struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Pieces    int    `json:"pieces"`
	FourPiece bool   `json:"four_piece"`
}

// SpecTruth is the loadout a consumer must pick for a spec: the active one, else the first with
// talents, else the first. Node ids are the `id` of the selected_*_talents entries, sorted.
type SpecTruth struct {
	SpecID             int      `json:"spec_id"`
	LoadoutCode        string   `json:"loadout_code"` // "" when the code is null
	HeroTreeID         int64    `json:"hero_tree_id"` // 0 when the loadout has no hero tree
	HeroTreeName       string   `json:"hero_tree_name"`
	ClassTalentNodeIDs []int64  `json:"class_talent_node_ids"`
	SpecTalentNodeIDs  []int64  `json:"spec_talent_node_ids"`
	HeroTalentNodeIDs  []int64  `json:"hero_talent_node_ids"`
	PvpTalentIDs       []int64  `json:"pvp_talent_ids"` // sorted
	PvpTalents         []IDName `json:"pvp_talents"`    // same order
}

// characterTruth reads a character's truth from the world model.
func (w *world) characterTruth(c *character) CharacterTruth {
	t := CharacterTruth{
		Region: w.region, BlizzardID: c.ID, Name: c.Name, RealmSlug: c.Realm.Slug, Private: c.Private,
		ClassID: c.Class.ID, ActiveSpecID: c.ActiveSpec.ID, Entries: []EntryTruth{}, Slots: []SlotTruth{}, Specs: []SpecTruth{},
	}
	for _, b := range servedBrackets(w.opts) {
		if v, err := w.board(w.opts.Season, b); err == nil {
			if i, ok := v.pos[c.ID]; ok {
				t.Entries = append(t.Entries, entryTruth(b, v.rows[i]))
			}
		}
	}
	if c.Private {
		return t
	}
	s := w.snap(c)
	t.EquipmentLastModified, t.SpecializationsLastModified, t.ProfileLastModified = s.equipLM, s.specLM, s.profileLM()
	pieces := 0
	for _, sm := range s.gear.slots {
		t.Slots = append(t.Slots, slotTruth(sm))
		pieces += boolInt(sm.tier)
	}
	if pieces > 0 {
		t.TierSet = &TierTruth{ID: c.Class.Tier.ID, Name: c.Class.Tier.Name, Pieces: pieces, FourPiece: pieces >= 4}
	}
	t.EquippedItemLevel = s.gear.itemLevel()
	cc := w.talents.byClass[c.Class.ID]
	for _, sm := range s.talents.specs {
		t.Specs = append(t.Specs, specTruth(cc, sm))
	}
	return t
}

func entryTruth(bracket string, r boardRow) EntryTruth {
	spec, _ := battlenet.BracketSpecID(bracket)
	return EntryTruth{
		Bracket: bracket, BlizzardID: r.c.ID, Name: r.c.Name, RealmSlug: r.c.Realm.Slug, Rank: r.rank,
		Rating: r.rating, Played: r.played, Wins: r.won, Losses: r.played - r.won, SpecID: spec,
	}
}

func slotTruth(sm slotModel) SlotTruth {
	st := SlotTruth{Slot: sm.slot, ItemID: sm.id, ItemName: sm.name, ItemLevel: sm.level}
	var ench, gems []IDName
	for _, e := range sm.enchants {
		ench = append(ench, IDName{e.id, e.name})
	}
	for _, so := range sm.sockets {
		if so.gem != nil {
			gems = append(gems, IDName{so.gem.id, so.gem.name})
		}
	}
	st.EnchantmentIDs, st.Enchantments = sortedIDs(ench)
	st.GemItemIDs, st.Gems = sortedIDs(gems)
	return st
}

// sortedIDs sorts by id and returns the ids and the named list, both never nil.
func sortedIDs(xs []IDName) ([]int64, []IDName) {
	xs = append([]IDName{}, xs...)
	slices.SortStableFunc(xs, func(a, b IDName) int { return cmp.Compare(a.ID, b.ID) })
	ids := make([]int64, len(xs))
	for i, x := range xs {
		ids[i] = x.ID
	}
	return ids, xs
}

func specTruth(cc *classCatalog, sm specModel) SpecTruth {
	st := SpecTruth{SpecID: sm.spec.ID}
	var pvp []IDName
	for _, k := range sm.pvp {
		pvp = append(pvp, IDName{cc.pvp[k].Talent.ID, cc.pvp[k].Talent.Name})
	}
	st.PvpTalentIDs, st.PvpTalents = sortedIDs(pvp)
	st.ClassTalentNodeIDs, st.SpecTalentNodeIDs, st.HeroTalentNodeIDs = []int64{}, []int64{}, []int64{}
	lo := chosenLoadout(sm.loadouts)
	if lo == nil {
		return st
	}
	if lo.code != nil {
		st.LoadoutCode = *lo.code
	}
	st.ClassTalentNodeIDs = nodeIDs(cc.class, lo.class)
	st.SpecTalentNodeIDs = nodeIDs(cc.spec[sm.spec.ID], lo.spec)
	if lo.hero >= 0 {
		hc := cc.heroes[lo.hero]
		st.HeroTreeID, st.HeroTreeName = hc.ref.ID, hc.ref.Name
		st.HeroTalentNodeIDs = nodeIDs(hc.nodes, lo.heroes)
	}
	return st
}

// chosenLoadout applies the consumer's rule: the active loadout, else the first with talents, else
// the first.
func chosenLoadout(los []loadoutModel) *loadoutModel {
	if i := slices.IndexFunc(los, func(lo loadoutModel) bool { return lo.active }); i >= 0 {
		return &los[i]
	}
	if i := slices.IndexFunc(los, func(lo loadoutModel) bool { return len(lo.class)+len(lo.spec)+len(lo.heroes) > 0 }); i >= 0 {
		return &los[i]
	}
	if len(los) > 0 {
		return &los[0]
	}
	return nil
}

func nodeIDs(nodes []talentNode, picks []talentPick) []int64 {
	out := make([]int64, len(picks))
	for i, p := range picks {
		out[i] = nodes[p.idx].node
	}
	slices.Sort(out)
	return out
}

// boardTruth is a whole board of the current season, read from the ladders.
func (w *world) boardTruth(bracket string) ([]EntryTruth, error) {
	v, err := w.board(w.opts.Season, bracket)
	if err != nil {
		return nil, err
	}
	out := make([]EntryTruth, len(v.rows))
	for i, r := range v.rows {
		out[i] = entryTruth(bracket, r)
	}
	return out, nil
}
