package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/pvpsync/pvpsync/internal/testtemporal"
	"github.com/pvpsync/pvpsync/workflows"
)

// runStarter runs the starter's commands in-process (same root settings as main) and returns stdout.
func runStarter(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := &cobra.Command{Use: "starter", SilenceUsage: true, SilenceErrors: true}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(syncCmd(), scheduleCmd(), purgeCmd())
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := root.ExecuteContext(ctx)
	return out.String(), err
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, err := runStarter(t, args...)
	require.NoError(t, err, "starter %s\n%s", strings.Join(args, " "), out)
	return out
}

// devServer points the starter's environment at the shared dev server and returns a client for checks.
func devServer(t *testing.T) client.Client {
	t.Setenv("TEMPORAL_ADDRESS", testtemporal.HostPort(t))
	t.Setenv("TEMPORAL_NAMESPACE", "default")
	return testtemporal.Client(t, client.Options{})
}

// cleanupSchedule deletes the schedule and terminates what it started, so tests stay independent.
func cleanupSchedule(t *testing.T, c client.Client, id string) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		h := c.ScheduleClient().GetHandle(ctx, id)
		if d, err := h.Describe(ctx); err == nil {
			for _, a := range d.Info.RecentActions {
				if a.StartWorkflowResult != nil {
					_ = c.TerminateWorkflow(ctx, a.StartWorkflowResult.WorkflowID, "", "test cleanup")
				}
			}
		}
		_ = h.Delete(ctx)
	})
}

func describe(t *testing.T, c client.Client, id string) *client.ScheduleDescription {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := c.ScheduleClient().GetHandle(ctx, id).Describe(ctx)
	require.NoError(t, err)
	return d
}

func workflowAction(t *testing.T, d *client.ScheduleDescription) *client.ScheduleWorkflowAction {
	t.Helper()
	a, ok := d.Schedule.Action.(*client.ScheduleWorkflowAction)
	require.True(t, ok, "action is %T", d.Schedule.Action)
	return a
}

func decodeArg(t *testing.T, a *client.ScheduleWorkflowAction, v any) {
	t.Helper()
	require.Len(t, a.Args, 1)
	p, ok := a.Args[0].(*commonpb.Payload)
	require.True(t, ok, "arg is %T", a.Args[0])
	require.NoError(t, converter.GetDefaultDataConverter().FromPayload(p, v))
}

// waitForRun polls the schedule until an action started a workflow, and returns its id.
func waitForRun(t *testing.T, c client.Client, id string, ok func(client.ScheduleActionResult) bool) string {
	t.Helper()
	var wf string
	require.Eventually(t, func() bool {
		for _, a := range describe(t, c, id).Info.RecentActions {
			if a.StartWorkflowResult != nil && ok(a) {
				wf = a.StartWorkflowResult.WorkflowID
				return true
			}
		}
		return false
	}, 30*time.Second, 250*time.Millisecond, "no run of schedule %s appeared", id)
	return wf
}

