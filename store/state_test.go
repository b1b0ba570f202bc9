package store_test

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/store"
	"github.com/pvpsync/pvpsync/triage"
)

func TestCopyStateWritesStateOntoEntries(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	prev, snap := chBase.Add(-time.Hour), chBase
	idle := f.character(t, 1001, "Jw")           // processed at prev, idle now
	fresh := f.character(t, 1002, "Newcomer")    // never processed: no state
	done := f.character(t, 1003, "Egirlbooster") // already processed for snap by another board
	ahead := f.character(t, 1004, "Replayed")    // processed for a later snapshot

	st := f.save(t, idle, "jw")
	lo := chLoadoutIDs(st.Loadouts)
	prevEntry := f.entry(t, "3v3", idle, prev)
	f.commit(t, idle, prev, "3v3", st)
	prevState := f.readEntry(t, prevEntry)
	bracket := f.entry(t, "3v3", idle, snap)
	assassination := f.entry(t, "shuffle-rogue-assassination", idle, snap)

	freshEntry := f.entry(t, "3v3", fresh, snap)

	stE := f.save(t, done, "egirlbooster")
	f.entry(t, "2v2", done, snap)
	doneEntry := f.entry(t, "3v3", done, snap)
	f.commit(t, done, snap, "2v2", stE)
	doneBefore := f.readEntry(t, doneEntry)

	f.entry(t, "3v3", ahead, snap.Add(time.Hour))
	f.commit(t, ahead, snap.Add(time.Hour), "3v3", stE)
	aheadEntry := f.entry(t, "3v3", ahead, snap)
	aheadBefore := f.rowText(t, "characters", ahead)

	f.stmts.Reset()
	claimed, err := f.s.CopyState(ctx, snap, f.boards["3v3"], []store.Claim{
		{CharacterID: ahead, Outcome: triage.Idle}, {CharacterID: fresh, Outcome: triage.Idle},
		{CharacterID: idle, Outcome: triage.Idle}, {CharacterID: done, Outcome: triage.Reused}, {CharacterID: idle, Outcome: triage.Idle},
	})
	require.NoError(t, err)
	assert.Equal(t, []int64{idle}, claimed)
	assert.Equal(t, int64(1), f.stmts.Count(), "one statement for the page")
	assert.Zero(t, f.stmts.TxControl(), "a single statement needs no transaction")

	// The 3v3 entry shows the spec the player is in, the shuffle entry its board's spec.
	assert.Equal(t, chWant(st.Build, lo[chSubtlety], chSubtlety), f.readEntry(t, bracket))
	assert.Equal(t, chWant(st.Build, lo[chAssassination], chAssassination), f.readEntry(t, assassination))
	assert.Equal(t, prevState, f.readEntry(t, prevEntry), "the previous snapshot is untouched")
	got := f.readCharacter(t, idle)
	assert.True(t, got.ProcessedAt.Equal(snap))
	assert.Equal(t, f.boards["3v3"], *got.ProcessedBy)
	assert.Equal(t, triage.Idle, *got.ProcessedOutcome)
	assert.Equal(t, st.Build, *got.Build, "the state itself does not change")

	assert.Equal(t, chEntry{}, f.readEntry(t, freshEntry), "a character without state is not claimed")
	assert.Nil(t, f.readCharacter(t, fresh).ProcessedAt)
	assert.Equal(t, doneBefore, f.readEntry(t, doneEntry), "already processed for the snapshot: left out")
	assert.Equal(t, f.boards["2v2"], *f.readCharacter(t, done).ProcessedBy)
	assert.Equal(t, chEntry{}, f.readEntry(t, aheadEntry), "processed for a later snapshot: left out")
	assert.Equal(t, aheadBefore, f.rowText(t, "characters", ahead))

	// Another board of the same snapshot finds the character claimed.
	entriesBefore := f.tableText(t, "pvp_leaderboard_entries", "x.id")
	charBefore := f.rowText(t, "characters", idle)
	claimed, err = f.s.CopyState(ctx, snap, f.boards["shuffle-rogue-assassination"], []store.Claim{{CharacterID: idle, Outcome: triage.Reused}})
	require.NoError(t, err)
	assert.Empty(t, claimed)
	assert.Equal(t, entriesBefore, f.tableText(t, "pvp_leaderboard_entries", "x.id"))
	assert.Equal(t, charBefore, f.rowText(t, "characters", idle))

	// A shuffle entry of a spec the character has no loadout for gets the build and no loadout.
	next := snap.Add(2 * time.Hour)
	sub := f.entry(t, "shuffle-rogue-subtlety", done, next)
	claimed, err = f.s.CopyState(ctx, next, f.boards["shuffle-rogue-subtlety"], []store.Claim{{CharacterID: done, Outcome: triage.Reused}})
	require.NoError(t, err)
	assert.Equal(t, []int64{done}, claimed)
	assert.Equal(t, chWant(stE.Build, 0, chSubtlety), f.readEntry(t, sub))
	assert.Equal(t, triage.Reused, *f.readCharacter(t, done).ProcessedOutcome)

	f.stmts.Reset()
	claimed, err = f.s.CopyState(ctx, next, f.boards["3v3"], nil)
	require.NoError(t, err)
	assert.Empty(t, claimed)
	assert.Zero(t, f.stmts.Count(), "nothing to claim, no statement")
}

