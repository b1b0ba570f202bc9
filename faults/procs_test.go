package faults

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"github.com/pvpsync/pvpsync/fakeblizzard"
	"github.com/pvpsync/pvpsync/internal/testbin"
	"github.com/pvpsync/pvpsync/internal/testtemporal"
	"github.com/pvpsync/pvpsync/workflows"
)

// workerBin is the worker binary built once for the whole test binary.
var (
	workerBin  string
	moduleRoot string
)

func TestMain(m *testing.M) {
	code := func() int {
		root, err := testbin.ModuleRoot()
		if err != nil {
			fmt.Fprintln(os.Stderr, "faults:", err)
			return 1
		}
		moduleRoot = root
		dir, err := os.MkdirTemp("", "pvpsync-faults-bin-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "faults:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		workerBin = filepath.Join(dir, "worker")
		build := exec.Command("go", "build", "-o", workerBin, "./worker")
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "faults: go build ./worker: %v\n%s", err, out)
			return 1
		}
		defer testbin.Cleanup() // bin/fakeblizzard, built by the tests that run it as a process
		defer testtemporal.Stop()
		return m.Run()
	}()
	os.Exit(code)
}

// fakeEndpoint is the Battle.net the workers talk to: the in-process fake (fakeAPI) or a fakeblizzard
// process (fakeProcess).
type fakeEndpoint interface {
	// Env is the BLIZZARD_* lines that point a worker at it.
	Env() []string
	ClientID() string
	ClientSecret() string
	Stats() fakeblizzard.Stats
}

// fakeAPI serves a fakeblizzard.Server behind a handler that records every bearer token presented, so
// the security check looks for the tokens the workers really used.
type fakeAPI struct {
	*fakeblizzard.Server
	url string
	hs  *http.Server

	mu     sync.Mutex
	tokens map[string]bool

	log atomic.Pointer[requestLog] // set by logRequests: every request is then timed (budget tests)
}

func startFake(t *testing.T, opts fakeblizzard.Options) *fakeAPI {
	t.Helper()
	srv, err := fakeblizzard.New(opts)
	require.NoError(t, err, "fake Battle.net")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	f := &fakeAPI{Server: srv, url: "http://" + ln.Addr().String(), tokens: map[string]bool{}}
	f.hs = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") && tok != "" {
				f.mu.Lock()
				f.tokens[tok] = true
				f.mu.Unlock()
			}
			if l := f.log.Load(); l != nil {
				l.serve(w, r, srv)
				return
			}
			srv.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0), // dropped connections are the point
	}
	go func() { _ = f.hs.Serve(ln) }()
	// Close drops open connections, so slow answers in flight do not hold the cleanup.
	t.Cleanup(func() { _ = f.hs.Close(); srv.Close() })
	return f
}

// URL and TokenURL shadow the embedded server's (which is not listening itself).
func (f *fakeAPI) URL() string      { return f.url }
func (f *fakeAPI) TokenURL() string { return f.url + "/token" }

// Env points a worker at the in-process fake.
func (f *fakeAPI) Env() []string {
	return []string{"BLIZZARD_API_URL=" + f.URL(), "BLIZZARD_OAUTH_URL=" + f.TokenURL(),
		"BLIZZARD_CLIENT_ID=" + f.ClientID(), "BLIZZARD_CLIENT_SECRET=" + f.ClientSecret()}
}

// Tokens lists the bearer tokens clients presented so far.
func (f *fakeAPI) Tokens() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, 0, len(f.tokens))
	for tok := range f.tokens {
		out = append(out, tok)
	}
	return out
}

// gearRequests is the number of equipment plus specializations requests answered (any status, drops
// included).
func gearRequests(st fakeblizzard.Stats) int {
	return int(st.Endpoint(fakeblizzard.EndpointEquipment) + st.Endpoint(fakeblizzard.EndpointSpecializations))
}

// env is one test's pvpsync: the fake Battle.net (and its world, the ground truth), a database, the
// Temporal client and the worker processes.
type env struct {
	t        *testing.T
	api      fakeEndpoint
	fake     *fakeAPI // the in-process fake, whose knobs a test flips; nil when the fake is a process
	world    *fakeblizzard.Server
	region   string
	brackets []string
	dsn      string
	db       *pgxpool.Pool
	hostPort string
	tc       client.Client
	dir      string
	secret   string

	workers []*workerProc
}

