package faults

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/gear"
	"github.com/pvpsync/pvpsync/workflows"
)

// truth is what the fake serves for the test's brackets.
type truth struct {
	boards   map[string][]int64 // bracket → Battle.net ids, sorted
	entries  int
	distinct map[int64]battlenet.LeaderboardEntry
	private  map[int64]bool
}

// truth reads the fake's boards (call it while EmptyBoards is off).
func (e *env) truth() truth {
	e.t.Helper()
	tr := truth{boards: map[string][]int64{}, distinct: map[int64]battlenet.LeaderboardEntry{}, private: map[int64]bool{}}
	for _, b := range e.brackets {
		entries, err := e.fake.Board(e.region, b)
		require.NoError(e.t, err)
		require.NotEmpty(e.t, entries, "board %s", b)
		ids := make([]int64, 0, len(entries))
		for _, en := range entries {
			ids = append(ids, en.Character.ID)
			tr.distinct[en.Character.ID] = en
		}
		slices.Sort(ids)
		tr.boards[b] = ids
		tr.entries += len(ids)
	}
	for id := range tr.distinct {
		if e.fake.IsPrivate(e.region, id) {
			tr.private[id] = true
		}
	}
	return tr
}

func (tr truth) public() int { return len(tr.distinct) - len(tr.private) }

// slotsOf is the number of distinct equipped slots the twin serves for a character right now.
func (e *env) slotsOf(tr truth, id int64) int {
	if n, ok := e.slots[id]; ok {
		return n
	}
	en := tr.distinct[id]
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	eq, _, err := e.twinBN.Equipment(ctx, e.region, "", en.Character.Realm.Slug, en.Character.Name, "")
	require.NoError(e.t, err, "twin equipment of %d", id)
	g, err := gear.Summarize(eq)
	require.NoError(e.t, err)
	seen := map[string]bool{}
	for _, s := range g.Slots {
		seen[s.Slot] = true
	}
	e.slots[id] = len(seen)
	return len(seen)
}

// checkOpts says what a run may legitimately leave behind.
type checkOpts struct {
	allowFailures bool // public characters may stay unprocessed if the run reported them failed
}

// checked is what the checker found.
type checked struct {
	unprocessed map[int64]bool     // public (or unmarked private) characters left unprocessed at the snapshot
	processed   int                // distinct public characters fully processed at the snapshot
	reasons     map[int64][]string // every reason reported per character: one may fail on two boards
}

