package faults

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/pvpsync/pvpsync/fakeblizzard"
	"github.com/pvpsync/pvpsync/internal/truthcheck"
	"github.com/pvpsync/pvpsync/workflows"
)

// truth is what the fake's world holds for the test's brackets (its ground truth, which no fault
// touches).
type truth struct {
	boards   map[string][]int64 // bracket → Battle.net ids, sorted
	entries  int
	distinct map[int64]fakeblizzard.EntryTruth
	private  map[int64]bool
}

// truth reads the boards from the world.
func (e *env) truth() truth {
	e.t.Helper()
	tr := truth{boards: map[string][]int64{}, distinct: map[int64]fakeblizzard.EntryTruth{}, private: map[int64]bool{}}
	for _, b := range e.brackets {
		entries, err := e.world.BoardTruth(e.region, b)
		require.NoError(e.t, err)
		require.NotEmpty(e.t, entries, "board %s", b)
		ids := make([]int64, 0, len(entries))
		for _, en := range entries {
			ids = append(ids, en.BlizzardID)
			tr.distinct[en.BlizzardID] = en
		}
		slices.Sort(ids)
		tr.boards[b] = ids
		tr.entries += len(ids)
	}
	for id := range tr.distinct {
		if e.world.IsPrivate(e.region, id) {
			tr.private[id] = true
		}
	}
	return tr
}

func (tr truth) public() int { return len(tr.distinct) - len(tr.private) }

// checkOpts says what a run may legitimately leave behind.
type checkOpts struct {
	allowFailures bool // public characters may stay unprocessed if the run reported them failed
}

// checked is what the checker found.
type checked struct {
	unprocessed map[int64]bool     // characters left without gear at the snapshot (all reported failed)
	processed   int                // distinct public characters fully processed at the snapshot
	reasons     map[int64][]string // every reason reported per character: one may fail on two boards
}

// check is the one checker every scenario ends with. The bookkeeping: the result's counters add up,
// every entry of every board is stored exactly once, each character is processed once and everything
// left unprocessed was reported failed, content-addressed rows are not duplicated, and the leaderboards'
// progress queries equal the result. The rows: internal/truthcheck (the e2e suite's checker) compares
// every entry of the snapshot, field by field, with the fake's ground truth, the characters reported
// failed being allowed to carry no gear.
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
	assert.Equal(t, p.Done, p.Synced+p.Idle+p.Reused+p.NotModified+p.Unavailable+p.Private+p.Deduplicated+p.Failed,
		"outcomes add up to done: %s", p.String())
	require.Len(t, res.Brackets, len(e.brackets))
	for _, b := range res.Brackets {
		assert.Equal(t, workflows.BracketCompleted, b.Status, "bracket %s: %s", b.Bracket, b.Error)
	}
	reasons := e.failedCharacters(res)

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
	e.checkContentAddressed()

	// Processing, per character: all of its entries at the snapshot carry its state, or none does.
	rows, err = e.db.Query(ctx, `SELECT c.blizzard_id, count(*)::int,
       bool_and(e.processed_at IS NOT NULL AND e.gear_build_id IS NOT NULL),
       bool_or(e.processed_at IS NOT NULL OR e.gear_build_id IS NOT NULL OR e.talent_loadout_id IS NOT NULL),
       c.is_private OR COALESCE(c.unavailable_until > now(), false)
FROM pvp_leaderboard_entries e JOIN pvp_leaderboards l ON l.id = e.pvp_leaderboard_id
JOIN characters c ON c.id = e.character_id
WHERE e.snapshot_at = $1 AND l.region = $2
GROUP BY c.blizzard_id, c.is_private, c.unavailable_until`, snap, e.region)
	require.NoError(t, err)
	out := checked{unprocessed: map[int64]bool{}, reasons: reasons}
	characters, processedEntries := 0, 0
	for rows.Next() {
		var bid int64
		var n int
		var all, some, marked bool
		require.NoError(t, rows.Scan(&bid, &n, &all, &some, &marked))
		characters++
		if tr.private[bid] {
			switch {
			case some:
				problem("private %d: entries carry gear or talents", bid)
			case !marked && reasons[bid] == nil:
				problem("private %d: neither marked private or unavailable nor reported failed", bid)
			case !marked:
				out.unprocessed[bid] = true // its 404 never came through: reported failed
			}
			continue
		}
		if !all {
			out.unprocessed[bid] = true
			if reasons[bid] == nil {
				problem("character %d left unprocessed but not reported failed", bid)
			}
			continue
		}
		out.processed++
		processedEntries += n
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, len(tr.distinct), characters, "distinct characters at the snapshot")

	// An outcome that processes a character (synced, idle, reused, not modified) happens once per
	// character; everything else counted never wrote its rows.
	assert.Equal(t, out.processed, p.Synced+p.Idle+p.Reused+p.NotModified,
		"characters with processed rows = synced + idle + reused + not modified (%s)", p.String())
	if !o.allowFailures {
		assert.Zero(t, p.Failed, "failures: %+v", p.Failures)
	}
	assert.GreaterOrEqual(t, p.Failed, len(out.unprocessed), "every unprocessed character is counted failed")

	// The rows, against the ground truth.
	unprocessed := map[int64]bool{}
	if o.allowFailures {
		for bid := range reasons {
			unprocessed[bid] = true
		}
	}
	rep, err := truthcheck.Check(ctx, e.db, e.world, truthcheck.Options{Region: e.region, Snapshot: snap, Unprocessed: unprocessed})
	require.NoError(t, err, "ground-truth check")
	assert.Equal(t, tr.entries, rep.Entries, "entries the truth check read")
	assert.Equal(t, processedEntries, rep.Checked, "every entry of a processed character is compared with the truth")
	assert.Empty(t, rep.Problems, "ground truth of snapshot %s: %s", snap.Format(time.RFC3339), rep)

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
	assert.Empty(t, problems, "bookkeeping of snapshot %s:\n%s", snap, strings.Join(problems, "\n"))
	t.Logf("checked snapshot %s: %d entries, %d compared with the truth, %d characters processed, %d left unprocessed (reported failed)",
		snap.Format(time.RFC3339), rep.Entries, rep.Checked, out.processed, len(out.unprocessed))
	return out
}

