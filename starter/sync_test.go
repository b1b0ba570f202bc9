package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/pvpsync/pvpsync/internal/testtemporal"
	"github.com/pvpsync/pvpsync/workflows"
)

// canned is what the fake sync workflows return at once.
type canned struct {
	result any // a SyncRegionResult, a SyncLeaderboardResult, or any JSON object standing for one
	err    error
}

// fakeSyncWorker serves SyncRegion and SyncLeaderboard on the workflows task queue with a canned
// outcome, so the starter's summary and exit codes are tested without Battle.net or PostgreSQL. The
// worker stops when the test ends: other tests rely on nothing running their workflows.
func fakeSyncWorker(t *testing.T, out canned) {
	t.Helper()
	// A client of its own, logging only warnings: every test starting a worker would fill the output.
	c := testtemporal.Client(t, client.Options{Logger: tlog.NewStructuredLogger(
		slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))})
	w := worker.New(c, workflows.TaskQueueWorkflows, worker.Options{})
	fake := func(workflow.Context, json.RawMessage) (any, error) { return out.result, out.err }
	w.RegisterWorkflowWithOptions(fake, workflow.RegisterOptions{Name: workflows.SyncRegionName})
	w.RegisterWorkflowWithOptions(fake, workflow.RegisterOptions{Name: workflows.SyncLeaderboardName})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
}

// terminateLater ends a workflow the test started and left running.
func terminateLater(t *testing.T, c client.Client, id string) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = c.TerminateWorkflow(ctx, id, "", "test cleanup")
	})
}

var (
	completedBoard = workflows.BracketSummary{Bracket: "3v3", Status: workflows.BracketCompleted,
		Progress: workflows.Progress{Total: 4, Done: 4, Synced: 4, Requests: 8}}
	failedBoard = workflows.BracketSummary{Bracket: "rbg", Status: workflows.BracketFailed,
		Error: "leaderboard rbg: 503 Service Unavailable"}
	characterFailure = workflows.Failure{BlizzardID: 4242, Bracket: "2v2", Reason: "profile: 500 after 5 attempts"}
)

