package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/pvpsync/pvpsync/fakeblizzard"
	"github.com/pvpsync/pvpsync/internal/testbin"
	"github.com/pvpsync/pvpsync/internal/teststack"
	"github.com/pvpsync/pvpsync/internal/testtemporal"
	"github.com/pvpsync/pvpsync/workflows"
)

// TestRetentionWhileSyncing: the retention schedule created by `starter schedule create --retention`
// deletes the snapshots older than the retention — and the gear builds and loadouts only they
// referenced — in batches, while a region sync runs, and nothing else: the running sync completes, its
// snapshot and the previous one stay whole and true.
func TestRetentionWhileSyncing(t *testing.T) {
	const region = "us"
	ctx := context.Background()
	s := teststack.New(t, teststack.Options{Fake: fakeblizzard.Options{
		Seed: 31, Characters: e2eSize(1500), SpecCharacters: e2eSize(300), Brackets: []string{"3v3", "shuffle-mage-frost"}, Active: 0.5,
	}})
	old, err := s.SyncRegion(t, workflows.SyncRegionInput{Region: region}, 10*time.Minute)
	require.NoError(t, err)
	oldEntries := s.Count(t, `SELECT count(*) FROM pvp_leaderboard_entries`)
	// Age the first snapshot past a 30-day retention, and its builds and loadouts past the day retention
	// spares for builds a running sync may be about to reference.
	for _, q := range []string{
		`UPDATE pvp_leaderboard_entries SET snapshot_at = snapshot_at - interval '40 days'`,
		`UPDATE characters SET processed_snapshot_at = processed_snapshot_at - interval '40 days'`,
		`UPDATE gear_builds SET seen_at = now() - interval '3 days'`,
		`UPDATE talent_loadouts SET seen_at = now() - interval '3 days'`,
	} {
		_, err := s.Store.Pool.Exec(ctx, q)
		require.NoError(t, err, q)
	}
	// Characters that change gear without a rated game keep their previous gear while idle (what idle
	// detection cannot see, bounded by PVP_IDLE_MAX_AGE): the truth check allows them to lag.
	stale := map[int64]bool{}
	advance := func() {
		for _, id := range s.Fake.Advance().IdleGearChanged {
			stale[id] = true
		}
	}
	advance()
	kept, err := s.SyncRegion(t, workflows.SyncRegionInput{Region: region}, 10*time.Minute)
	require.NoError(t, err)
	keptEntries := s.Count(t, `SELECT count(*) FROM pvp_leaderboard_entries WHERE snapshot_at = $1`, kept.SnapshotAt)
	advance()
	nextSnapshot()

	// A third sync runs; the retention schedule is created with the starter and triggered meanwhile.
	running, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: fmt.Sprintf("pvp-sync/%s/retention-test/%d", region, time.Now().UnixNano()), TaskQueue: workflows.TaskQueueWorkflows,
	}, workflows.SyncRegionName, workflows.SyncRegionInput{Region: region, Window: 5})
	require.NoError(t, err)
	bin := testbin.Build(t, "./starter")
	starter := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...) // #nosec G204 -- the binary this test built
		cmd.Env = append(os.Environ(), "TEMPORAL_ADDRESS="+testtemporal.HostPort(t), "TEMPORAL_NAMESPACE=default")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "starter %v: %s", args, out)
		return string(out)
	}
	t.Cleanup(func() { _ = s.Temporal.ScheduleClient().GetHandle(ctx, workflows.PurgeScheduleID).Delete(ctx) })
	starter("schedule", "create", "--retention", "--days", "30", "--paused")
	starter("schedule", "trigger", "--retention")
	purge := waitForPurge(t, s)
	assert.Equal(t, int64(oldEntries), purge.Deleted, "every entry of the old snapshot, and only those")
	assert.Greater(t, oldEntries, 1000, "more than one batch of the default 1,000")
	assert.Positive(t, purge.Builds+purge.Loadouts, "builds or loadouts only the old snapshot referenced")

	var res workflows.SyncRegionResult
	require.NoError(t, running.Get(ctx, &res))
	assert.Zero(t, res.Totals.Failed, "the sync beside retention: %+v", res.Totals.Failures)
	assert.Zero(t, s.Count(t, `SELECT count(*) FROM pvp_leaderboard_entries WHERE snapshot_at < now() - interval '30 days'`))
	assert.Equal(t, keptEntries, s.Count(t, `SELECT count(*) FROM pvp_leaderboard_entries WHERE snapshot_at = $1`, kept.SnapshotAt),
		"the previous snapshot is whole")
	// Builds the running sync let go of after the purge collected garbage (a character's old gear,
	// replaced by its new) are the next run's to delete: once the sync is done, one run leaves none.
	again, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: fmt.Sprintf("pvp-retention/again/%d", time.Now().UnixNano()), TaskQueue: workflows.TaskQueueWorkflows,
	}, workflows.PurgeSnapshotsName, workflows.PurgeSnapshotsInput{RetentionDays: 30})
	require.NoError(t, err)
	var second workflows.PurgeSnapshotsResult
	require.NoError(t, again.Get(ctx, &second))
	assert.Zero(t, second.Deleted, "no entry snapshot is older than the retention any more")
	assert.Zero(t, s.Count(t, `SELECT count(*) FROM gear_builds b WHERE b.seen_at < now() - interval '1 day'
	  AND NOT EXISTS (SELECT 1 FROM pvp_leaderboard_entries e WHERE e.gear_build_id = b.id)
	  AND NOT EXISTS (SELECT 1 FROM characters c WHERE c.gear_build_id = b.id)`), "no unreferenced old build left")
	assert.Zero(t, s.Count(t, `SELECT count(*) FROM gear_build_slots s RIGHT JOIN (SELECT b.id, unnest(b.gear_item_ids) AS gi FROM gear_builds b) x
	  ON x.id = s.gear_build_id AND x.gi = s.gear_item_id WHERE s.gear_build_id IS NULL`), "no build lost a gear item")
	checkTruth(t, s, region, res.SnapshotAt, stale)
	_ = old
}

// waitForPurge waits for the retention run the schedule started and returns its result.
func waitForPurge(t *testing.T, s *teststack.Stack) workflows.PurgeSnapshotsResult {
	t.Helper()
	ctx := context.Background()
	h := s.Temporal.ScheduleClient().GetHandle(ctx, workflows.PurgeScheduleID)
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		d, err := h.Describe(ctx)
		require.NoError(t, err)
		if actions := d.Info.RecentActions; len(actions) > 0 {
			run := actions[len(actions)-1].StartWorkflowResult
			var res workflows.PurgeSnapshotsResult
			require.NoError(t, s.Temporal.GetWorkflow(ctx, run.WorkflowID, run.FirstExecutionRunID).Get(ctx, &res))
			return res
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatal("the retention schedule started no run")
	return workflows.PurgeSnapshotsResult{}
}
