// Package metatest writes leaderboards with known gear and talents through the store's own write path
// (board, equipment, specializations, commit, finish), for the tests of meta and of `starter meta`.
package metatest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/gear"
	"github.com/pvpsync/pvpsync/store"
)

// Character is one ranked character. Gear nil and no Loadouts is a private character: ranked, nothing
// known.
type Character struct {
	BlizzardID   int64
	Name         string
	Rank, Rating int
	EntrySpecID  int // the board's spec on shuffle/blitz boards; 0 on 2v2/3v3 (the active spec counts)
	ActiveSpecID int
	Gear         *gear.Gear
	Loadouts     []gear.Loadout
}

// Board is one snapshot of one board.
type Board struct {
	Region, Bracket string
	Season          int64
	Snapshot        time.Time
	Characters      []Character
	Finish          bool // mark the snapshot complete (as the end of its sync does)
}

// Write stores the board and processes every character as a sync would; it returns the board's id.
func Write(t testing.TB, st *store.Store, b Board) int64 {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("metatest: %s %s: %v", b.Region, b.Bracket, err)
		}
	}
	season, err := st.UpsertSeason(ctx, store.Season{BlizzardID: b.Season})
	must(err)
	board, err := st.UpsertLeaderboard(ctx, season, b.Region, b.Bracket)
	must(err)
	entries := make([]store.BoardEntry, len(b.Characters))
	for i, c := range b.Characters {
		entries[i] = store.BoardEntry{BlizzardID: c.BlizzardID, Name: c.Name, RealmSlug: "tarren-mill", Rank: c.Rank,
			Rating: c.Rating, SpecID: c.EntrySpecID}
	}
	_, err = st.SaveBoard(ctx, store.SaveBoardInput{LeaderboardID: board, Region: b.Region, SnapshotAt: b.Snapshot, Entries: entries})
	must(err)
	for _, c := range b.Characters {
		if c.Gear == nil && len(c.Loadouts) == 0 {
			continue
		}
		var id int64
		must(st.Pool.QueryRow(ctx, `SELECT id FROM characters WHERE region = $1 AND blizzard_id = $2`, b.Region, c.BlizzardID).Scan(&id))
		commit := store.Commit{CharacterID: id, SnapshotAt: b.Snapshot, LeaderboardID: board, Outcome: "synced"}
		if c.Gear != nil {
			build, err := st.SaveEquipment(ctx, id, []byte(`{}`), "", *c.Gear)
			must(err)
			commit.Equipment = store.EquipmentCommit{Answered: true, BuildID: build}
		}
		if len(c.Loadouts) > 0 {
			los, err := st.SaveSpecializations(ctx, id, []byte(`{}`), "", c.Loadouts)
			must(err)
			sp, _ := battlenet.SpecByID(c.ActiveSpecID)
			commit.Talents = store.TalentsCommit{Answered: true, Fetched: true, Loadouts: los, ActiveSpecID: c.ActiveSpecID, ClassID: sp.ClassID}
		}
		_, err := st.CommitCharacter(ctx, commit)
		must(err)
	}
	if b.Finish {
		_, err := st.FinishBoard(ctx, board, b.Snapshot, b.Snapshot)
		must(err)
	}
	return board
}

// Catalogue ids the generated characters draw from: few enough that counts repeat.
var (
	slotNames  = []string{"HEAD", "NECK", "TRINKET_1", "TRINKET_2", "MAIN_HAND", "OFF_HAND"}
	enchants   = []gear.Named{{ID: 7001, Name: "Enchant A"}, {ID: 7002, Name: "Enchant B"}, {ID: 7003, Name: "Enchant C"}}
	gems       = []int64{213_001, 213_002, 213_003}
	tierSet    = gear.Named{ID: 1700, Name: "Test Tier"}
	heroTrees  = []gear.Named{{ID: 39, Name: "Frostfire"}, {ID: 40, Name: "Spellslinger"}}
	pvpTalents = []gear.Named{{ID: 5001, Name: "Ice Form"}, {ID: 5002, Name: "Ring of Fire"}, {ID: 5003, Name: "Snowdrift"}, {ID: 5004, Name: "Frost Bomb"}}
)

