package ops

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/pvpsync/pvpsync/fakeblizzard"
	"github.com/pvpsync/pvpsync/internal/testdb"
	"github.com/pvpsync/pvpsync/internal/testtemporal"
	"github.com/pvpsync/pvpsync/service"
	"github.com/pvpsync/pvpsync/workflows"
)

// The version stamp the worker binary of TestWorkerProcessMetrics is built with.
const (
	stampVersion   = "v0.0.0-ops-test"
	stampRevision  = "0123456789abcdef0123456789abcdef01234567"
	stampBuildTime = "2026-01-02T03:04:05Z"
)

// TestWorkerProcessMetrics runs the worker binary the way a deployment does — built with
// scripts/ldflags.sh's stamp, configured only through its environment: a BLIZZARD_CREDENTIALS file of two
// clients, PVP_QUOTA_SCOPE=region — syncs a board through it and reads its /metrics: the build, the rate
// the server allows each credential and region, and each credential's requests against what the fake
// answered that client.
func TestWorkerProcessMetrics(t *testing.T) {
	const region, bracket = "us", "3v3"
	bin := buildStampedWorker(t)
	clients := []fakeblizzard.Client{{ID: "proc-client-1", Secret: "proc-secret-1"}, {ID: "proc-client-2", Secret: "proc-secret-2"}}
	fake, err := fakeblizzard.Start(fakeblizzard.Options{Brackets: []string{bracket}, Characters: 30, Seed: 26, Clients: clients})
	require.NoError(t, err)
	t.Cleanup(fake.Close)
	creds := filepath.Join(t.TempDir(), "blizzard-credentials")
	require.NoError(t, os.WriteFile(creds, []byte(fmt.Sprintf("# name client_id client_secret [regions]\nc1 %s %s us,eu\nc2 %s %s us\n",
		clients[0].ID, clients[0].Secret, clients[1].ID, clients[1].Secret)), 0o600))

	// Sustained rate min(50/s, 90,000/h) = 25/s per credential and region; the queues get Headroom of it.
	env := map[string]string{
		"DATABASE_URL":         testdb.New(t),
		"TEMPORAL_ADDRESS":     testtemporal.HostPort(t),
		"TEMPORAL_NAMESPACE":   "default",
		"BLIZZARD_CREDENTIALS": creds,
		"BLIZZARD_API_URL":     fake.URL(),
		"BLIZZARD_OAUTH_URL":   fake.TokenURL(),
		"PVP_QUOTA_SCOPE":      "region",
		"PVP_SYNC_RPS":         "50",
		"PVP_SYNC_RPH":         "90000",
		"PVP_METRICS_ADDR":     "127.0.0.1:0",
		"PVP_LOG_FORMAT":       "json",
	}
	metricsURL := startWorker(t, bin, env)

	c := testtemporal.Client(t, client.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: uniqueID(t, "ops-worker-process"), TaskQueue: workflows.TaskQueueWorkflows},
		workflows.SyncRegionName, workflows.SyncRegionInput{Region: region, Brackets: []string{bracket}})
	require.NoError(t, err)
	var res workflows.SyncRegionResult
	require.NoError(t, run.Get(ctx, &res))
	board, err := fake.Board(region, bracket)
	require.NoError(t, err)
	require.Equal(t, len(board), res.Totals.Done)
	require.Zero(t, res.Totals.Failed, "failures: %+v", res.Totals.Failures)

	m := waitFor(t, metricsURL, func(m metrics) bool {
		return m.sum("pvpsync_characters_total", nil) >= float64(len(board))
	})

	build := m.series("pvpsync_build_info", nil)
	require.Len(t, build, 1)
	assert.Equal(t, 1.0, build[0].GetGauge().GetValue())
	l := labelMap(build[0])
	assert.Equal(t, stampVersion, l["version"], "the version scripts/ldflags.sh stamped")
	assert.Equal(t, stampRevision, l["revision"])
	assert.Regexp(t, `^go1\.`, l["go_version"])

	// One series per credential and region it serves; c2 serves us only.
	rates := map[string]float64{}
	for _, s := range m.series("pvpsync_battlenet_credential_rate", nil) {
		l := labelMap(s)
		rates[l["credential"]+" "+l["scope"]] = s.GetGauge().GetValue()
	}
	want := 25 * service.Headroom
	assert.Equal(t, map[string]float64{"c1 us": want, "c1 eu": want, "c2 us": want}, rates)

	stats := fake.Stats()
	for i, name := range []string{"c1", "c2"} {
		wantReq := map[string]float64{}
		for ep, byStatus := range stats.ByClient[clients[i].ID].ByEndpoint {
			for status, n := range byStatus {
				wantReq[ep+" "+status] = float64(n)
			}
		}
		got := map[string]float64{}
		for _, s := range m.series("pvpsync_battlenet_requests_total", map[string]string{"credential": name}) {
			l := labelMap(s)
			got[l["endpoint"]+" "+l["status"]] += s.GetCounter().GetValue()
		}
		assert.Equal(t, wantReq, got, "pvpsync_battlenet_requests_total{credential=%q}", name)
		assert.Positive(t, got[fakeblizzard.EndpointEquipment+" 200"], "credential %s fetched gear", name)
	}
	assert.Equal(t, float64(len(board)), m.sum("pvpsync_characters_total", map[string]string{"bracket": bracket}))
	assert.GreaterOrEqual(t, m.maxFiniteBucket("temporal_workflow_endtoend_latency_seconds"), 3*time.Hour.Seconds())
	assert.Len(t, m.series("pvpsync_board_oldest_gear_seconds", map[string]string{"region": region, "bracket": bracket}), 1)
}

