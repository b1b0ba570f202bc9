package meta_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/activities"
	"github.com/pvpsync/pvpsync/fakeblizzard"
	"github.com/pvpsync/pvpsync/internal/teststack"
	"github.com/pvpsync/pvpsync/internal/testtemporal"
	"github.com/pvpsync/pvpsync/meta"
	"github.com/pvpsync/pvpsync/workflows"
)

func TestMain(m *testing.M) { testtemporal.Main(m) }

// TestMetaMatchesTheFakesWorld syncs a region from the fake Battle.net server for real (Temporal dev
// server, workers, PostgreSQL), refreshes meta through the activity, and checks a shuffle spec's and a
// 3v3 spec's reports against a count over the fake's ground truth — its boards and its characters as
// its world model has them, not pvpsync's tables.
func TestMetaMatchesTheFakesWorld(t *testing.T) {
	const region = "us"
	s := teststack.New(t, teststack.Options{Fake: fakeblizzard.Options{
		Seed: 23, Characters: 300, SpecCharacters: 150, Brackets: []string{"3v3", "shuffle-mage-frost"}, PrivateFraction: 0.05,
	}})
	res, err := s.SyncRegion(t, workflows.SyncRegionInput{Region: region}, 15*time.Minute)
	require.NoError(t, err)
	require.Zero(t, res.Totals.Failed, "failures: %+v", res.Totals.Failures)
	ctx := context.Background()
	refreshed, err := s.Acts.RefreshMeta(ctx, activities.RefreshMetaInput{Region: region})
	require.NoError(t, err)
	assert.Equal(t, 2, refreshed.Boards)

	truth := newWorldCount(t, s.Fake, region)
	rows := 0
	for _, b := range []string{"3v3", "shuffle-mage-frost"} {
		rows += len(truth.public(b))
	}
	assert.Equal(t, rows, refreshed.Characters, "one row per public character per board")

	// The most played spec on 3v3 (each entry counts under the spec it plays), and the shuffle board's.
	arenaSpec := truth.commonSpec("3v3")
	cases := []meta.Query{
		{Bracket: "shuffle-mage-frost", Limit: 1000},
		{Bracket: "shuffle-mage-frost"},
		{Bracket: "shuffle-mage-frost", Top: 60, Limit: 1000},
		{Bracket: "shuffle-mage-frost", MinRating: truth.ratingAt("shuffle-mage-frost", 64, 70), Limit: 1000},
		{Bracket: "shuffle-mage-frost", Slot: "TRINKET_1", Top: 30, Limit: 1000},
		{Bracket: "3v3", SpecID: arenaSpec, Limit: 1000},
		{Bracket: "3v3", SpecID: arenaSpec, Top: 10, Limit: 1000},
	}
	for _, q := range cases {
		t.Run(fmt.Sprintf("%s/spec=%d/top=%d/min=%d/slot=%s/limit=%d", q.Bracket, q.SpecID, q.Top, q.MinRating, q.Slot, q.Limit), func(t *testing.T) {
			q.Region = region
			rep, err := meta.Get(ctx, s.Store.Pool, q)
			require.NoError(t, err)
			n, err := q.Normalize()
			require.NoError(t, err)
			want := truth.expect(n)
			require.Positive(t, want.characters)
			require.NotEmpty(t, want.items)
			require.NotEmpty(t, want.nodes)
			assertReport(t, want, rep, n.Limit)
			t.Logf("%d characters (%d with talents), %d slots, %d talent nodes, %d pvp talents, %d codes",
				rep.Characters, rep.WithTalents, len(rep.Slots), len(want.nodes), len(rep.PvpTalents), len(rep.Loadouts))
			require.NotNil(t, rep.SnapshotAt)
			assert.True(t, rep.SnapshotAt.Equal(res.SnapshotAt), "the synced snapshot")
			for _, sl := range rep.Slots {
				for _, u := range sl.Items {
					assert.Equal(t, truth.itemNames[u.ID], u.Name, "item %d", u.ID)
				}
			}
			for _, u := range rep.PvpTalents {
				assert.Equal(t, truth.pvpNames[u.ID], u.Name, "pvp talent %d", u.ID)
			}
		})
	}
}

// worldCount is the fake's ground truth of the synced boards.
type worldCount struct {
	t         *testing.T
	boards    map[string][]fakeblizzard.EntryTruth
	chars     map[int64]fakeblizzard.CharacterTruth
	itemNames map[int64]string
	pvpNames  map[int64]string
}