func TestSyncWaitExitCodeAndSummary(t *testing.T) {
	address := testtemporal.HostPort(t)
	cases := []struct {
		name      string
		args      []string
		outcome   canned
		code      int
		stdout    []string
		stderr    []string
		notStderr string
	}{
		{
			name: "every board completed",
			args: []string{"--region", "us", "--season", "9201"},
			outcome: canned{result: workflows.SyncRegionResult{Region: "us", Season: 9201,
				Brackets: []workflows.BracketSummary{completedBoard}, Totals: completedBoard.Progress}},
			code:      0,
			stdout:    []string{"us · season 9201", "3v3", "total: 4/4 characters"},
			notStderr: "failed",
		},
		{
			name: "a board failed",
			args: []string{"--region", "us", "--season", "9202"},
			outcome: canned{result: workflows.SyncRegionResult{Region: "us", Season: 9202,
				Brackets: []workflows.BracketSummary{completedBoard, failedBoard}, Totals: completedBoard.Progress, Failed: 1}},
			code:   1,
			stdout: []string{"rbg", "leaderboard rbg: 503 Service Unavailable"},
			stderr: []string{"finished with failures: 1 board failed (rbg)"},
		},
		{
			name: "characters failed on a board",
			args: []string{"--region", "eu", "--season", "9203", "--brackets", "2v2"},
			outcome: canned{result: workflows.SyncLeaderboardResult{Region: "eu", Bracket: "2v2", Season: 9203,
				Progress: workflows.Progress{Total: 2, Done: 2, Synced: 1, Failed: 1, Failures: []workflows.Failure{characterFailure}}}},
			code:   1,
			stdout: []string{"2v2 · eu · season 9203", "failed: character 4242 (2v2): profile: 500 after 5 attempts"},
			stderr: []string{"finished with failures: 1 character failed"},
		},
		{
			name: "every board failed: the workflow fails with its result as details",
			args: []string{"--region", "kr", "--season", "9204"},
			outcome: canned{err: temporal.NewNonRetryableApplicationError("every board of region kr failed", "AllBracketsFailed", nil,
				workflows.SyncRegionResult{Region: "kr", Season: 9204, Brackets: []workflows.BracketSummary{failedBoard}, Failed: 1})},
			code:   1,
			stdout: []string{"kr · season 9204", "leaderboard rbg: 503 Service Unavailable"},
			stderr: []string{"failed", "every board of region kr failed"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fakeSyncWorker(t, tc.outcome)
			code, stdout, stderr := runBinaryAt(t, address, append([]string{"sync", "--wait"}, tc.args...)...)
			assert.Equal(t, tc.code, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			for _, want := range tc.stdout {
				assert.Contains(t, stdout, want)
			}
			for _, want := range tc.stderr {
				assert.Contains(t, stderr, want)
			}
			if tc.notStderr != "" {
				assert.NotContains(t, stderr, tc.notStderr)
			}
			assert.NotContains(t, stdout, "\r", "not a terminal: no redrawn bar")
		})
	}
}

func TestSyncWaitJSON(t *testing.T) {
	// A map stands for a result with a field this starter does not know yet: it must come through.
	fakeSyncWorker(t, canned{result: map[string]any{
		"region": "tw", "season": 9301, "brackets": []workflows.BracketSummary{completedBoard, failedBoard},
		"totals": map[string]any{"total": 4, "done": 4, "failed": 1, "idle": 3}, "failed_brackets": 1, "newly_added": "kept",
	}})
	code, stdout, stderr := runBinaryAt(t, testtemporal.HostPort(t), "sync", "--region", "tw", "--season", "9301", "--wait", "-o", "json")
	assert.Equal(t, 1, code, "stderr: %s", stderr)

	dec := json.NewDecoder(strings.NewReader(stdout))
	var doc map[string]any
	require.NoError(t, dec.Decode(&doc), "stdout: %s", stdout)
	_, err := dec.Token()
	assert.ErrorIs(t, err, io.EOF, "stdout holds one JSON document and nothing else: %s", stdout)

	assert.Equal(t, workflows.SyncRegionName, doc["kind"])
	assert.True(t, strings.HasPrefix(doc["workflow_id"].(string), "pvp-sync/tw/9301/"), doc["workflow_id"])
	assert.EqualValues(t, 1, doc["exit_code"])
	assert.IsType(t, float64(0), doc["elapsed_seconds"])
	assert.EqualValues(t, 9301, doc["season"])
	assert.Equal(t, "kept", doc["newly_added"])
	assert.EqualValues(t, 3, doc["totals"].(map[string]any)["idle"])
	require.Len(t, doc["brackets"], 2)
	assert.Equal(t, failedBoard.Error, doc["brackets"].([]any)[1].(map[string]any)["error"])
	assert.Contains(t, stderr, "started SyncRegion", "what is not the document goes to stderr")
}

// Without --wait, -o json prints the started run as one document.
func TestSyncJSONWithoutWait(t *testing.T) {
	c := devServer(t)
	code, stdout, stderr := runBinaryAt(t, testtemporal.HostPort(t), "sync", "--region", "us", "--season", "9302", "-o", "json")
	require.Equal(t, 0, code, "stderr: %s", stderr)
	var doc map[string]string
	require.NoError(t, json.Unmarshal([]byte(stdout), &doc), stdout)
	terminateLater(t, c, doc["workflow_id"])
	assert.Equal(t, workflows.SyncRegionName, doc["kind"])
	assert.True(t, strings.HasPrefix(doc["workflow_id"], "pvp-sync/us/9302/"), doc["workflow_id"])
	assert.NotEmpty(t, doc["run_id"])
	assert.Contains(t, doc["temporal_ui"], "/workflows/")
}

// Ctrl-C while waiting stops the watching, not the workflow: exit code 130, and the id to find it again.
// No worker serves the workflow, so it is still running when the signal comes.
func TestSyncWaitInterruptedExits130(t *testing.T) {
	c := devServer(t)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"table", []string{"--season", "9401"}},
		{"json", []string{"--season", "9402", "-o", "json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, starterBinary(t), append([]string{"sync", "--region", "eu", "--wait"}, tc.args...)...)
			cmd.Env = append(os.Environ(), "TEMPORAL_ADDRESS="+testtemporal.HostPort(t), "TEMPORAL_NAMESPACE=default")
			var stdout, stderr bytes.Buffer
			cmd.Stdout = &stdout
			started, err := cmd.StderrPipe()
			require.NoError(t, err)
			if tc.name == "table" { // the started lines go where the summary goes
				cmd.Stdout = nil
				started, err = cmd.StdoutPipe()
				require.NoError(t, err)
				cmd.Stderr = &stderr
			}
			require.NoError(t, cmd.Start())

			id, rest := readWorkflowID(t, started)
			terminateLater(t, c, id)
			require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
			tail, _ := io.ReadAll(rest)
			err = cmd.Wait()
			var exitErr *exec.ExitError
			require.True(t, errors.As(err, &exitErr), "want an exit code, got %v", err)
			assert.Equal(t, 130, exitErr.ExitCode())

			msg := "stopped watching; the workflow keeps running: " + id
			if tc.name == "json" {
				assert.Contains(t, string(tail), msg)
				var doc map[string]any
				require.NoError(t, json.Unmarshal(stdout.Bytes(), &doc), stdout.String())
				assert.EqualValues(t, 130, doc["exit_code"])
				assert.Equal(t, id, doc["workflow_id"])
			} else {
				assert.Contains(t, stderr.String(), msg)
			}
			d, err := c.DescribeWorkflow(ctx, id, "")
			require.NoError(t, err)
			assert.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, d.Status, "the workflow keeps running")
		})
	}
}

// readWorkflowID reads the started lines up to the workflow id; the reader returned has the rest.
func readWorkflowID(t *testing.T, r io.Reader) (string, io.Reader) {
	t.Helper()
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		require.NoError(t, err, "no workflow id in the starter's output")
		if id, ok := strings.CutPrefix(strings.TrimSpace(line), "workflow id:"); ok {
			return strings.TrimSpace(id), br
		}
	}
}
