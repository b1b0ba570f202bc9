package e2e

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/pvpsync/pvpsync/fakeblizzard"
	"github.com/pvpsync/pvpsync/internal/testbin"
	"github.com/pvpsync/pvpsync/internal/teststack"
	"github.com/pvpsync/pvpsync/workflows"
)

var recordHistories = flag.Bool("record-histories", false,
	"write the histories of a small real sync to workflows/testdata/histories (the replay test's data)")

// TestRecordHistories runs a small but complete sync — several roster pages (continue-as-new), shared
// characters, private ones, a second cycle with idle and active players and some malformed payloads,
// a retention run — and keeps one history per workflow type and character outcome. The replay test in
// package workflows replays them against the current code: a change that would break runs in flight
// fails there. Refresh with
//
//	go test ./e2e -run TestRecordHistories -record-histories
//
// after a deliberate, versioned (workflow.GetVersion) change, and commit the files.
func TestRecordHistories(t *testing.T) {
	dir := t.TempDir() // written here first: a failed recording leaves the committed files alone
	const region = "us"
	s := teststack.New(t, teststack.Options{Fake: fakeblizzard.Options{
		Seed: 5, Characters: 30, SpecCharacters: 12, Brackets: []string{"3v3", "shuffle-mage-frost"}, PrivateFraction: 0.1, Active: 0.5,
	}})
	began := time.Now().Add(-time.Second)
	_, err := s.SyncRegion(t, workflows.SyncRegionInput{Region: region, PageSize: 10, Window: 4}, 5*time.Minute)
	require.NoError(t, err)
	s.Fake.Advance()
	s.Fake.SetFaults(fakeblizzard.Faults{MalformedRate: 0.15})
	nextSnapshot()
	_, err = s.SyncRegion(t, workflows.SyncRegionInput{Region: region, PageSize: 10, Window: 4}, 5*time.Minute)
	require.NoError(t, err)
	run, err := s.Temporal.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
		ID: "pvp-retention/" + t.Name(), TaskQueue: workflows.TaskQueueWorkflows,
	}, workflows.PurgeSnapshotsName, workflows.PurgeSnapshotsInput{RetentionDays: 1})
	require.NoError(t, err)
	require.NoError(t, run.Get(context.Background(), nil))

	// Visibility lags the workflows a little (a run just completed may still be listed as running, or not
	// at all): list until every wanted history is kept, or the deadline passes.
	want := []string{"SyncRegion", "SyncLeaderboard-first", "SyncLeaderboard-continued", "SyncCharacter-synced",
		"SyncCharacter-unavailable", "PurgeSnapshots"}
	kept, seen := map[string]bool{}, map[string]bool{}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(500 * time.Millisecond) {
		listClosedSince(t, s, began, func(e *workflowpb.WorkflowExecutionInfo) {
			if seen[e.GetExecution().GetRunId()] {
				return
			}
			seen[e.GetExecution().GetRunId()] = true
			name := historyName(t, s, e.GetType().GetName(), e.GetExecution())
			if name == "" || kept[name] {
				return
			}
			kept[name] = true
			writeHistory(t, s, e.GetExecution(), filepath.Join(dir, name+".json"))
		})
		if !slices.ContainsFunc(want, func(w string) bool { return !kept[w] }) || time.Now().After(deadline) {
			break
		}
	}
	for _, w := range want {
		require.True(t, kept[w], "no %s history recorded (have %v)", w, kept)
	}
	if *recordHistories {
		installHistories(t, dir)
	}
	t.Logf("recorded %d histories", len(kept))
}

// listClosedSince calls each for every execution started from began on that visibility lists as closed.
func listClosedSince(t *testing.T, s *teststack.Stack, began time.Time, each func(*workflowpb.WorkflowExecutionInfo)) {
	t.Helper()
	var token []byte
	for {
		resp, err := s.Temporal.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{
			Query: fmt.Sprintf("StartTime >= '%s' AND ExecutionStatus != 'Running'", began.UTC().Format(time.RFC3339)), NextPageToken: token,
		})
		require.NoError(t, err)
		for _, e := range resp.Executions {
			each(e)
		}
		if token = resp.NextPageToken; len(token) == 0 {
			return
		}
	}
}

// installHistories replaces this release's histories (workflows/testdata/histories/*.json) with the
// recorded ones. Those of older releases (subdirectories) stay: runs they started may still be open,
// so they keep being replayed until their GetVersion branches are removed.
func installHistories(t *testing.T, recorded string) {
	root, err := testbin.ModuleRoot()
	require.NoError(t, err)
	dst := filepath.Join(root, "workflows", "testdata", "histories")
	require.NoError(t, os.MkdirAll(dst, 0o750))
	old, err := filepath.Glob(filepath.Join(dst, "*.json"))
	require.NoError(t, err)
	for _, f := range old {
		require.NoError(t, os.Remove(f))
	}
	files, err := filepath.Glob(filepath.Join(recorded, "*.json"))
	require.NoError(t, err)
	for _, f := range files {
		b, err := os.ReadFile(f) // #nosec G304 -- a file this test just wrote
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dst, filepath.Base(f)), b, 0o600))
	}
}

// historyName labels an execution by what its history exercises: workflow type, and for boards whether
// it is a first or continued run, for characters the outcome.
func historyName(t *testing.T, s *teststack.Stack, typ string, ex *commonpb.WorkflowExecution) string {
	switch typ {
	case workflows.SyncRegionName, workflows.PurgeSnapshotsName:
		return typ
	case workflows.SyncLeaderboardName:
		var in workflows.SyncLeaderboardInput
		if err := firstInput(s, ex, &in); err != nil {
			t.Fatalf("input of %s: %v", ex.GetWorkflowId(), err)
		}
		if in.Cursor == nil {
			return typ + "-first"
		}
		return typ + "-continued"
	case workflows.SyncCharacterName:
		var res workflows.SyncCharacterResult
		if err := s.Temporal.GetWorkflow(context.Background(), ex.GetWorkflowId(), ex.GetRunId()).Get(context.Background(), &res); err != nil {
			return ""
		}
		return typ + "-" + strings.ReplaceAll(res.Outcome, "_", "-")
	}
	return ""
}

func firstInput(s *teststack.Stack, ex *commonpb.WorkflowExecution, out any) error {
	it := s.Temporal.GetWorkflowHistory(context.Background(), ex.GetWorkflowId(), ex.GetRunId(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	ev, err := it.Next()
	if err != nil {
		return err
	}
	payloads := ev.GetWorkflowExecutionStartedEventAttributes().GetInput().GetPayloads()
	if len(payloads) == 0 {
		return fmt.Errorf("no input")
	}
	return converter.GetDefaultDataConverter().FromPayload(payloads[0], out)
}

func writeHistory(t *testing.T, s *teststack.Stack, ex *commonpb.WorkflowExecution, path string) {
	t.Helper()
	it := s.Temporal.GetWorkflowHistory(context.Background(), ex.GetWorkflowId(), ex.GetRunId(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		h.Events = append(h.Events, ev)
	}
	b, err := protojson.MarshalOptions{Indent: " "}.Marshal(h)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o600))
}
