package store_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/internal/sqlcount"
	"github.com/pvpsync/pvpsync/internal/testdb"
	"github.com/pvpsync/pvpsync/store"
)

// Helpers of the board-side tests carry a "bd" prefix: other store tests share this package.

// bdSnap is a snapshot time with whole microseconds, PostgreSQL's timestamp precision.
var bdSnap = time.Date(2025, 4, 1, 9, 30, 0, 0, time.UTC)

type bdFixture struct {
	s      *store.Store
	stmts  *sqlcount.Counter
	season int64
}

func newBdFixture(t *testing.T) *bdFixture {
	t.Helper()
	stmts := &sqlcount.Counter{}
	s, _ := testdb.Open(t, store.WithTracer(stmts))
	season, err := s.UpsertSeason(bdCtx(t), store.Season{BlizzardID: 40, Name: "Season 40"})
	require.NoError(t, err)
	return &bdFixture{s: s, stmts: stmts, season: season}
}

func bdCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func (f *bdFixture) board(t *testing.T, region, bracket string) int64 {
	t.Helper()
	id, err := f.s.UpsertLeaderboard(bdCtx(t), f.season, region, bracket)
	require.NoError(t, err)
	return id
}

// bdEntries generates n entries with blizzard ids from firstID, ranked 1..n.
func bdEntries(n int, firstID int64) []store.BoardEntry {
	out := make([]store.BoardEntry, n)
	for i := range out {
		out[i] = store.BoardEntry{
			BlizzardID: firstID + int64(i),
			Name:       fmt.Sprintf("Player%d", firstID+int64(i)),
			RealmSlug:  "tarren-mill",
			Faction:    []string{"HORDE", "ALLIANCE"}[i%2],
			Rank:       i + 1,
			Rating:     3000 - i/10,
			Wins:       100 + i%50,
			Losses:     50 + i%30,
			SpecID:     []int{0, 62, 71, 1480}[i%4],
		}
	}
	return out
}

func (f *bdFixture) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, f.s.Pool.QueryRow(bdCtx(t), query, args...).Scan(&n))
	return n
}

type bdCharacter struct {
	ID                     int64
	Name, Realm, Region    string
	Faction                *string
	UpdatedAt, CreatedAtTS time.Time
}

func (f *bdFixture) character(t *testing.T, blizzardID int64, region string) bdCharacter {
	t.Helper()
	var c bdCharacter
	require.NoError(t, f.s.Pool.QueryRow(bdCtx(t),
		`SELECT id, name, realm_slug, region, faction, updated_at, created_at FROM characters WHERE blizzard_id = $1 AND region = $2`,
		blizzardID, region).Scan(&c.ID, &c.Name, &c.Realm, &c.Region, &c.Faction, &c.UpdatedAt, &c.CreatedAtTS))
	return c
}