func newWorldCount(t *testing.T, fake *fakeblizzard.Server, region string) *worldCount {
	w := &worldCount{t: t, boards: map[string][]fakeblizzard.EntryTruth{}, chars: map[int64]fakeblizzard.CharacterTruth{},
		itemNames: map[int64]string{}, pvpNames: map[int64]string{}}
	for _, b := range fake.Brackets() {
		entries, err := fake.BoardTruth(region, b)
		require.NoError(t, err)
		slices.SortFunc(entries, func(a, b fakeblizzard.EntryTruth) int { return cmp.Compare(a.Rank, b.Rank) })
		w.boards[b] = entries
		for _, e := range entries {
			if _, ok := w.chars[e.BlizzardID]; ok {
				continue
			}
			c, err := fake.Truth(region, e.RealmSlug, e.Name)
			require.NoError(t, err)
			w.chars[e.BlizzardID] = c
			for _, s := range c.Slots {
				w.itemNames[s.ItemID] = s.ItemName
			}
			for _, sp := range c.Specs {
				for _, p := range sp.PvpTalents {
					w.pvpNames[p.ID] = p.Name
				}
			}
		}
	}
	return w
}

// public is a board's entries of characters whose gear and talents Battle.net serves, in rank order.
func (w *worldCount) public(bracket string) []fakeblizzard.EntryTruth {
	return slices.DeleteFunc(slices.Clone(w.boards[bracket]), func(e fakeblizzard.EntryTruth) bool { return w.chars[e.BlizzardID].Private })
}

// specOf is the spec an entry counts under: the board's, else the one the character plays.
func (w *worldCount) specOf(e fakeblizzard.EntryTruth) int {
	return cmp.Or(e.SpecID, w.chars[e.BlizzardID].ActiveSpecID)
}

func (w *worldCount) commonSpec(bracket string) int {
	n := map[int]int{}
	best := 0
	for _, e := range w.public(bracket) {
		sp := w.specOf(e)
		if n[sp]++; n[sp] > n[best] {
			best = sp
		}
	}
	return best
}

// ratingAt is the rating of the spec's place-th public character.
func (w *worldCount) ratingAt(bracket string, spec, place int) int {
	for _, e := range w.public(bracket) {
		if w.specOf(e) == spec {
			if place--; place == 0 {
				return e.Rating
			}
		}
	}
	w.t.Fatalf("fewer than %d characters of spec %d on %s", place, spec, bracket)
	return 0
}

// expect counts what a report on q must say, from the truth.
func (w *worldCount) expect(q meta.Query) expected {
	e := expected{items: map[string]map[int64]int{}, enchants: map[string]map[int64]int{}, gems: map[int64]int{},
		hero: map[int64]int{}, pvp: map[int64]int{}, tier: map[int64]int{}, nodes: map[talentKey]int{}, codes: map[string]int{}}
	place := 0
	for _, entry := range w.public(q.Bracket) {
		if w.specOf(entry) != q.SpecID {
			continue
		}
		place++
		if (q.Top > 0 && place > q.Top) || entry.Rating < q.MinRating {
			continue
		}
		c := w.chars[entry.BlizzardID]
		e.characters++
		if e.characters == 1 || entry.Rating < e.ratingMin {
			e.ratingMin = entry.Rating
		}
		e.ratingMax = max(e.ratingMax, entry.Rating)
		e.withGear++
		e.levels = append(e.levels, c.EquippedItemLevel)
		pieces := 0
		if c.TierSet != nil {
			pieces = c.TierSet.Pieces
		}
		e.tier[int64(pieces)]++
		gems := map[int64]bool{}
		for _, s := range c.Slots {
			if q.Slot != "" && s.Slot != q.Slot {
				continue
			}
			add(e.items, s.Slot, s.ItemID)
			for _, id := range slices.Compact(slices.Clone(s.EnchantmentIDs)) {
				add(e.enchants, s.Slot, id)
			}
			for _, id := range s.GemItemIDs {
				gems[id] = true
			}
		}
		for id := range gems {
			e.gems[id]++
		}
		i := slices.IndexFunc(c.Specs, func(s fakeblizzard.SpecTruth) bool { return s.SpecID == q.SpecID })
		if i < 0 {
			continue
		}
		sp := c.Specs[i]
		e.withTalents++
		e.hero[sp.HeroTreeID]++
		if sp.LoadoutCode != "" {
			e.codes[sp.LoadoutCode]++
		}
		for tree, nodes := range map[string][]int64{"class": sp.ClassTalentNodeIDs, "spec": sp.SpecTalentNodeIDs, "hero": sp.HeroTalentNodeIDs} {
			for _, n := range slices.Compact(slices.Clone(nodes)) {
				e.nodes[talentKey{tree, n, 0}]++
			}
		}
		for _, id := range slices.Compact(slices.Clone(sp.PvpTalentIDs)) {
			e.pvp[id]++
		}
	}
	slices.Sort(e.levels)
	return e
}