// Generate makes n characters of one spec ranked 1..n with ratings falling from 3000 by 7 per rank,
// drawn from small catalogues so that choices repeat. Every ninth character is private. specID on the
// entries is the board's (shuffle) when entrySpec is true, else 0 (2v2/3v3).
func Generate(seed uint64, n, specID int, entrySpec bool) []Character {
	r := rand.New(rand.NewPCG(seed, 7)) // #nosec G404 -- test data: reproducible from the seed, not secret
	out := make([]Character, n)
	for i := range out {
		c := Character{BlizzardID: int64(900_000 + i), Name: fmt.Sprintf("Meta%04d", i), Rank: i + 1, Rating: 3000 - 7*i,
			ActiveSpecID: specID}
		if entrySpec {
			c.EntrySpecID = specID
		}
		if i%9 != 8 {
			g := randomGear(r)
			c.Gear = &g
			c.Loadouts = []gear.Loadout{randomLoadout(r, specID)}
		}
		out[i] = c
	}
	return out
}

func randomGear(r *rand.Rand) gear.Gear {
	g := gear.Gear{ItemLevel: 600 + r.IntN(40)}
	items := map[int64]bool{}
	ench := map[int64]gear.Named{}
	gemSet := map[int64]bool{}
	for si, slot := range slotNames {
		id := int64(100_000 + si*10 + r.IntN(3)) // three items per slot
		s := gear.Slot{Slot: slot, ItemBlizzardID: id, ItemLevel: g.ItemLevel, EnchantmentIDs: []int64{}, GemItemIDs: []int64{}, BonusList: []int64{}}
		if r.IntN(3) > 0 {
			e := enchants[r.IntN(len(enchants))]
			s.EnchantmentIDs = append(s.EnchantmentIDs, e.ID)
			ench[e.ID] = e
		}
		if slot == "NECK" {
			for k := r.IntN(3); k > 0; k-- { // the same gem twice counts once
				gm := gems[r.IntN(len(gems))]
				s.GemItemIDs = append(s.GemItemIDs, gm)
				gemSet[gm] = true
			}
		}
		g.Slots = append(g.Slots, s)
		items[id] = true
	}
	for id := range items {
		g.Items = append(g.Items, gear.Item{BlizzardID: id, Name: fmt.Sprintf("Item %d", id)})
	}
	for id := range gemSet {
		g.Gems = append(g.Gems, gear.Item{BlizzardID: id, Name: fmt.Sprintf("Gem %d", id)})
	}
	for _, e := range ench {
		g.Enchantments = append(g.Enchantments, e)
	}
	if pieces := r.IntN(6); pieces > 0 {
		g.TierSet = &gear.TierSet{ID: tierSet.ID, Name: tierSet.Name, Pieces: pieces, FourPieceActive: pieces >= 4}
	}
	return g
}

func randomLoadout(r *rand.Rand, specID int) gear.Loadout {
	lo := gear.Loadout{SpecID: specID, Class: []gear.Talent{}, Spec: []gear.Talent{}, Hero: []gear.Talent{}, Pvp: []gear.PvpTalent{}}
	// Ten class nodes, each taken with probability 3/4; node 10 is a choice node of two talents.
	for node := int64(1); node <= 10; node++ {
		if r.IntN(4) == 0 {
			continue
		}
		talent := 80_000 + node
		if node == 10 && r.IntN(2) == 0 {
			talent = 80_100
		}
		lo.Class = append(lo.Class, gear.Talent{NodeID: node, TalentID: talent, Name: fmt.Sprintf("Talent %d", talent), Rank: 1})
	}
	for node := int64(20); node <= 24; node++ {
		if r.IntN(2) == 0 {
			lo.Spec = append(lo.Spec, gear.Talent{NodeID: node, TalentID: 81_000 + node, Name: fmt.Sprintf("Talent %d", 81_000+node), Rank: 1 + r.IntN(2)})
		}
	}
	if h := r.IntN(3); h < len(heroTrees) {
		lo.HeroTreeID, lo.HeroTreeName = heroTrees[h].ID, heroTrees[h].Name
		lo.Hero = append(lo.Hero, gear.Talent{NodeID: 30 + int64(h), TalentID: 82_000 + int64(h), Name: "Hero " + heroTrees[h].Name, Rank: 1})
	}
	perm := r.Perm(len(pvpTalents))
	for slot, k := range perm[:3] {
		lo.Pvp = append(lo.Pvp, gear.PvpTalent{Slot: slot + 1, TalentID: pvpTalents[k].ID, Name: pvpTalents[k].Name})
	}
	// A handful of codes, shared by many: a copied build.
	lo.Code = fmt.Sprintf("C%dx%d", specID, r.IntN(4))
	return lo
}
