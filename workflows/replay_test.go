package workflows_test

import (
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/pvpsync/pvpsync/workflows"
)

// TestReplayRecordedHistories replays histories recorded from real runs of every workflow (see
// e2e.TestRecordHistories for how they are made) against the current code. A change that makes a
// workflow take a different path for the same events fails here with a nondeterminism error, before it
// can break a region sync in flight: such a change needs workflow.GetVersion (or a drain-and-replace
// rollout, README "Upgrading").
func TestReplayRecordedHistories(t *testing.T) {
	// histories/*.json: this release's runs; histories/*/*.json: runs recorded before a versioned change
	// (named for it), which must still replay while such runs may be open.
	files, err := filepath.Glob(filepath.Join("testdata", "histories", "*.json"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 6, "recorded histories missing: go test ./e2e -run TestRecordHistories -record-histories")
	older, err := filepath.Glob(filepath.Join("testdata", "histories", "*", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, older, "histories of an earlier release (testdata/histories/*/)")
	files = append(files, older...)
	logger := log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	for _, f := range files {
		name, _ := filepath.Rel(filepath.Join("testdata", "histories"), f)
		t.Run(name, func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(workflows.SyncRegion, workflow.RegisterOptions{Name: workflows.SyncRegionName})
			r.RegisterWorkflowWithOptions(workflows.SyncLeaderboard, workflow.RegisterOptions{Name: workflows.SyncLeaderboardName})
			r.RegisterWorkflowWithOptions(workflows.SyncCharacter, workflow.RegisterOptions{Name: workflows.SyncCharacterName})
			r.RegisterWorkflowWithOptions(workflows.PurgeSnapshots, workflow.RegisterOptions{Name: workflows.PurgeSnapshotsName})
			require.NoError(t, r.ReplayWorkflowHistoryFromJSONFile(logger, f))
		})
	}
}