// newEnv starts the in-process fake (with a per-test client secret), connects to dsn and to the dev
// server. Workers are started separately. The fake's ground truth (Truth, BoardTruth) comes from its
// world model and ignores the faults, so the faulted fake is its own truth.
func newEnv(t *testing.T, opts fakeblizzard.Options, dsn string) *env {
	t.Helper()
	opts.ClientID, opts.ClientSecret = "faults-client", newSecret()
	f := startFake(t, opts)
	e := connectEnv(t, opts, dsn, f, f.Server)
	e.fake = f
	return e
}

// newSecret is a client secret of one test, to look for in logs and histories.
func newSecret() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "faults-secret-" + hex.EncodeToString(b[:])
}

func connectEnv(t *testing.T, opts fakeblizzard.Options, dsn string, api fakeEndpoint, world *fakeblizzard.Server) *env {
	t.Helper()
	e := &env{t: t, api: api, world: world, region: "us", brackets: opts.Brackets, dsn: dsn, dir: t.TempDir(), secret: opts.ClientSecret}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var err error
	e.db, err = pgxpool.New(ctx, dsn)
	require.NoError(t, err)
	t.Cleanup(e.db.Close)

	e.hostPort = testtemporal.HostPort(t)
	e.tc = testtemporal.Client(t, client.Options{Logger: quietLogger()})
	return e
}

func quietLogger() tlog.Logger {
	return tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// changeGear changes the gear and talents of n public characters of the test's boards.
func (e *env) changeGear(n int) []int64 {
	e.t.Helper()
	require.NotNil(e.t, e.fake, "changing gear needs the in-process fake")
	ids, err := e.fake.ChangeGearIn(e.region, e.brackets, n)
	require.NoError(e.t, err)
	return ids
}

// workerProc is one worker child process; its stdout and stderr go to one log file that is kept.
type workerProc struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
	exitErr error
}

// The Battle.net budget every worker gets: far above what the fake can serve, so the tests are about
// faults, not pacing.
const (
	workerRPS = 100000
	workerRPH = 1000000000
)

// workerEnv is the environment every worker gets (the brief's settings); extra KEY=VALUE pairs override.
func (e *env) workerEnv(extra ...string) []string {
	base := append([]string{
		"DATABASE_URL=" + e.dsn,
		"TEMPORAL_ADDRESS=" + e.hostPort,
		"TEMPORAL_NAMESPACE=default",
	}, e.api.Env()...)
	base = append(base,
		"PVP_SYNC_RPS="+strconv.Itoa(workerRPS),
		"PVP_SYNC_RPH="+strconv.Itoa(workerRPH),
		"PVP_SYNC_THREADS="+strconv.Itoa(syncThreads),
		"PVP_PROCESSING_THREADS=8",
		"PVP_METRICS_ADDR=127.0.0.1:0",
		"PVP_LOG_FORMAT=json",
	)
	out := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	override := map[string]string{}
	for _, kv := range extra {
		k, _, _ := strings.Cut(kv, "=")
		override[k] = kv
	}
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if o, ok := override[k]; ok {
			kv = o
			delete(override, k)
		}
		out = append(out, kv)
	}
	for _, kv := range extra {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := override[k]; ok {
			out = append(out, kv)
		}
	}
	return out
}

// startWorker runs the worker binary and waits until it logs that its workers started.
func (e *env) startWorker(name string, extra ...string) *workerProc {
	e.t.Helper()
	p := &workerProc{name: name, logPath: filepath.Join(e.dir, name+".log"), done: make(chan struct{})}
	logFile, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	require.NoError(e.t, err)
	p.cmd = exec.Command(workerBin)
	p.cmd.Env = e.workerEnv(extra...)
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	// A worker must not outlive a test binary that died.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	require.NoError(e.t, p.cmd.Start(), "start worker %s", name)
	go func() {
		p.exitErr = p.cmd.Wait()
		_ = logFile.Close()
		close(p.done)
	}()
	e.workers = append(e.workers, p)
	e.t.Cleanup(func() {
		p.stop(30 * time.Second)
		if e.t.Failed() {
			e.t.Logf("worker %s (pid %d) log %s, last lines:\n%s", p.name, p.cmd.Process.Pid, keepLog(e.t, p.logPath), tail(p.logPath, 40))
		}
	})

	deadline := time.Now().Add(90 * time.Second)
	for {
		if strings.Contains(readFile(p.logPath), "pvpsync worker started") {
			return p
		}
		select {
		case <-p.done:
			e.t.Fatalf("worker %s exited at start (%v):\n%s", name, p.exitErr, tail(p.logPath, 40))
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("worker %s not started after 90 s:\n%s", name, tail(p.logPath, 40))
		}
	}
}