func TestScheduleLifecycle(t *testing.T) {
	c := devServer(t)
	id := workflows.ScheduleID("us")
	cleanupSchedule(t, c, id)
	ctx := context.Background()

	out := mustRun(t, "schedule", "create", "--region", "us")
	assert.Contains(t, out, "created schedule pvp-sync-us (active)")

	d := describe(t, c, id)
	require.NotNil(t, d.Schedule.Spec)
	require.Len(t, d.Schedule.Spec.Intervals, 1)
	assert.Equal(t, 6*time.Hour, d.Schedule.Spec.Intervals[0].Every)
	assert.Equal(t, 30*time.Minute, d.Schedule.Spec.Jitter)
	require.NotNil(t, d.Schedule.Policy)
	assert.Equal(t, enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, d.Schedule.Policy.Overlap)
	assert.Equal(t, 10*time.Minute, d.Schedule.Policy.CatchupWindow)
	assert.False(t, d.Schedule.State.Paused)
	assert.Contains(t, d.Schedule.State.Note, "sync us every 6h")
	a := workflowAction(t, d)
	assert.Equal(t, workflows.SyncRegionName, a.Workflow)
	assert.Equal(t, workflows.TaskQueueWorkflows, a.TaskQueue)
	assert.Equal(t, "pvp-sync/us/scheduled", a.ID)
	assert.Equal(t, 5*time.Hour, a.WorkflowExecutionTimeout)
	assert.Equal(t, "scheduled sync us · all boards", a.StaticSummary)
	region, ok := a.TypedSearchAttributes.GetKeyword(workflows.SearchRegion)
	assert.True(t, ok)
	assert.Equal(t, "us", region)
	_, ok = a.TypedSearchAttributes.GetInt64(workflows.SearchSeason)
	assert.False(t, ok, "no season given: no PvpSeason")
	var in workflows.SyncRegionInput
	decodeArg(t, a, &in)
	assert.Equal(t, workflows.SyncRegionInput{Region: "us"}, in)
	require.NotNil(t, d.Memo)
	assert.Contains(t, d.Memo.Fields, "region")
	assert.NotEmpty(t, d.Info.NextActionTimes)

	out = mustRun(t, "schedule", "describe", "--region", "us")
	for _, want := range []string{"pvp-sync-us", "every 6h", "jitter 30m", "overlap SKIP", "catch-up window 10m",
		"start SyncRegion on pvp-workflows", "timeout 5h", "scheduled sync us · all boards", "PvpRegion=us", "region=us", "active"} {
		assert.Contains(t, out, want)
	}

	// A trigger starts a run at once; no worker is needed for it to exist.
	mustRun(t, "schedule", "trigger", "--region", "us")
	wf := waitForRun(t, c, id, func(client.ScheduleActionResult) bool { return true })
	assert.True(t, strings.HasPrefix(wf, "pvp-sync/us/scheduled"), wf)
	desc, err := c.DescribeWorkflow(ctx, wf, "")
	require.NoError(t, err)
	assert.Equal(t, workflows.SyncRegionName, desc.RawResponse.WorkflowExecutionInfo.Type.GetName())
	assert.Equal(t, workflows.TaskQueueWorkflows, desc.RawResponse.WorkflowExecutionInfo.TaskQueue)
	assert.Contains(t, desc.RawResponse.WorkflowExecutionInfo.SearchAttributes.GetIndexedFields(), "PvpRegion")
	assert.Contains(t, mustRun(t, "schedule", "describe", "pvp-sync-us"), wf, "describe lists the run's workflow id")

	// With SKIP, a second trigger while the first run is going does not start another one.
	mustRun(t, "schedule", "trigger", "--region", "us")
	require.Eventually(t, func() bool { return describe(t, c, id).Info.NumActionsSkippedOverlap >= 1 }, 30*time.Second, 250*time.Millisecond)
	assert.Len(t, describe(t, c, id).Info.RunningWorkflows, 1)
	require.NoError(t, c.TerminateWorkflow(ctx, wf, "", "test: run seen"))

	out = mustRun(t, "schedule", "pause", "--region", "us", "--note", "blizzard maintenance")
	assert.Contains(t, out, "paused schedule pvp-sync-us")
	d = describe(t, c, id)
	assert.True(t, d.Schedule.State.Paused)
	assert.Equal(t, "blizzard maintenance", d.Schedule.State.Note)
	out = mustRun(t, "schedule", "describe", "--region", "us")
	assert.Contains(t, out, "paused")
	assert.Contains(t, out, "blizzard maintenance")

	mustRun(t, "schedule", "unpause", "--region", "us")
	assert.False(t, describe(t, c, id).Schedule.State.Paused)

	// update replaces spec and action in place; the schedule's history stays.
	out = mustRun(t, "schedule", "update", "--region", "us", "--every", "12h", "--jitter", "1h", "--brackets", "3v3,2v2", "--season", "40")
	assert.Contains(t, out, "updated schedule pvp-sync-us")
	d = describe(t, c, id)
	assert.Equal(t, 12*time.Hour, d.Schedule.Spec.Intervals[0].Every)
	assert.Equal(t, time.Hour, d.Schedule.Spec.Jitter)
	assert.Equal(t, enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, d.Schedule.Policy.Overlap)
	a = workflowAction(t, d)
	assert.Equal(t, "scheduled sync us · 3v3, 2v2 · season 40", a.StaticSummary)
	season, ok := a.TypedSearchAttributes.GetInt64(workflows.SearchSeason)
	assert.True(t, ok)
	assert.EqualValues(t, 40, season)
	in = workflows.SyncRegionInput{}
	decodeArg(t, a, &in)
	assert.Equal(t, workflows.SyncRegionInput{Region: "us", Season: 40, Brackets: []string{"3v3", "2v2"}}, in)
	assert.GreaterOrEqual(t, d.Info.NumActions, 1, "update keeps the schedule's history")

	// list reads visibility, which lags a little behind.
	require.Eventually(t, func() bool {
		out, err := runStarter(t, "schedule", "list")
		return err == nil && strings.Contains(out, "pvp-sync-us") && strings.Contains(out, "SyncRegion") && strings.Contains(out, "12h")
	}, 30*time.Second, 500*time.Millisecond, "list does not show the updated schedule")

	out = mustRun(t, "schedule", "delete", "--region", "us")
	assert.Contains(t, out, "deleted schedule pvp-sync-us")
	_, err = c.ScheduleClient().GetHandle(ctx, id).Describe(ctx)
	var nf *serviceerror.NotFound
	require.ErrorAs(t, err, &nf)
	_, err = runStarter(t, "schedule", "describe", "--region", "us")
	require.ErrorAs(t, err, &nf)
	assert.Contains(t, err.Error(), "no schedule pvp-sync-us")
	_, err = runStarter(t, "schedule", "update", "--region", "us")
	require.ErrorAs(t, err, &nf)
}

