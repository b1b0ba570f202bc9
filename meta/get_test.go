package meta_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/internal/testdb"
	"github.com/pvpsync/pvpsync/meta"
	"github.com/pvpsync/pvpsync/meta/metatest"
	"github.com/pvpsync/pvpsync/store"
)

const frostMage, fireMage = 64, 63

var snap1 = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

func refresh(t *testing.T, st *store.Store) {
	t.Helper()
	require.NoError(t, meta.Refresh(context.Background(), st.Pool))
}

func get(t *testing.T, st *store.Store, q meta.Query) meta.Report {
	t.Helper()
	rep, err := meta.Get(context.Background(), st.Pool, q)
	require.NoError(t, err)
	return rep
}

// TestShuffleReportMatchesTheCharacters checks every list of a shuffle board's report against a count
// over the characters written, without a filter and with each filter.
func TestShuffleReportMatchesTheCharacters(t *testing.T) {
	st, _ := testdb.Open(t)
	chars := metatest.Generate(1, 150, frostMage, true)
	metatest.Write(t, st, metatest.Board{Region: "eu", Bracket: "shuffle-mage-frost", Season: 42, Snapshot: snap1,
		Characters: chars, Finish: true})
	refresh(t, st)

	for _, q := range []meta.Query{
		{},
		{Top: 50},
		{MinRating: 2700},
		{Top: 20, MinRating: 2950},
		{Slot: "trinket_1", Limit: 2},
		{Limit: 1},
		{Top: 1000},
	} {
		t.Run(fmt.Sprintf("top=%d,min=%d,slot=%s,limit=%d", q.Top, q.MinRating, q.Slot, q.Limit), func(t *testing.T) {
			q.Region, q.Bracket = "eu", "shuffle-mage-frost"
			rep := get(t, st, q)
			limit := q.Limit
			if limit == 0 {
				limit = meta.DefaultLimit
			}
			slot := ""
			if q.Slot != "" {
				slot = "TRINKET_1"
				require.Len(t, rep.Slots, 1)
			}
			want := expect(chars, frostMage, q.Top, q.MinRating, slot)
			require.Positive(t, want.characters)
			assertReport(t, want, rep, limit)
			assert.Equal(t, meta.Spec{ID: frostMage, Name: "Frost", ClassName: "Mage", Role: "damage"}, rep.Spec)
			require.NotNil(t, rep.SnapshotAt)
			assert.Equal(t, snap1, *rep.SnapshotAt)
		})
	}

	// Names come from the catalogues; percentages are of the characters whose side is known.
	rep := get(t, st, meta.Query{Region: "eu", Bracket: "shuffle-mage-frost"})
	require.NotEmpty(t, rep.Slots)
	assert.Equal(t, "HEAD", rep.Slots[0].Slot, "character-sheet order")
	assert.Regexp(t, `^Item \d+$`, rep.Slots[0].Items[0].Name)
	assert.Regexp(t, `^Enchant [ABC]$`, rep.Slots[0].Enchants[0].Name)
	assert.Regexp(t, `^Gem \d+$`, rep.Gems[0].Name)
	assert.Contains(t, []string{"Ice Form", "Ring of Fire", "Snowdrift", "Frost Bomb"}, rep.PvpTalents[0].Name)
	assert.Contains(t, []string{"Frostfire", "Spellslinger", ""}, rep.HeroTrees[0].Name)
	for _, tl := range rep.Talents {
		assert.NotEmpty(t, tl.Name, "talent %d", tl.TalentID)
		assert.GreaterOrEqual(t, tl.NodeCount, tl.Count)
	}
	assert.Equal(t, []string{"class", "spec", "hero"}, treesInOrder(rep.Talents))
	for _, tr := range rep.TierSets {
		if tr.Pieces > 0 {
			assert.Equal(t, "Test Tier", tr.Name)
		}
	}
}

func treesInOrder(ts []meta.Talent) []string {
	var out []string
	for _, t := range ts {
		if len(out) == 0 || out[len(out)-1] != t.Tree {
			out = append(out, t.Tree)
		}
	}
	return out
}

