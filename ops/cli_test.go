package ops

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/pvpsync/pvpsync/fakeblizzard"
	"github.com/pvpsync/pvpsync/internal/teststack"
	"github.com/pvpsync/pvpsync/internal/testtemporal"
	"github.com/pvpsync/pvpsync/retry"
	"github.com/pvpsync/pvpsync/workflows"
)

// temporal runs the Temporal CLI against the test server and returns its stdout; stderr is in the error.
func temporalCmd(t testing.TB, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	args = append(args, "--address", testtemporal.HostPort(t), "--namespace", "default")
	cmd := exec.CommandContext(ctx, temporalCLI(t), args...)
	// A developer's TEMPORAL_* variables or CLI profile must not point the test elsewhere.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TEMPORAL_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "TEMPORAL_CONFIG_FILE="+t.TempDir()+"/none.toml")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	t.Logf("temporal %s\n%s%s", strings.Join(args[:len(args)-4], " "), stdout.String(), stderr.String())
	if err != nil {
		return stdout.String(), fmt.Errorf("temporal %s: %w: %s%s", args[0]+" "+args[1], err, stderr.String(), stdout.String())
	}
	return stdout.String(), nil
}

func mustTemporal(t testing.TB, args ...string) string {
	t.Helper()
	out, err := temporalCmd(t, args...)
	require.NoError(t, err)
	return out
}

// boardSize is the number of entries the fake serves on a board.
func boardSize(t testing.TB, s *teststack.Stack, region, bracket string) int {
	t.Helper()
	entries, err := s.Fake.Board(region, bracket)
	require.NoError(t, err)
	return len(entries)
}

func uniqueID(t testing.TB, prefix string) string {
	return fmt.Sprintf("%s/%s/%d", prefix, t.Name(), time.Now().UnixNano())
}