func TestScheduleCreateIfNotExists(t *testing.T) {
	c := devServer(t)
	id := workflows.ScheduleID("eu")
	cleanupSchedule(t, c, id)

	out := mustRun(t, "schedule", "create", "--region", "eu", "--if-not-exists", "--paused")
	assert.Contains(t, out, "created schedule pvp-sync-eu (paused)")
	assert.True(t, describe(t, c, id).Schedule.State.Paused)

	// The second run of a one-command setup: succeeds and changes nothing.
	out = mustRun(t, "schedule", "create", "--region", "eu", "--if-not-exists", "--every", "12h")
	assert.Contains(t, out, "already exists")
	d := describe(t, c, id)
	assert.Equal(t, 6*time.Hour, d.Schedule.Spec.Intervals[0].Every, "--if-not-exists leaves the schedule unchanged")
	assert.True(t, d.Schedule.State.Paused)

	_, err := runStarter(t, "schedule", "create", "--region", "eu")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "already exists")
	assert.Contains(t, err.Error(), "starter schedule update")
	var ue usageError
	assert.False(t, errors.As(err, &ue), "an existing schedule is not bad usage")
}

func TestRetentionSchedule(t *testing.T) {
	c := devServer(t)
	cleanupSchedule(t, c, workflows.PurgeScheduleID)

	out := mustRun(t, "schedule", "create", "--retention", "--days", "30")
	assert.Contains(t, out, "created schedule "+workflows.PurgeScheduleID)
	d := describe(t, c, workflows.PurgeScheduleID)
	assert.Equal(t, 24*time.Hour, d.Schedule.Spec.Intervals[0].Every)
	assert.Equal(t, enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, d.Schedule.Policy.Overlap)
	a := workflowAction(t, d)
	assert.Equal(t, workflows.PurgeSnapshotsName, a.Workflow)
	assert.Equal(t, workflows.TaskQueueWorkflows, a.TaskQueue)
	assert.Less(t, a.WorkflowExecutionTimeout, 24*time.Hour)
	var in workflows.PurgeSnapshotsInput
	decodeArg(t, a, &in)
	assert.Equal(t, 30, in.RetentionDays)

	out = mustRun(t, "schedule", "describe", "--retention")
	assert.Contains(t, out, "start PurgeSnapshots on pvp-workflows")
	assert.Contains(t, out, "every 24h")
	assert.Contains(t, out, "keep 30 days")
}