func TestSaveBoardUpsertsCharactersAndKeepsIDs(t *testing.T) {
	f := newBdFixture(t)
	ctx := bdCtx(t)
	board := f.board(t, "eu", "3v3")
	entries := bdEntries(3, 1001)

	res, err := f.s.SaveBoard(ctx, store.SaveBoardInput{LeaderboardID: board, Region: "eu", SnapshotAt: bdSnap, Entries: entries})
	require.NoError(t, err)
	assert.Equal(t, store.SaveBoardResult{Characters: 3, Entries: 3, Inserted: 3}, res)
	before := map[int64]bdCharacter{}
	for _, e := range entries {
		c := f.character(t, e.BlizzardID, "eu")
		assert.Equal(t, e.Name, c.Name)
		require.NotNil(t, c.Faction)
		assert.Equal(t, e.Faction, *c.Faction)
		before[e.BlizzardID] = c
	}

	// The character renamed and transferred; the next payload omits the faction.
	entries[1].Name = "Renamed"
	entries[1].RealmSlug = "silvermoon"
	entries[1].Faction = ""
	res, err = f.s.SaveBoard(ctx, store.SaveBoardInput{LeaderboardID: board, Region: "eu", SnapshotAt: bdSnap.Add(time.Hour), Entries: entries})
	require.NoError(t, err)
	assert.Equal(t, store.SaveBoardResult{Characters: 3, Entries: 3, Inserted: 3}, res)

	after := f.character(t, entries[1].BlizzardID, "eu")
	assert.Equal(t, before[entries[1].BlizzardID].ID, after.ID, "same character, same id")
	assert.Equal(t, "Renamed", after.Name)
	assert.Equal(t, "silvermoon", after.Realm)
	require.NotNil(t, after.Faction, "an empty faction keeps the known one")
	assert.Equal(t, *before[entries[1].BlizzardID].Faction, *after.Faction)
	for _, e := range entries {
		assert.Equal(t, before[e.BlizzardID].ID, f.character(t, e.BlizzardID, "eu").ID)
	}
	assert.Equal(t, 3, f.count(t, `SELECT count(*) FROM characters`))
	assert.Equal(t, 6, f.count(t, `SELECT count(*) FROM pvp_leaderboard_entries`))

	// The entry columns hold what was given; spec 0 is NULL.
	var rank, rating, wins, losses int
	var spec *int
	require.NoError(t, f.s.Pool.QueryRow(ctx, `SELECT rank, rating, wins, losses, spec_id FROM pvp_leaderboard_entries
		WHERE character_id = $1 AND snapshot_at = $2`, after.ID, bdSnap).Scan(&rank, &rating, &wins, &losses, &spec))
	assert.Equal(t, []int{entries[1].Rank, entries[1].Rating, entries[1].Wins, entries[1].Losses}, []int{rank, rating, wins, losses})
	require.NotNil(t, spec)
	assert.Equal(t, entries[1].SpecID, *spec)
	assert.Equal(t, 1, f.count(t, `SELECT count(*) FROM pvp_leaderboard_entries WHERE spec_id IS NULL AND snapshot_at = $1`, bdSnap))
}

// A renamed or transferred character is a new API address: the 404 and Last-Modified values of the old
// one are dropped, so the next sync asks again; a character still at its address keeps them.
func TestSaveBoardRenameClearsWhatTheOldAddressAnswered(t *testing.T) {
	f := newBdFixture(t)
	ctx := bdCtx(t)
	board := f.board(t, "eu", "3v3")
	entries := bdEntries(3, 2001)
	_, err := f.s.SaveBoard(ctx, store.SaveBoardInput{LeaderboardID: board, Region: "eu", SnapshotAt: bdSnap, Entries: entries})
	require.NoError(t, err)
	_, err = f.s.Pool.Exec(ctx, `UPDATE characters SET is_private = true, unavailable_until = now() + interval '14 days',
    unreadable_at = now(), equipment_last_modified = 'Mon, 02 Jan 2006 15:04:05 GMT',
    specializations_last_modified = 'Mon, 02 Jan 2006 15:04:05 GMT'`)
	require.NoError(t, err)

	entries[0].Name = "Renamed"         // rename
	entries[1].RealmSlug = "silvermoon" // transfer
	entries[2].Rating += 10             // same address
	_, err = f.s.SaveBoard(ctx, store.SaveBoardInput{LeaderboardID: board, Region: "eu", SnapshotAt: bdSnap.Add(time.Hour), Entries: entries})
	require.NoError(t, err)

	type flags struct {
		Private                    bool
		Cooldown, Unreadable, EqLM bool
		SpLM                       bool
	}
	read := func(blizzardID int64) flags {
		var fl flags
		require.NoError(t, f.s.Pool.QueryRow(ctx, `SELECT is_private, unavailable_until IS NOT NULL, unreadable_at IS NOT NULL,
       equipment_last_modified IS NOT NULL, specializations_last_modified IS NOT NULL
FROM characters WHERE blizzard_id = $1 AND region = 'eu'`, blizzardID).Scan(&fl.Private, &fl.Cooldown, &fl.Unreadable, &fl.EqLM, &fl.SpLM))
		return fl
	}
	assert.Equal(t, flags{}, read(entries[0].BlizzardID), "renamed: asked again, unconditionally")
	assert.Equal(t, flags{}, read(entries[1].BlizzardID), "transferred: asked again, unconditionally")
	assert.Equal(t, flags{true, true, true, true, true}, read(entries[2].BlizzardID), "same address: nothing forgotten")
}