// buildStampedWorker builds ./worker with the linker flags scripts/ldflags.sh prints for the stamp above.
func buildStampedWorker(t *testing.T) string {
	t.Helper()
	root := moduleRoot(t)
	stampEnv := append(os.Environ(), "PVP_VERSION="+stampVersion, "PVP_REVISION="+stampRevision, "PVP_BUILD_TIME="+stampBuildTime)
	flags := exec.Command("sh", "scripts/ldflags.sh")
	flags.Dir, flags.Env = root, stampEnv
	ldflags, err := flags.Output()
	require.NoError(t, err, "scripts/ldflags.sh")
	bin := filepath.Join(t.TempDir(), "worker")
	build := exec.Command("go", "build", "-ldflags", strings.TrimSpace(string(ldflags)), "-o", bin, "./worker") // #nosec G204 -- flags from the repository's own script
	build.Dir = root
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build ./worker: %s", out)
	return bin
}

// startWorker runs the worker binary with exactly env (plus PATH and HOME), waits for its start line and
// returns its /metrics URL. On cleanup it is stopped with SIGTERM, as docker stop does.
func startWorker(t *testing.T, bin string, env map[string]string) string {
	t.Helper()
	cmd := exec.Command(bin) // #nosec G204 -- the binary this test built
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TEMPORAL_CONFIG_FILE=" + filepath.Join(t.TempDir(), "none.toml")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	started := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			var entry struct {
				Msg     string `json:"msg"`
				Metrics string `json:"metrics"`
			}
			if json.Unmarshal([]byte(line), &entry) == nil && entry.Msg == "pvpsync worker started" {
				started <- entry.Metrics
			}
			if strings.Contains(line, `"level":"error"`) || strings.HasPrefix(line, "worker:") {
				t.Logf("worker: %s", line)
			}
		}
		exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			assert.NoError(t, err, "the worker exits cleanly on SIGTERM")
		case <-time.After(service.StopTimeout + 10*time.Second):
			_ = cmd.Process.Kill()
			<-exited // the log reader is done with t
			t.Error("the worker did not stop within its stop timeout after SIGTERM")
		}
	})
	select {
	case url := <-started:
		require.True(t, strings.HasPrefix(url, "http://127.0.0.1:"), url)
		return url
	case err := <-exited:
		t.Fatalf("the worker exited before it started: %v", err)
	case <-time.After(time.Minute):
		t.Fatal("the worker did not log its start within a minute")
	}
	return ""
}