func (p *workerProc) pid() int { return p.cmd.Process.Pid }

func (p *workerProc) alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *workerProc) kill(t *testing.T) {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGKILL), "SIGKILL worker %s", p.name)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("worker %s still running 30 s after SIGKILL", p.name)
	}
}

// term sends SIGTERM and waits up to limit for the process to exit; it returns how long the exit took
// (limit when it did not exit in time; the process is then left to the cleanup's kill).
func (p *workerProc) term(t *testing.T, limit time.Duration) time.Duration {
	t.Helper()
	began := time.Now()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM), "SIGTERM worker %s", p.name)
	select {
	case <-p.done:
		return time.Since(began)
	case <-time.After(limit):
		return limit
	}
}

// stop asks for a graceful shutdown (SIGTERM) and kills the process if it is not gone in time.
func (p *workerProc) stop(grace time.Duration) {
	if !p.alive() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.done
	}
}

// keepLog copies a log out of the test's temporary directory (removed when the test ends) and returns
// where it now is.
func keepLog(t *testing.T, path string) string {
	dir := filepath.Join(os.TempDir(), "pvpsync-faults-logs", strings.ReplaceAll(t.Name(), "/", "_"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return path
	}
	dst := filepath.Join(dir, filepath.Base(path))
	if err := os.WriteFile(dst, []byte(readFile(path)), 0o644); err != nil {
		return path
	}
	return dst
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

func tail(path string, n int) string {
	lines := strings.Split(strings.TrimRight(readFile(path), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// logLines counts the lines of a worker log that contain any of the needles.
func logLines(path string, needles ...string) (n int, examples []string) {
	f, err := os.Open(path)
	if err != nil {
		return 0, nil
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		for _, nd := range needles {
			if bytes.Contains(line, []byte(nd)) {
				n++
				if len(examples) < 3 {
					examples = append(examples, string(line))
				}
				break
			}
		}
	}
	return n, examples
}

// lastStart keeps successive runs in distinct seconds: snapshot times (and so leaderboard workflow ids)
// have second precision.
var lastStart time.Time

// startSync starts a region sync under a unique workflow id; the run is terminated on cleanup if it is
// still open (which cascades to its children).
func (e *env) startSync(in workflows.SyncRegionInput, timeout time.Duration) client.WorkflowRun {
	e.t.Helper()
	if d := time.Until(lastStart.Truncate(time.Second).Add(time.Second + 50*time.Millisecond)); d > 0 {
		time.Sleep(d)
	}
	lastStart = time.Now()
	if in.Region == "" {
		in.Region = e.region
	}
	if in.Brackets == nil {
		in.Brackets = e.brackets
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	id := fmt.Sprintf("faults/%s/%d", e.t.Name(), time.Now().UnixNano())
	run, err := e.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: id, TaskQueue: workflows.TaskQueueWorkflows, WorkflowExecutionTimeout: timeout,
	}, workflows.SyncRegionName, in)
	require.NoError(e.t, err, "start SyncRegion")
	e.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		d, err := e.tc.DescribeWorkflow(ctx, run.GetID(), run.GetRunID())
		if err == nil && d.RawResponse.WorkflowExecutionInfo.Status == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			_ = e.tc.TerminateWorkflow(ctx, run.GetID(), run.GetRunID(), "test cleanup")
		}
	})
	return run
}

// wait waits for a run's result.
func (e *env) wait(run client.WorkflowRun, timeout time.Duration) (workflows.SyncRegionResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var res workflows.SyncRegionResult
	err := run.Get(ctx, &res)
	return res, err
}

// syncOK runs a sync to the end and requires it to succeed.
func (e *env) syncOK(in workflows.SyncRegionInput, timeout time.Duration) workflows.SyncRegionResult {
	e.t.Helper()
	began := time.Now()
	res, err := e.wait(e.startSync(in, timeout), timeout+30*time.Second)
	require.NoError(e.t, err, "SyncRegion")
	e.t.Logf("sync done in %s: %s", time.Since(began).Round(time.Second), res.Totals.String())
	return res
}

// waitFor polls cond every 100 ms until it holds, failing the test after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// count runs a count(*) style query on the test database.
func (e *env) count(q string, args ...any) int {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var n int
	require.NoError(e.t, e.db.QueryRow(ctx, q, args...).Scan(&n), q)
	return n
}