// failedCharacters is every character the run reported failed, with its reasons. The result lists at
// most 50 failures; the character workflows that ended with PvpOutcome "failed" (a search attribute
// they set for operators) name them all, and must include every character the list names.
func (e *env) failedCharacters(res workflows.SyncRegionResult) map[int64][]string {
	t := e.t
	t.Helper()
	p := res.Totals
	reasons := map[int64][]string{}
	for _, f := range p.Failures {
		assert.NotEmpty(t, f.Reason, "failure of %d has a reason", f.BlizzardID)
		reasons[f.BlizzardID] = append(reasons[f.BlizzardID], f.Reason)
	}
	if p.Failed == 0 {
		return reasons
	}
	query := fmt.Sprintf("WorkflowType = '%s' AND %s = '%s' AND StartTime >= '%s'", workflows.SyncCharacterName,
		workflows.SearchOutcome.GetName(), workflows.OutcomeFailed, res.SnapshotAt.UTC().Format(time.RFC3339))
	prefix := strings.TrimSuffix(workflows.CharacterWorkflowID(e.region, 0), "0")
	list := func() (executions int, ids map[int64]bool) {
		ids = map[int64]bool{}
		var token []byte
		for {
			resp, err := e.tc.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: query, NextPageToken: token})
			require.NoError(t, err, query)
			for _, ex := range resp.GetExecutions() {
				executions++
				id, err := strconv.ParseInt(strings.TrimPrefix(ex.GetExecution().GetWorkflowId(), prefix), 10, 64)
				require.NoError(t, err, "character workflow id %s", ex.GetExecution().GetWorkflowId())
				ids[id] = true
			}
			if token = resp.GetNextPageToken(); len(token) == 0 {
				return executions, ids
			}
		}
	}
	// Visibility lags a little behind the workflows' last search-attribute update. A failure to start
	// a character workflow has no execution, so the count may stay short of p.Failed: then the
	// bookkeeping check names whoever is missing.
	executions, visible := list()
	for deadline := time.Now().Add(20 * time.Second); executions < p.Failed && time.Now().Before(deadline); {
		time.Sleep(500 * time.Millisecond)
		executions, visible = list()
	}
	for _, f := range p.Failures {
		if characterStep.MatchString(f.Reason) {
			assert.True(t, visible[f.BlizzardID], "character %d, reported failed (%s), is found by %s", f.BlizzardID, f.Reason, query)
		}
	}
	for id := range visible {
		if reasons[id] == nil {
			reasons[id] = []string{"(past the result's list) PvpOutcome = failed"}
		}
	}
	t.Logf("%d failures, %d listed in the result, %d failed character workflows in visibility", p.Failed, len(p.Failures), executions)
	return reasons
}

// characterStep starts the reason of a failure inside a character workflow (the step that failed).
var characterStep = regexp.MustCompile(`^(prepare|route|equipment|specializations|mark unavailable|commit): `)

// checkContentAddressed: gear items, gear builds and talent loadouts are stored once per content,
// however many workers and boards wrote them at once.
func (e *env) checkContentAddressed() {
	for what, q := range map[string]string{
		"gear items": `SELECT count(*) FROM (SELECT 1 FROM gear_items
GROUP BY item_id, item_level, context, enchantment_ids, gem_item_ids, bonus_list HAVING count(*) > 1) d`,
		"gear builds": `SELECT count(*) FROM (SELECT 1 FROM gear_builds
GROUP BY item_level, tier_set_id, tier_set_pieces, tier_4p_active, slots, gear_item_ids HAVING count(*) > 1) d`,
		"talent loadouts": `SELECT count(*) FROM (SELECT 1 FROM talent_loadouts
GROUP BY spec_id, loadout_code, hero_talent_tree_id, talents, pvp_talents HAVING count(*) > 1) d`,
	} {
		assert.Zero(e.t, e.count(q), "%s stored twice with the same content", what)
	}
}