func TestSaveBoardDuplicateCharacterKeepsBestRank(t *testing.T) {
	f := newBdFixture(t)
	ctx := bdCtx(t)
	board := f.board(t, "us", "2v2")
	entries := bdEntries(4, 500)
	// Character 501 appears again, better ranked and with other numbers; 503 appears again, worse ranked.
	better := entries[1]
	better.Rank, better.Rating, better.Name = 1, 3500, "BetterRow"
	worse := entries[3]
	worse.Rank, worse.Rating = 40, 1
	entries = append(entries, better, worse)

	res, err := f.s.SaveBoard(ctx, store.SaveBoardInput{LeaderboardID: board, Region: "us", SnapshotAt: bdSnap, Entries: entries})
	require.NoError(t, err, "duplicates must not reach ON CONFLICT DO UPDATE twice")
	assert.Equal(t, store.SaveBoardResult{Characters: 4, Entries: 4, Inserted: 4, DuplicatesDropped: 2}, res)

	var rank, rating int
	require.NoError(t, f.s.Pool.QueryRow(ctx, `SELECT e.rank, e.rating FROM pvp_leaderboard_entries e
		JOIN characters c ON c.id = e.character_id WHERE c.blizzard_id = 501`).Scan(&rank, &rating))
	assert.Equal(t, 1, rank)
	assert.Equal(t, 3500, rating)
	assert.Equal(t, "BetterRow", f.character(t, 501, "us").Name)
	require.NoError(t, f.s.Pool.QueryRow(ctx, `SELECT e.rank, e.rating FROM pvp_leaderboard_entries e
		JOIN characters c ON c.id = e.character_id WHERE c.blizzard_id = 503`).Scan(&rank, &rating))
	assert.Equal(t, 4, rank)
	assert.Equal(t, entries[3].Rating, rating)
}

// bdExpectedStatements is the statement budget: one character upsert per character chunk, one entry
// insert per entry chunk (the last one carries the board update).
func bdExpectedStatements(n int) int64 {
	ceil := func(a, b int) int64 { return int64((a + b - 1) / b) }
	return 2 * ceil(n, 10_000) // characters and entries, 10,000 rows per statement
}

func TestSaveBoardChunksLargeBoards(t *testing.T) {
	// More than 10,000 rows split both statements.
	for _, n := range []int{12_000, 13_200} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			f := newBdFixture(t)
			ctx := bdCtx(t)
			board := f.board(t, "us", "shuffle-overall")
			entries := bdEntries(n, 1)
			rand.Shuffle(len(entries), func(i, j int) { entries[i], entries[j] = entries[j], entries[i] })

			f.stmts.Reset()
			res, err := f.s.SaveBoard(ctx, store.SaveBoardInput{LeaderboardID: board, Region: "us", SnapshotAt: bdSnap, Entries: entries})
			require.NoError(t, err)
			assert.Equal(t, store.SaveBoardResult{Characters: n, Entries: n, Inserted: n}, res)
			assert.Equal(t, bdExpectedStatements(n), f.stmts.Count(), "data statements")
			assert.Greater(t, f.stmts.Count(), int64(2), "the payload must have been chunked")
			assert.Equal(t, int64(2), f.stmts.TxControl(), "one BEGIN, one COMMIT")

			assert.Equal(t, n, f.count(t, `SELECT count(*) FROM characters`))
			assert.Equal(t, n, f.count(t, `SELECT count(*) FROM pvp_leaderboard_entries WHERE pvp_leaderboard_id = $1 AND snapshot_at = $2`, board, bdSnap))
			// Every entry is linked to the character it was given for.
			assert.Equal(t, n, f.count(t, `SELECT count(*) FROM pvp_leaderboard_entries e JOIN characters c ON c.id = e.character_id
				WHERE e.rank = c.blizzard_id`))
			assert.Equal(t, n, f.count(t, `SELECT last_entry_count FROM pvp_leaderboards WHERE id = $1`, board))
		})
	}
}