// TestArenaBoardCountsEachEntryUnderItsSpec: on 3v3 a character counts under the spec it plays, and
// "top N" is the spec's top N, not the board's.
func TestArenaBoardCountsEachEntryUnderItsSpec(t *testing.T) {
	st, _ := testdb.Open(t)
	chars := metatest.Generate(2, 90, frostMage, false)
	for i := range chars {
		if i%3 == 0 { // a fire mage: same class, another spec
			chars[i].ActiveSpecID = fireMage
			for j := range chars[i].Loadouts {
				chars[i].Loadouts[j].SpecID = fireMage
			}
		}
	}
	metatest.Write(t, st, metatest.Board{Region: "us", Bracket: "3v3", Season: 42, Snapshot: snap1, Characters: chars, Finish: true})
	refresh(t, st)
	for _, spec := range []int{frostMage, fireMage} {
		for _, top := range []int{0, 10} {
			rep := get(t, st, meta.Query{Region: "us", Bracket: "3v3", SpecID: spec, Top: top})
			want := expect(chars, spec, top, 0, "")
			require.Positive(t, want.characters)
			assertReport(t, want, rep, meta.DefaultLimit)
		}
	}
	_, err := meta.Get(context.Background(), st.Pool, meta.Query{Region: "us", Bracket: "3v3"})
	require.ErrorIs(t, err, meta.ErrInvalidQuery, "2v2/3v3 need a spec")
}

// TestReportsReadOneCompleteSnapshot: a snapshot still being written is never shown, a completed one
// replaces the previous one whole at the next refresh, and a new season's board replaces the old one.
func TestReportsReadOneCompleteSnapshot(t *testing.T) {
	st, _ := testdb.Open(t)
	first := metatest.Generate(3, 40, frostMage, true)
	board := metatest.Board{Region: "eu", Bracket: "shuffle-mage-frost", Season: 42, Snapshot: snap1, Characters: first, Finish: true}
	metatest.Write(t, st, board)
	refresh(t, st)
	q := meta.Query{Region: "eu", Bracket: "shuffle-mage-frost"}
	assertReport(t, expect(first, frostMage, 0, 0, ""), get(t, st, q), meta.DefaultLimit)

	// A second snapshot with other gear and 10 more characters, written but not finished.
	second := metatest.Generate(4, 50, frostMage, true)
	snap2 := snap1.Add(6 * time.Hour)
	board.Snapshot, board.Characters, board.Finish = snap2, second, false
	metatest.Write(t, st, board)
	refresh(t, st)
	rep := get(t, st, q)
	assertReport(t, expect(first, frostMage, 0, 0, ""), rep, meta.DefaultLimit)
	assert.Equal(t, snap1, *rep.SnapshotAt, "an unfinished snapshot is not read")

	// Finished: nothing changes until the refresh, then everything does.
	_, err := st.FinishBoard(context.Background(), boardID(t, st, 42, "eu", "shuffle-mage-frost"), snap2, snap2)
	require.NoError(t, err)
	assert.Equal(t, snap1, *get(t, st, q).SnapshotAt)
	refresh(t, st)
	rep = get(t, st, q)
	assertReport(t, expect(second, frostMage, 0, 0, ""), rep, meta.DefaultLimit)
	assert.Equal(t, snap2, *rep.SnapshotAt)
	assert.Equal(t, 1, countRows(t, st, `SELECT count(DISTINCT snapshot_at) FROM meta_entries`))

	// The next season's board, once complete, is the one read.
	third := metatest.Generate(5, 30, frostMage, true)
	snap3 := snap2.Add(6 * time.Hour)
	metatest.Write(t, st, metatest.Board{Region: "eu", Bracket: "shuffle-mage-frost", Season: 43, Snapshot: snap3, Characters: third, Finish: true})
	refresh(t, st)
	rep = get(t, st, q)
	assertReport(t, expect(third, frostMage, 0, 0, ""), rep, meta.DefaultLimit)
	assert.Equal(t, snap3, *rep.SnapshotAt)

	// A later sync of the previous season (`starter sync --season 42`) does not take the page back.
	board.Snapshot, board.Characters, board.Finish = snap3.Add(6*time.Hour), second, true
	metatest.Write(t, st, board)
	refresh(t, st)
	rep = get(t, st, q)
	assertReport(t, expect(third, frostMage, 0, 0, ""), rep, meta.DefaultLimit)
	assert.Equal(t, snap3, *rep.SnapshotAt, "the newest season's board is read")

	// Another region is another board.
	empty := get(t, st, meta.Query{Region: "us", Bracket: "shuffle-mage-frost"})
	assert.Zero(t, empty.Characters)
	assert.Nil(t, empty.SnapshotAt)
	assert.Empty(t, empty.Slots)
}