// Two boards plan overlapping rosters of the same snapshot at the same time: each character is
// claimed by exactly one of them, and neither deadlocks.
func TestCopyStateConcurrentBoardsClaimEachCharacterOnce(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	const n, overlap, snapshots = 150, 90, 8
	seed := f.character(t, 1, "Seed")
	st := f.save(t, seed, "jw")
	// n characters sharing the seed's state; board A ranks 1..(n+overlap)/2, board B the last ones.
	_, err := f.s.Pool.Exec(ctx, `INSERT INTO characters (blizzard_id, region, name, realm_slug, gear_build_id, talent_spec_id,
    processed_snapshot_at, processed_leaderboard_id, processed_outcome)
SELECT 1000 + g, 'us', 'c' || g, 'sargeras', $1, $2, $3, $4, 'synced' FROM generate_series(1, $5::integer) AS g`,
		st.Build, chSubtlety, chBase.Add(-time.Hour), f.boards["3v3"], n)
	require.NoError(t, err)
	for _, l := range st.Loadouts {
		_, err = f.s.Pool.Exec(ctx, `INSERT INTO character_loadouts (character_id, spec_id, talent_loadout_id)
SELECT id, $1, $2 FROM characters WHERE blizzard_id > 1000`, l.SpecID, l.LoadoutID)
		require.NoError(t, err)
	}
	ids := make([]int64, 0, n)
	rows, err := f.s.Pool.Query(ctx, `SELECT id FROM characters WHERE blizzard_id > 1000 ORDER BY blizzard_id`)
	require.NoError(t, err)
	for rows.Next() {
		var id int64
		require.NoError(t, rows.Scan(&id))
		ids = append(ids, id)
	}
	require.NoError(t, rows.Err())
	half := (n - overlap) / 2
	rosters := map[string][]int64{"3v3": ids[:half+overlap], "shuffle-rogue-assassination": ids[half:]}
	lo := chLoadoutIDs(st.Loadouts)

	for s := range snapshots {
		snap := chBase.Add(time.Duration(s) * time.Hour)
		for board, roster := range rosters {
			_, err := f.s.Pool.Exec(ctx, `INSERT INTO pvp_leaderboard_entries (pvp_leaderboard_id, character_id, snapshot_at, rank, rating, spec_id)
SELECT $1, c, $2, row_number() OVER (), 2000, $3 FROM unnest($4::bigint[]) AS c`, f.boards[board], snap,
				map[string]*int{"3v3": nil, "shuffle-rogue-assassination": ptr(chAssassination)}[board], roster)
			require.NoError(t, err)
		}
		var wg sync.WaitGroup
		claimedBy := map[string][]int64{}
		var mu sync.Mutex
		for board, roster := range rosters {
			wg.Add(1)
			go func() {
				defer wg.Done()
				claims := make([]store.Claim, len(roster))
				for i, id := range roster {
					claims[i] = store.Claim{CharacterID: id, Outcome: triage.Idle}
				}
				rand.Shuffle(len(claims), func(i, j int) { claims[i], claims[j] = claims[j], claims[i] })
				got, err := f.s.CopyState(ctx, snap, f.boards[board], claims)
				if err != nil {
					t.Errorf("snapshot %d board %s (deadlock=%v): %v", s, board, store.IsDeadlock(err), err)
					return
				}
				mu.Lock()
				claimedBy[board] = got
				mu.Unlock()
			}()
		}
		wg.Wait()
		a, b := claimedBy["3v3"], claimedBy["shuffle-rogue-assassination"]
		all := append(slices.Clone(a), b...)
		slices.Sort(all)
		require.Equal(t, ids, all, "snapshot %d: every character claimed exactly once", s)
		assert.Subset(t, a, ids[:half], "snapshot %d: only board A ranks the first characters", s)
		assert.Subset(t, b, ids[half+overlap:], "snapshot %d", s)
		for board, got := range claimedBy {
			assert.Equal(t, len(got), f.count(t, `SELECT count(*) FROM characters WHERE id = ANY($1) AND processed_leaderboard_id = $2
  AND processed_snapshot_at = $3 AND processed_outcome = 'idle'`, got, f.boards[board], snap), "snapshot %d board %s", s, board)
		}
		// Every entry of the snapshot, on both boards, carries the state.
		assert.Equal(t, n+overlap, f.count(t, `SELECT count(*) FROM pvp_leaderboard_entries WHERE snapshot_at = $1 AND processed_at IS NOT NULL
  AND gear_build_id = $2 AND talent_loadout_id = CASE WHEN pvp_leaderboard_id = $3 THEN $4::bigint ELSE $5::bigint END`,
			snap, st.Build, f.boards["3v3"], lo[chSubtlety], lo[chAssassination]), "snapshot %d", s)
	}
}

func ptr[T any](v T) *T { return &v }