func TestSaveBoardStoresNamesVerbatim(t *testing.T) {
	f := newBdFixture(t)
	ctx := bdCtx(t)
	board := f.board(t, "us", "rbg")
	names := []string{"motívate", "O'Neil", "Robert'); DROP TABLE characters;--", "🐉Drâgon🔥", `back\slash"quote`, "$1", "?", strings.Repeat("ü", 200)}
	entries := make([]store.BoardEntry, len(names))
	for i, n := range names {
		entries[i] = store.BoardEntry{BlizzardID: int64(i + 1), Name: n, RealmSlug: "area-52", Faction: "ALLIANCE", Rank: i + 1, Rating: 2000}
	}
	_, err := f.s.SaveBoard(ctx, store.SaveBoardInput{LeaderboardID: board, Region: "us", SnapshotAt: bdSnap, Entries: entries})
	require.NoError(t, err)
	for i, n := range names {
		c := f.character(t, int64(i+1), "us")
		assert.Equal(t, n, c.Name)
		assert.Equal(t, "area-52", c.Realm)
	}
	assert.Equal(t, 200, f.count(t, `SELECT char_length(name) FROM characters WHERE blizzard_id = $1`, len(names)))
}

func TestSaveBoardRerunAndNewSnapshot(t *testing.T) {
	f := newBdFixture(t)
	ctx := bdCtx(t)
	board := f.board(t, "kr", "3v3")
	in := store.SaveBoardInput{LeaderboardID: board, Region: "kr", SnapshotAt: bdSnap, Entries: bdEntries(250, 77)}

	first, err := f.s.SaveBoard(ctx, in)
	require.NoError(t, err)
	assert.Equal(t, 250, first.Inserted)

	again, err := f.s.SaveBoard(ctx, in)
	require.NoError(t, err)
	assert.Equal(t, store.SaveBoardResult{Characters: 250, Entries: 250, Inserted: 0}, again)
	assert.Equal(t, 250, f.count(t, `SELECT count(*) FROM pvp_leaderboard_entries`))

	// A partial rerun (the payload grew by 10 since the first attempt) inserts only the new rows.
	in.Entries = bdEntries(260, 77)
	grown, err := f.s.SaveBoard(ctx, in)
	require.NoError(t, err)
	assert.Equal(t, store.SaveBoardResult{Characters: 260, Entries: 260, Inserted: 10}, grown)

	next := in
	next.SnapshotAt = bdSnap.Add(6 * time.Hour)
	res, err := f.s.SaveBoard(ctx, next)
	require.NoError(t, err)
	assert.Equal(t, store.SaveBoardResult{Characters: 260, Entries: 260, Inserted: 260}, res)
	assert.Equal(t, 520, f.count(t, `SELECT count(*) FROM pvp_leaderboard_entries`))
	assert.Equal(t, 260, f.count(t, `SELECT count(*) FROM characters`))

	at, n, ok, err := f.s.LatestSnapshot(ctx, board)
	require.NoError(t, err)
	require.True(t, ok)
	assert.True(t, next.SnapshotAt.Equal(at), "latest snapshot %s, want %s", at, next.SnapshotAt)
	assert.Equal(t, 260, n)

	// Replaying the older snapshot (a late retry) must not move the board's bookkeeping backwards.
	in.Entries = bdEntries(5, 77)
	_, err = f.s.SaveBoard(ctx, in)
	require.NoError(t, err)
	var lastSnap time.Time
	var lastCount int
	var synced *time.Time
	require.NoError(t, f.s.Pool.QueryRow(ctx, `SELECT last_snapshot_at, last_entry_count, last_synced_at FROM pvp_leaderboards WHERE id = $1`, board).
		Scan(&lastSnap, &lastCount, &synced))
	assert.True(t, next.SnapshotAt.Equal(lastSnap))
	assert.Equal(t, 260, lastCount)
	assert.NotNil(t, synced)
}