func TestScheduleBackfill(t *testing.T) {
	c := devServer(t)
	id := workflows.ScheduleID("kr")
	cleanupSchedule(t, c, id)
	mustRun(t, "schedule", "create", "--region", "kr", "--every", "1h", "--jitter", "0s", "--timeout", "50m", "--paused")

	// Times the schedule would have fired at, from three hours ago to two hours ago.
	end := time.Now().UTC().Add(-2 * time.Hour).Truncate(time.Hour)
	start := end.Add(-time.Hour)
	out := mustRun(t, "schedule", "backfill", "--region", "kr", "--start", start.Format(time.RFC3339), "--end", end.Format(time.RFC3339))
	assert.Contains(t, out, "backfilling schedule pvp-sync-kr")

	wf := waitForRun(t, c, id, func(a client.ScheduleActionResult) bool {
		return !a.ScheduleTime.Before(start) && !a.ScheduleTime.After(end)
	})
	assert.True(t, strings.HasPrefix(wf, "pvp-sync/kr/scheduled"), wf)
}

func TestScheduleRejectsBadInputBeforeDialing(t *testing.T) {
	// A command that got as far as dialing would fail with a connection error, not a usage error.
	t.Setenv("TEMPORAL_ADDRESS", unreachableTemporal)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no region", []string{"create"}, "--region is required"},
		{"unknown region", []string{"create", "--region", "mars"}, `unknown region "mars"`},
		{"unknown bracket", []string{"create", "--region", "us", "--brackets", "3v3,4v4"}, `unknown bracket "4v4"`},
		{"wrong locale", []string{"update", "--region", "eu", "--locale", "en_US"}, "not served in region eu"},
		{"negative season", []string{"create", "--region", "us", "--season", "-1"}, "--season"},
		{"zero interval", []string{"create", "--region", "us", "--every", "0s"}, "--every must be positive"},
		{"negative interval", []string{"update", "--region", "us", "--every", "-6h"}, "--every must be positive"},
		{"timeout not shorter than interval", []string{"create", "--region", "us", "--every", "5h"}, "--timeout (5h) must be shorter than --every (5h)"},
		{"jitter over interval", []string{"create", "--region", "us", "--jitter", "7h"}, "--jitter"},
		{"zero catch-up window", []string{"create", "--region", "us", "--catchup-window", "0s"}, "--catchup-window"},
		{"retention with region", []string{"create", "--retention", "--region", "us"}, "--region does not apply"},
		{"negative retention days", []string{"create", "--retention", "--days", "-1"}, "--days"},
		{"days without retention", []string{"create", "--region", "us", "--days", "7"}, "--days only applies with --retention"},
		{"no target", []string{"describe"}, "name one schedule"},
		{"two targets", []string{"pause", "--region", "us", "--retention"}, "name one schedule"},
		{"target of unknown region", []string{"delete", "--region", "xx"}, `unknown region "xx"`},
		{"bad overlap", []string{"trigger", "--region", "us", "--overlap", "sometimes"}, `unknown --overlap "sometimes"`},
		{"backfill without range", []string{"backfill", "--region", "us"}, "--start must be an RFC 3339 time"},
		{"backfill reversed range", []string{"backfill", "--region", "us", "--start", "2026-01-02T00:00:00Z", "--end", "2026-01-01T00:00:00Z"}, "must be before --end"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runStarter(t, append([]string{"schedule"}, tc.args...)...)
			require.Error(t, err)
			var ue usageError
			assert.True(t, errors.As(err, &ue), "want a usage error, got %v", err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}

	// The control: valid input does try the server.
	_, err := runStarter(t, "schedule", "create", "--region", "us", "--every", "2h", "--timeout", "90m")
	require.Error(t, err)
	var ue usageError
	assert.False(t, errors.As(err, &ue))
	assert.Contains(t, err.Error(), "connect to Temporal")
}

// A schedule usage error is exit code 2 from the real binary too.
func TestScheduleUsageExitCode(t *testing.T) {
	code, stderr := runBinary(t, "schedule", "create", "--region", "us", "--every", "0s")
	assert.Equal(t, 2, code, stderr)
	assert.Contains(t, stderr, "--every must be positive")
}

func TestHumanDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		6 * time.Hour: "6h", 30 * time.Minute: "30m", 90 * time.Minute: "1h30m", 10 * time.Hour: "10h",
		45 * time.Second: "45s", time.Hour + 30*time.Second: "1h0m30s",
	} {
		assert.Equal(t, want, human(d), d.String())
	}
}