// check is the one ground-truth checker every scenario ends with: the result's counters, the rows of
// the snapshot against the fake's boards, the processing of every character, the entry items against
// the served gear, and the leaderboards' progress queries.
func (e *env) check(res workflows.SyncRegionResult, tr truth, o checkOpts) checked {
	t := e.t
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	snap := res.SnapshotAt
	require.False(t, snap.IsZero(), "result has no snapshot time")
	var problems []string
	problem := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	// Counters: every entry accounted for exactly once, in one outcome.
	p := res.Totals
	assert.Equal(t, tr.entries, p.Total, "total entries")
	assert.Equal(t, p.Total, p.Done, "every entry done")
	assert.Equal(t, p.Done, p.Synced+p.Reused+p.NotModified+p.Unavailable+p.Private+p.Deduplicated+p.Failed,
		"outcomes add up to done: %s", p.String())
	require.Len(t, res.Brackets, len(e.brackets))
	for _, b := range res.Brackets {
		assert.Equal(t, workflows.BracketCompleted, b.Status, "bracket %s: %s", b.Bracket, b.Error)
	}
	reasons := map[int64][]string{}
	for _, f := range p.Failures {
		assert.NotEmpty(t, f.Reason, "failure of %d has a reason", f.BlizzardID)
		reasons[f.BlizzardID] = append(reasons[f.BlizzardID], f.Reason)
	}

	// Every entry of every board exactly once for the snapshot.
	rows, err := e.db.Query(ctx, `SELECT l.bracket, c.blizzard_id FROM pvp_leaderboard_entries e
JOIN pvp_leaderboards l ON l.id = e.pvp_leaderboard_id JOIN characters c ON c.id = e.character_id
WHERE e.snapshot_at = $1 AND l.region = $2`, snap, e.region)
	require.NoError(t, err)
	got := map[string][]int64{}
	for rows.Next() {
		var b string
		var id int64
		require.NoError(t, rows.Scan(&b, &id))
		got[b] = append(got[b], id)
	}
	require.NoError(t, rows.Err())
	for _, b := range e.brackets {
		ids := got[b]
		slices.Sort(ids)
		assert.Equal(t, len(tr.boards[b]), len(ids), "entries of %s at %s", b, snap)
		if !slices.Equal(tr.boards[b], ids) {
			problem("board %s: stored characters differ from the fake's board", b)
		}
	}
	assert.Zero(t, e.count(`SELECT count(*) FROM (SELECT 1 FROM pvp_leaderboard_entries
GROUP BY pvp_leaderboard_id, snapshot_at, character_id HAVING count(*) > 1) d`), "duplicate (leaderboard, snapshot, character) rows")
	assert.Zero(t, e.count(`SELECT count(*) FROM (SELECT 1 FROM pvp_leaderboard_entry_items
GROUP BY pvp_leaderboard_entry_id, slot HAVING count(*) > 1) d`), "duplicate (entry, slot) items")

	// Processing of every entry of the snapshot.
	rows, err = e.db.Query(ctx, `SELECT c.blizzard_id, e.id, e.equipment_processed_at IS NOT NULL,
       e.specialization_processed_at IS NOT NULL, COALESCE(c.unavailable_until > now(), false), c.is_private,
       (SELECT count(*) FROM pvp_leaderboard_entry_items i WHERE i.pvp_leaderboard_entry_id = e.id),
       (SELECT count(DISTINCT slot) FROM pvp_leaderboard_entry_items i WHERE i.pvp_leaderboard_entry_id = e.id)
FROM pvp_leaderboard_entries e JOIN pvp_leaderboards l ON l.id = e.pvp_leaderboard_id
JOIN characters c ON c.id = e.character_id
WHERE e.snapshot_at = $1 AND l.region = $2`, snap, e.region)
	require.NoError(t, err)
	type entry struct {
		id                        int64
		eq, sp, unavailable, priv bool
		items, slots              int
	}
	byChar := map[int64][]entry{}
	for rows.Next() {
		var bid int64
		var en entry
		require.NoError(t, rows.Scan(&bid, &en.id, &en.eq, &en.sp, &en.unavailable, &en.priv, &en.items, &en.slots))
		byChar[bid] = append(byChar[bid], en)
	}
	require.NoError(t, rows.Err())

	out := checked{unprocessed: map[int64]bool{}, reasons: reasons}
	for bid, entries := range byChar {
		all, none := true, true
		for _, en := range entries {
			done := en.eq && en.sp
			all = all && done
			none = none && !en.eq && !en.sp
		}
		if tr.private[bid] {
			marked := entries[0].unavailable || entries[0].priv
			switch {
			case marked && none:
				for _, en := range entries {
					if en.items != 0 {
						problem("private %d: entry %d has %d items", bid, en.id, en.items)
					}
				}
			case !marked && none && o.allowFailures:
				out.unprocessed[bid] = true // its 404 never came through: must be reported failed
			default:
				problem("private %d: marked=%v, entries processed=%v", bid, marked, !none)
			}
			continue
		}
		if !all {
			out.unprocessed[bid] = true
			if !o.allowFailures {
				problem("public %d: not every entry processed (%+v)", bid, entries)
			}
			continue
		}
		out.processed++
		want := e.slotsOf(tr, bid)
		for _, en := range entries {
			if en.items != want || en.slots != want {
				problem("character %d entry %d: %d items in %d slots, the fake serves %d slots", bid, en.id, en.items, en.slots, want)
			}
		}
	}
	assert.Equal(t, len(tr.distinct), len(byChar), "distinct characters at the snapshot")

	// An outcome that processes a character (synced, reused, not modified) happens once per character;
	// everything else counted never wrote rows for it.
	assert.Equal(t, out.processed, p.Synced+p.Reused+p.NotModified,
		"characters with processed rows = synced + reused + not modified (%s)", p.String())
	if !o.allowFailures {
		assert.Zero(t, p.Failed, "failures: %+v", p.Failures)
	}
	assert.GreaterOrEqual(t, p.Failed, len(out.unprocessed), "every unprocessed character is counted failed")
	if p.Failed == len(p.Failures) { // the list is complete (it is capped)
		for bid := range out.unprocessed {
			if _, ok := reasons[bid]; !ok {
				problem("character %d left unprocessed but not reported failed", bid)
			}
		}
	}

	// The leaderboard workflows answer their progress query with what the region reported.
	for _, b := range res.Brackets {
		if b.WorkflowID == "" {
			continue
		}
		v, err := e.tc.QueryWorkflow(ctx, b.WorkflowID, "", workflows.ProgressQuery)
		if !assert.NoError(t, err, "progress query of %s", b.WorkflowID) {
			continue
		}
		var lp workflows.Progress
		require.NoError(t, v.Get(&lp))
		assert.Equal(t, b.Progress, lp, "progress query of %s = its line in the region result", b.WorkflowID)
	}

	if len(problems) > 20 {
		problems = append(problems[:20], fmt.Sprintf("… and %d more", len(problems)-20))
	}
	assert.Empty(t, problems, "ground-truth check of snapshot %s:\n%s", snap, strings.Join(problems, "\n"))
	return out
}