func TestSaveBoardRejectsInvalidRowsWritingNothing(t *testing.T) {
	f := newBdFixture(t)
	ctx := bdCtx(t)
	board := f.board(t, "us", "3v3")

	bad := func(mutate func(*store.BoardEntry)) []store.BoardEntry {
		e := bdEntries(5, 10)
		mutate(&e[3])
		return e
	}
	cases := []struct {
		name    string
		in      store.SaveBoardInput
		mention []string
	}{
		{"blizzard id 0", store.SaveBoardInput{Region: "us", Entries: bad(func(e *store.BoardEntry) { e.BlizzardID = 0 })}, []string{"entry 3", "blizzard id 0", `"Player13"`}},
		{"negative blizzard id", store.SaveBoardInput{Region: "us", Entries: bad(func(e *store.BoardEntry) { e.BlizzardID = -7 })}, []string{"entry 3", "-7"}},
		{"empty region", store.SaveBoardInput{Region: "", Entries: bdEntries(5, 10)}, []string{"region"}},
		{"bad region", store.SaveBoardInput{Region: "cn", Entries: bdEntries(5, 10)}, []string{`"cn"`}},
		{"empty name", store.SaveBoardInput{Region: "us", Entries: bad(func(e *store.BoardEntry) { e.Name = "" })}, []string{"entry 3", "blizzard id 13", "name"}},
		{"empty realm", store.SaveBoardInput{Region: "us", Entries: bad(func(e *store.BoardEntry) { e.RealmSlug = "" })}, []string{"entry 3", "realm"}},
		{"rank 0", store.SaveBoardInput{Region: "us", Entries: bad(func(e *store.BoardEntry) { e.Rank = 0 })}, []string{"entry 3", "rank"}},
		{"NUL in name", store.SaveBoardInput{Region: "us", Entries: bad(func(e *store.BoardEntry) { e.Name = "a\x00b" })}, []string{"entry 3"}},
		{"invalid utf-8", store.SaveBoardInput{Region: "us", Entries: bad(func(e *store.BoardEntry) { e.RealmSlug = "\xff" })}, []string{"entry 3", "realm"}},
		{"rating overflows int4", store.SaveBoardInput{Region: "us", Entries: bad(func(e *store.BoardEntry) { e.Rating = math.MaxInt32 + 1 })}, []string{"entry 3", "rating"}},
		{"zero snapshot", store.SaveBoardInput{Region: "us", Entries: bdEntries(5, 10)}, []string{"snapshot"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.LeaderboardID = board
			if tc.name != "zero snapshot" {
				in.SnapshotAt = bdSnap
			}
			f.stmts.Reset()
			_, err := f.s.SaveBoard(ctx, in)
			require.Error(t, err)
			require.ErrorIs(t, err, store.ErrInvalidRow)
			for _, m := range tc.mention {
				assert.Contains(t, err.Error(), m)
			}
			assert.Zero(t, f.stmts.Count()+f.stmts.TxControl(), "validation happens before any statement")
			assert.Equal(t, 0, f.count(t, `SELECT count(*) FROM characters`))
			assert.Equal(t, 0, f.count(t, `SELECT count(*) FROM pvp_leaderboard_entries`))
			assert.Equal(t, 0, f.count(t, `SELECT count(*) FROM pvp_leaderboards WHERE last_synced_at IS NOT NULL`))
		})
	}
}

func TestSaveBoardUnknownOrMismatchedBoardRollsBack(t *testing.T) {
	f := newBdFixture(t)
	ctx := bdCtx(t)
	euBoard := f.board(t, "eu", "3v3")

	_, err := f.s.SaveBoard(ctx, store.SaveBoardInput{LeaderboardID: euBoard, Region: "us", SnapshotAt: bdSnap, Entries: bdEntries(3, 1)})
	require.ErrorIs(t, err, store.ErrNoLeaderboard)

	_, err = f.s.SaveBoard(ctx, store.SaveBoardInput{LeaderboardID: euBoard + 1000, Region: "eu", SnapshotAt: bdSnap, Entries: bdEntries(3, 1)})
	require.Error(t, err)

	assert.Equal(t, 0, f.count(t, `SELECT count(*) FROM characters`), "the character upsert rolled back with the rest")
	assert.Equal(t, 0, f.count(t, `SELECT count(*) FROM pvp_leaderboard_entries`))
}