// TestCLIStartSyncRegion starts a region sync the way an operator would, by type name and JSON input,
// queries its progress, waits for the result and reads the leaderboard child's progress.
func TestCLIStartSyncRegion(t *testing.T) {
	s := teststack.New(t, teststack.Options{Fake: fakeblizzard.Options{Brackets: []string{"3v3"}, Characters: 60, Seed: 21}})
	n := boardSize(t, s, "us", "3v3")
	id := uniqueID(t, "ops-cli-region")

	mustTemporal(t, "workflow", "start", "--task-queue", workflows.TaskQueueWorkflows, "--type", workflows.SyncRegionName,
		"--workflow-id", id, "--input", `{"region":"us","brackets":["3v3"]}`)

	// The progress query answers while the region runs (and after).
	var during workflows.SyncRegionResult
	queryJSON(t, id, &during)
	assert.Equal(t, "us", during.Region)
	assert.False(t, during.SnapshotAt.IsZero())

	out := mustTemporal(t, "workflow", "result", "--workflow-id", id, "-o", "json")
	var res struct {
		Status string                     `json:"status"`
		Result workflows.SyncRegionResult `json:"result"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	assert.Contains(t, res.Status, "COMPLETED")
	require.Len(t, res.Result.Brackets, 1)
	b := res.Result.Brackets[0]
	assert.Equal(t, workflows.BracketCompleted, b.Status, b.Error)
	assert.Equal(t, n, res.Result.Totals.Done)
	require.Equal(t, workflows.LeaderboardWorkflowID("us", "3v3", res.Result.SnapshotAt), b.WorkflowID)

	// The leaderboard child answers the query after it completed, with the counters an operator reads.
	raw := queryRaw(t, b.WorkflowID)
	for _, key := range []string{"done", "total", "synced", "requests"} {
		assert.Contains(t, raw, key, "progress JSON has %q", key)
	}
	var p workflows.Progress
	require.NoError(t, json.Unmarshal(raw["_"], &p))
	assert.Equal(t, n, p.Total)
	assert.Equal(t, n, p.Done)
	assert.Equal(t, p.Synced+p.Unavailable, n)
	assert.Positive(t, p.Synced)
	assert.GreaterOrEqual(t, p.Requests, 2*n, "equipment and specializations per character at least")

	var desc struct {
		Info struct {
			Status string `json:"status"`
			Type   struct {
				Name string `json:"name"`
			} `json:"type"`
			ParentExecution struct {
				WorkflowID string `json:"workflowId"`
			} `json:"parentExecution"`
		} `json:"workflowExecutionInfo"`
	}
	rawDesc := describe(t, b.WorkflowID)
	require.NoError(t, json.Unmarshal([]byte(rawDesc), &desc), rawDesc)
	assert.Equal(t, "WORKFLOW_EXECUTION_STATUS_COMPLETED", desc.Info.Status)
	assert.Equal(t, workflows.SyncLeaderboardName, desc.Info.Type.Name)
	assert.Equal(t, id, desc.Info.ParentExecution.WorkflowID)
}

// TestCLIStartSyncLeaderboard starts one board on its own: the workflow discovers the season and stores
// the board itself.
func TestCLIStartSyncLeaderboard(t *testing.T) {
	s := teststack.New(t, teststack.Options{Fake: fakeblizzard.Options{Brackets: []string{"3v3"}, Characters: 40, Seed: 22}})
	n := boardSize(t, s, "us", "3v3")
	id := uniqueID(t, "ops-cli-leaderboard")
	mustTemporal(t, "workflow", "start", "--task-queue", workflows.TaskQueueWorkflows, "--type", workflows.SyncLeaderboardName,
		"--workflow-id", id, "--input", `{"region":"us","bracket":"3v3"}`)
	out := mustTemporal(t, "workflow", "result", "--workflow-id", id, "-o", "json")
	var res struct {
		Status string                          `json:"status"`
		Result workflows.SyncLeaderboardResult `json:"result"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	assert.Contains(t, res.Status, "COMPLETED")
	assert.Equal(t, int64(fakeblizzard.DefaultSeason), res.Result.Season, "season discovered")
	assert.Positive(t, res.Result.LeaderboardID)
	assert.Equal(t, n, res.Result.Progress.Total)
	assert.Equal(t, n, res.Result.Progress.Done)
	assert.Zero(t, res.Result.Progress.Failed)
	assert.Equal(t, n, s.Count(t, `SELECT count(*) FROM pvp_leaderboard_entries`))

	var p workflows.Progress
	queryJSON(t, id, &p)
	assert.Equal(t, res.Result.Progress.Done, p.Done)
}

// TestCLIInvalidInput: a bad input fails the workflow at once with a non-retryable error naming the
// problem, visible in the CLI and to a Go client.
func TestCLIInvalidInput(t *testing.T) {
	s := teststack.New(t, teststack.Options{Fake: fakeblizzard.Options{Brackets: []string{"3v3"}, Characters: 10, Seed: 23}})
	for _, tc := range []struct{ typ, input, want string }{
		{workflows.SyncRegionName, `{"region":"xx"}`, "unknown region"},
		{workflows.SyncLeaderboardName, `{"region":"us","bracket":""}`, "bracket is empty"},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			id := uniqueID(t, "ops-cli-invalid")
			began := time.Now()
			mustTemporal(t, "workflow", "start", "--task-queue", workflows.TaskQueueWorkflows, "--type", tc.typ,
				"--workflow-id", id, "--input", tc.input)
			out, err := temporalCmd(t, "workflow", "result", "--workflow-id", id)
			require.Error(t, err, "a failed workflow makes `temporal workflow result` exit non-zero")
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, out+err.Error(), "FAILED")

			var desc struct {
				CloseEvent struct {
					EventType string `json:"eventType"`
					Attrs     struct {
						Failure struct {
							Message string `json:"message"`
							App     struct {
								Type         string `json:"type"`
								NonRetryable bool   `json:"nonRetryable"`
							} `json:"applicationFailureInfo"`
						} `json:"failure"`
					} `json:"workflowExecutionFailedEventAttributes"`
				} `json:"closeEvent"`
				Info struct {
					Status string `json:"status"`
				} `json:"workflowExecutionInfo"`
			}
			raw := describe(t, id)
			require.NoError(t, json.Unmarshal([]byte(raw), &desc), raw)
			assert.Equal(t, "WORKFLOW_EXECUTION_STATUS_FAILED", desc.Info.Status)
			assert.Equal(t, "EVENT_TYPE_WORKFLOW_EXECUTION_FAILED", desc.CloseEvent.EventType)
			f := desc.CloseEvent.Attrs.Failure
			assert.Contains(t, f.Message, tc.want)
			assert.Equal(t, retry.ErrTypeInvalidInput, f.App.Type)
			assert.True(t, f.App.NonRetryable)

			err = s.Temporal.GetWorkflow(context.Background(), id, "").Get(context.Background(), nil)
			var appErr *temporal.ApplicationError
			require.True(t, errors.As(err, &appErr), "application error, got %v", err)
			assert.Equal(t, retry.ErrTypeInvalidInput, appErr.Type())
			assert.True(t, appErr.NonRetryable())
			assert.Contains(t, appErr.Message(), tc.want)
			assert.Less(t, time.Since(began), 30*time.Second, "fails at once, no retries")
		})
	}
}

// queryRaw runs the progress query and returns the answer's top-level keys (the whole answer under "_").
func queryRaw(t testing.TB, id string) map[string]json.RawMessage {
	t.Helper()
	out := mustTemporal(t, "workflow", "query", "--workflow-id", id, "--name", workflows.ProgressQuery, "-o", "json")
	var env struct {
		QueryResult []json.RawMessage `json:"queryResult"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &env), out)
	require.Len(t, env.QueryResult, 1, out)
	keys := map[string]json.RawMessage{}
	require.NoError(t, json.Unmarshal(env.QueryResult[0], &keys), out)
	keys["_"] = env.QueryResult[0]
	return keys
}

func queryJSON(t testing.TB, id string, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(queryRaw(t, id)["_"], v))
}

func describe(t testing.TB, id string) string {
	t.Helper()
	return mustTemporal(t, "workflow", "describe", "--workflow-id", id, "-o", "json")
}