// TestRefreshDoesNotBlockReaders: while a refresh is in progress (its transaction open), reports are
// answered at once from the previous rows; a reader's open transaction does not hold a refresh up.
func TestRefreshDoesNotBlockReaders(t *testing.T) {
	st, _ := testdb.Open(t)
	ctx := context.Background()
	first := metatest.Generate(6, 30, frostMage, true)
	board := metatest.Board{Region: "eu", Bracket: "shuffle-mage-frost", Season: 42, Snapshot: snap1, Characters: first, Finish: true}
	metatest.Write(t, st, board)
	refresh(t, st)
	second := metatest.Generate(7, 45, frostMage, true)
	board.Snapshot, board.Characters = snap1.Add(time.Hour), second
	metatest.Write(t, st, board)
	q := meta.Query{Region: "eu", Bracket: "shuffle-mage-frost"}

	refreshing, err := st.Pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = refreshing.Rollback(ctx) }()
	_, err = refreshing.Exec(ctx, `REFRESH MATERIALIZED VIEW CONCURRENTLY meta_entries`)
	require.NoError(t, err)

	quick, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	rep, err := meta.Get(quick, st.Pool, q)
	require.NoError(t, err, "a reader must not wait for a refresh")
	assert.Equal(t, expect(first, frostMage, 0, 0, "").characters, rep.Characters, "the previous rows, whole")
	require.NoError(t, refreshing.Commit(ctx))
	assert.Equal(t, expect(second, frostMage, 0, 0, "").characters, get(t, st, q).Characters)

	// A long report (an open read transaction) and a refresh at the same time.
	reading, err := st.Pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = reading.Rollback(ctx) }()
	var n int
	require.NoError(t, reading.QueryRow(ctx, `SELECT count(*) FROM meta_entries`).Scan(&n))
	require.NoError(t, meta.Refresh(quick, st.Pool), "a reader must not hold a refresh up")
	cov, err := meta.RegionCoverage(ctx, st.Pool, "eu")
	require.NoError(t, err)
	assert.Equal(t, meta.Coverage{Boards: 1, Characters: n}, cov)
}

func boardID(t *testing.T, st *store.Store, season int, region, bracket string) int64 {
	t.Helper()
	var id int64
	require.NoError(t, st.Pool.QueryRow(context.Background(), `SELECT b.id FROM pvp_leaderboards AS b
JOIN pvp_seasons AS s ON s.id = b.pvp_season_id WHERE s.blizzard_id = $1 AND b.region = $2 AND b.bracket = $3`,
		season, region, bracket).Scan(&id))
	return id
}

func countRows(t *testing.T, st *store.Store, q string) int {
	t.Helper()
	var n int
	require.NoError(t, st.Pool.QueryRow(context.Background(), q).Scan(&n))
	return n
}

// TestEmptyMeta: before any sync completed, every report is empty, not an error.
func TestEmptyMeta(t *testing.T) {
	st, _ := testdb.Open(t)
	refresh(t, st)
	rep := get(t, st, meta.Query{Region: "kr", Bracket: "2v2", SpecID: 250, Slot: "HEAD"})
	assert.Zero(t, rep.Characters)
	assert.Equal(t, meta.ItemLevel{}, rep.ItemLevel)
	assert.Equal(t, []meta.Slot{}, rep.Slots)
}