func TestSaveBoardEmptyBoardRecordsSync(t *testing.T) {
	f := newBdFixture(t)
	ctx := bdCtx(t)
	board := f.board(t, "tw", "2v2")
	f.stmts.Reset()
	res, err := f.s.SaveBoard(ctx, store.SaveBoardInput{LeaderboardID: board, Region: "tw", SnapshotAt: bdSnap})
	require.NoError(t, err)
	assert.Equal(t, store.SaveBoardResult{}, res)
	assert.Equal(t, int64(1), f.stmts.Count())
	assert.Equal(t, 1, f.count(t, `SELECT count(*) FROM pvp_leaderboards WHERE id = $1 AND last_synced_at IS NOT NULL AND last_entry_count = 0`, board))
	_, _, ok, err := f.s.LatestSnapshot(ctx, board)
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestSaveBoardRegionIsPartOfKey(t *testing.T) {
	f := newBdFixture(t)
	ctx := bdCtx(t)
	us, eu := f.board(t, "us", "3v3"), f.board(t, "eu", "3v3")
	require.NotEqual(t, us, eu)
	entry := []store.BoardEntry{{BlizzardID: 4242, Name: "Twin", RealmSlug: "area-52", Faction: "HORDE", Rank: 1, Rating: 2400}}

	_, err := f.s.SaveBoard(ctx, store.SaveBoardInput{LeaderboardID: us, Region: "us", SnapshotAt: bdSnap, Entries: entry})
	require.NoError(t, err)
	entry[0].Name, entry[0].RealmSlug = "Zwilling", "blackrock"
	_, err = f.s.SaveBoard(ctx, store.SaveBoardInput{LeaderboardID: eu, Region: "eu", SnapshotAt: bdSnap, Entries: entry})
	require.NoError(t, err)

	assert.Equal(t, 2, f.count(t, `SELECT count(*) FROM characters WHERE blizzard_id = 4242`))
	usChar, euChar := f.character(t, 4242, "us"), f.character(t, 4242, "eu")
	assert.NotEqual(t, usChar.ID, euChar.ID)
	assert.Equal(t, "Twin", usChar.Name)
	assert.Equal(t, "Zwilling", euChar.Name)
}

func TestRosterPagePagesInRankOrder(t *testing.T) {
	f := newBdFixture(t)
	ctx := bdCtx(t)
	board := f.board(t, "eu", "shuffle-mage-frost")
	const n = 1234
	entries := bdEntries(n, 9000)
	// Ties around the first page boundary: the character id must break them without skipping anyone.
	for i := 495; i < 505; i++ {
		entries[i].Rank = 496
	}
	rand.Shuffle(len(entries), func(i, j int) { entries[i], entries[j] = entries[j], entries[i] })
	_, err := f.s.SaveBoard(ctx, store.SaveBoardInput{LeaderboardID: board, Region: "eu", SnapshotAt: bdSnap, Entries: entries})
	require.NoError(t, err)
	// Another snapshot and another board must not leak into the pages.
	_, err = f.s.SaveBoard(ctx, store.SaveBoardInput{LeaderboardID: board, Region: "eu", SnapshotAt: bdSnap.Add(time.Hour), Entries: bdEntries(30, 9000)})
	require.NoError(t, err)
	other := f.board(t, "eu", "3v3")
	_, err = f.s.SaveBoard(ctx, store.SaveBoardInput{LeaderboardID: other, Region: "eu", SnapshotAt: bdSnap, Entries: bdEntries(30, 9000)})
	require.NoError(t, err)

	wantSpec := map[int64]int{}
	for _, e := range entries {
		wantSpec[e.BlizzardID] = e.SpecID
	}
	var got []store.RosterRow
	var sizes []int
	cur := store.RosterCursor{}
	for {
		page, err := f.s.RosterPage(ctx, board, bdSnap, cur, 500)
		require.NoError(t, err)
		if len(page) == 0 {
			break
		}
		sizes = append(sizes, len(page))
		got = append(got, page...)
		last := page[len(page)-1]
		cur = store.RosterCursor{AfterRank: last.Rank, AfterCharacterID: last.CharacterID}
		require.LessOrEqual(t, len(sizes), 4, "paging does not terminate")
	}
	assert.Equal(t, []int{500, 500, 234}, sizes)
	require.Len(t, got, n)
	seen := map[int64]bool{}
	for i, r := range got {
		assert.False(t, seen[r.BlizzardID], "blizzard id %d returned twice", r.BlizzardID)
		seen[r.BlizzardID] = true
		assert.Equal(t, wantSpec[r.BlizzardID], r.SpecID, "spec of %d", r.BlizzardID)
		if i > 0 {
			prev := got[i-1]
			assert.True(t, prev.Rank < r.Rank || prev.Rank == r.Rank && prev.CharacterID < r.CharacterID,
				"row %d (%d,%d) not after (%d,%d)", i, r.Rank, r.CharacterID, prev.Rank, prev.CharacterID)
		}
	}
	assert.Equal(t, 1, got[0].Rank)
	assert.Equal(t, n, got[n-1].Rank)

	_, err = f.s.RosterPage(ctx, board, bdSnap, store.RosterCursor{}, 0)
	require.Error(t, err)
}

func TestSaveBoardConcurrentOverlappingBoards(t *testing.T) {
	f := newBdFixture(t)
	ctx := bdCtx(t)
	boards := []int64{f.board(t, "us", "shuffle-overall"), f.board(t, "us", "shuffle-warrior-arms")}
	// The boards share half their characters: 1..1500 and 751..2250.
	payloads := [][]store.BoardEntry{bdEntries(1500, 1), bdEntries(1500, 751)}
	const iterations = 20

	var wg sync.WaitGroup
	errs := make(chan error, 2*iterations)
	for b := range boards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(b), 7))
			for it := range iterations {
				entries := slices.Clone(payloads[b])
				// Rename everyone each time so every shared character row is really updated by both writers.
				for i := range entries {
					entries[i].Name = fmt.Sprintf("P%d-%d-%d", entries[i].BlizzardID, b, it)
				}
				rng.Shuffle(len(entries), func(i, j int) { entries[i], entries[j] = entries[j], entries[i] })
				_, err := f.s.SaveBoard(ctx, store.SaveBoardInput{LeaderboardID: boards[b], Region: "us",
					SnapshotAt: bdSnap.Add(time.Duration(it) * time.Minute), Entries: entries})
				if err != nil {
					errs <- fmt.Errorf("board %d iteration %d (deadlock=%v): %w", b, it, store.IsDeadlock(err), err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	assert.Equal(t, 2250, f.count(t, `SELECT count(*) FROM characters`))
	assert.Equal(t, 2*iterations*1500, f.count(t, `SELECT count(*) FROM pvp_leaderboard_entries`))
}

// TestSaveBoardConcurrentNewCharacters: two boards of a first sync store the same new characters at the
// same time, with the same names (nothing for the second upsert to change). The one that loses the
// insert race must still get every id: its statement's snapshot predates the other's commit.
func TestSaveBoardConcurrentNewCharacters(t *testing.T) {
	f := newBdFixture(t)
	ctx := bdCtx(t)
	boards := []int64{f.board(t, "us", "3v3"), f.board(t, "us", "2v2")}
	const rounds, size = 15, 1500
	for round := range rounds {
		// New characters each round, on both boards, in different orders.
		shared := bdEntries(size, int64(1+round*size))
		var wg sync.WaitGroup
		errs := make([]error, len(boards))
		for b := range boards {
			entries := slices.Clone(shared)
			if b == 1 {
				slices.Reverse(entries)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[b] = f.s.SaveBoard(ctx, store.SaveBoardInput{LeaderboardID: boards[b], Region: "us",
					SnapshotAt: bdSnap.Add(time.Duration(round) * time.Minute), Entries: entries})
			}()
		}
		wg.Wait()
		for b, err := range errs {
			require.NoError(t, err, "round %d, board %d", round, b)
		}
	}
	assert.Equal(t, rounds*size, f.count(t, `SELECT count(*) FROM characters`))
	assert.Equal(t, 2*rounds*size, f.count(t, `SELECT count(*) FROM pvp_leaderboard_entries`))
}

func TestSaveBoardInt64EdgeIDs(t *testing.T) {
	f := newBdFixture(t)
	ctx := bdCtx(t)
	board := f.board(t, "us", "3v3")
	ids := []int64{math.MaxInt64, math.MaxInt64 - 1, 1, math.MaxInt32 + 1}
	entries := make([]store.BoardEntry, len(ids))
	for i, id := range ids {
		entries[i] = store.BoardEntry{BlizzardID: id, Name: fmt.Sprint("Edge", i), RealmSlug: "area-52", Rank: i + 1, Rating: 1500}
	}
	_, err := f.s.SaveBoard(ctx, store.SaveBoardInput{LeaderboardID: board, Region: "us", SnapshotAt: bdSnap, Entries: entries})
	require.NoError(t, err)
	page, err := f.s.RosterPage(ctx, board, bdSnap, store.RosterCursor{}, 10)
	require.NoError(t, err)
	require.Len(t, page, len(ids))
	for i, r := range page {
		assert.Equal(t, ids[i], r.BlizzardID)
		assert.Equal(t, i+1, r.Rank)
		assert.Zero(t, r.SpecID)
	}
	assert.Equal(t, "Edge0", f.character(t, math.MaxInt64, "us").Name)
}

func TestUpsertSeasonAndLeaderboard(t *testing.T) {
	f := newBdFixture(t)
	ctx := bdCtx(t)
	start := time.Date(2025, 3, 4, 15, 0, 0, 0, time.UTC)
	id, err := f.s.UpsertSeason(ctx, store.Season{BlizzardID: 41, Name: "Season 41", StartsAt: &start})
	require.NoError(t, err)
	require.NotEqual(t, f.season, id)

	end := start.AddDate(0, 4, 0)
	again, err := f.s.UpsertSeason(ctx, store.Season{BlizzardID: 41, EndsAt: &end})
	require.NoError(t, err)
	assert.Equal(t, id, again)
	var name string
	var starts, ends time.Time
	require.NoError(t, f.s.Pool.QueryRow(ctx, `SELECT name, starts_at, ends_at FROM pvp_seasons WHERE id = $1`, id).Scan(&name, &starts, &ends))
	assert.Equal(t, "Season 41", name, "a sparse document keeps the known name")
	assert.True(t, start.Equal(starts))
	assert.True(t, end.Equal(ends))

	_, err = f.s.UpsertSeason(ctx, store.Season{BlizzardID: 0})
	require.ErrorIs(t, err, store.ErrInvalidRow)

	a, err := f.s.UpsertLeaderboard(ctx, id, "us", "3v3")
	require.NoError(t, err)
	b, err := f.s.UpsertLeaderboard(ctx, id, "us", "3v3")
	require.NoError(t, err)
	assert.Equal(t, a, b)
	c, err := f.s.UpsertLeaderboard(ctx, id, "eu", "3v3")
	require.NoError(t, err)
	assert.NotEqual(t, a, c)
	d, err := f.s.UpsertLeaderboard(ctx, f.season, "us", "3v3")
	require.NoError(t, err)
	assert.NotEqual(t, a, d)

	_, err = f.s.UpsertLeaderboard(ctx, id, "us", "5v5")
	require.ErrorIs(t, err, store.ErrInvalidRow)
	_, err = f.s.UpsertLeaderboard(ctx, id, "cn", "3v3")
	require.ErrorIs(t, err, store.ErrInvalidRow)
	assert.Equal(t, 3, f.count(t, `SELECT count(*) FROM pvp_leaderboards`))
}

func TestCounterSeparatesTxControl(t *testing.T) {
	f := newBdFixture(t)
	ctx := bdCtx(t)
	f.stmts.Reset()
	tx, err := f.s.Pool.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `SELECT 1`)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `SELECT 2`)
	require.NoError(t, err)
	require.NoError(t, tx.Rollback(ctx))
	assert.Equal(t, int64(2), f.stmts.Count())
	assert.Equal(t, int64(2), f.stmts.TxControl())
	f.stmts.Reset()
	assert.Zero(t, f.stmts.Count())
	assert.Zero(t, f.stmts.TxControl())
}

func TestSaveBoardSubMicrosecondSnapshot(t *testing.T) {
	f := newBdFixture(t)
	ctx := bdCtx(t)
	board := f.board(t, "us", "3v3")
	// time.Now() carries nanoseconds; PostgreSQL keeps microseconds. Whatever the wire format rounds to,
	// the snapshot written must be the one RosterPage and LatestSnapshot find with the same time.Time.
	snap := bdSnap.Add(1500 * time.Nanosecond).In(time.FixedZone("CEST", 2*3600))
	_, err := f.s.SaveBoard(ctx, store.SaveBoardInput{LeaderboardID: board, Region: "us", SnapshotAt: snap, Entries: bdEntries(7, 1)})
	require.NoError(t, err)
	page, err := f.s.RosterPage(ctx, board, snap, store.RosterCursor{}, 100)
	require.NoError(t, err)
	assert.Len(t, page, 7)
	at, n, ok, err := f.s.LatestSnapshot(ctx, board)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, 7, n)
	assert.True(t, snap.Truncate(time.Microsecond).Equal(at), "stored %s, given %s", at, snap)
	page, err = f.s.RosterPage(ctx, board, at, store.RosterCursor{}, 100)
	require.NoError(t, err)
	assert.Len(t, page, 7, "the time LatestSnapshot returns pages the same rows")
}
