package faults

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/fakeblizzard"
	"github.com/pvpsync/pvpsync/internal/testbin"
)

// fakeProcess is bin/fakeblizzard run as a process of its own, as `make run` and an operator run it:
// the workers reach it through the BLIZZARD_* lines it prints, the test through its /stats and /truth
// endpoints.
type fakeProcess struct {
	t       *testing.T
	cmd     *exec.Cmd
	env     []string          // the BLIZZARD_* lines it printed, in order
	vars    map[string]string // the same, by name
	logPath string
	done    chan struct{}
}

// fakeArgs is the command line that makes the process serve the world of opts (the flags
// cmd/fakeblizzard maps onto the same Options).
func fakeArgs(o fakeblizzard.Options) []string {
	args := []string{"--addr", "127.0.0.1:0", "--seed", strconv.FormatInt(o.Seed, 10),
		"--characters", strconv.Itoa(o.Characters), "--spec-characters", strconv.Itoa(o.SpecCharacters),
		"--brackets", strings.Join(o.Brackets, ","), "--private", strconv.FormatFloat(o.PrivateFraction, 'g', -1, 64),
		"--client-id", o.ClientID, "--client-secret", o.ClientSecret}
	if o.Season != 0 {
		args = append(args, "--season", strconv.FormatInt(o.Season, 10))
	}
	if o.Latency > 0 {
		args = append(args, "--latency", o.Latency.String())
	}
	return args
}

// startFakeProcess builds bin/fakeblizzard (once per test binary) and runs it with opts, waiting for
// the four BLIZZARD_* lines it prints once it listens. It gets SIGTERM on cleanup.
func startFakeProcess(t *testing.T, dir string, opts fakeblizzard.Options) *fakeProcess {
	t.Helper()
	bin := testbin.Build(t, "./cmd/fakeblizzard")
	p := &fakeProcess{t: t, vars: map[string]string{}, logPath: filepath.Join(dir, "fakeblizzard.log"), done: make(chan struct{})}
	logFile, err := os.Create(p.logPath)
	require.NoError(t, err)
	p.cmd = exec.Command(bin, fakeArgs(opts)...) // #nosec G204 -- the test's own binary and flags
	p.cmd.Stderr = logFile
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stdout, err := p.cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, p.cmd.Start(), "start bin/fakeblizzard")
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	go func() {
		_ = p.cmd.Wait()
		_ = logFile.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})

	deadline := time.After(time.Minute)
	for len(p.env) < 4 {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("bin/fakeblizzard ended before printing its environment:\n%s", readFile(p.logPath))
			}
			k, v, found := strings.Cut(line, "=")
			require.True(t, found && strings.HasPrefix(k, "BLIZZARD_"), "bin/fakeblizzard printed %q", line)
			p.env = append(p.env, line)
			p.vars[k] = v
		case <-deadline:
			t.Fatalf("bin/fakeblizzard printed no environment in a minute:\n%s", readFile(p.logPath))
		}
	}
	go func() { // nothing more is expected on stdout; keep the pipe drained anyway
		for range lines {
		}
	}()
	for _, k := range []string{"BLIZZARD_API_URL", "BLIZZARD_OAUTH_URL", "BLIZZARD_CLIENT_ID", "BLIZZARD_CLIENT_SECRET"} {
		require.NotEmpty(t, p.vars[k], "bin/fakeblizzard printed %s", k)
	}
	return p
}

// Env is what the process printed, verbatim.
func (p *fakeProcess) Env() []string    { return p.env }
func (p *fakeProcess) URL() string      { return p.vars["BLIZZARD_API_URL"] }
func (p *fakeProcess) ClientID() string { return p.vars["BLIZZARD_CLIENT_ID"] }
func (p *fakeProcess) ClientSecret() string {
	return p.vars["BLIZZARD_CLIENT_SECRET"]
}

// Stats is GET /stats (a test endpoint: neither counted nor faulted).
func (p *fakeProcess) Stats() fakeblizzard.Stats {
	p.t.Helper()
	var st fakeblizzard.Stats
	require.NoError(p.t, p.getJSON("/stats", &st), "fakeblizzard process")
	return st
}

// truthJSON is GET /truth/{region}/{realm}/{name}, the body as served.
func (p *fakeProcess) truthJSON(region, realm, name string) ([]byte, error) {
	return p.get("/truth/" + url.PathEscape(region) + "/" + url.PathEscape(realm) + "/" + url.PathEscape(name))
}

func (p *fakeProcess) getJSON(path string, v any) error {
	b, err := p.get(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	return nil
}

func (p *fakeProcess) get(path string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL()+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: HTTP %d: %s", path, resp.StatusCode, b)
	}
	return b, nil
}

// newEnvProcess is newEnv with bin/fakeblizzard as a separate process. Its ground truth is an
// in-process twin built from the same options (the world is a function of them), and the twin is
// first proven equal to the process: the truth of every character on the boards, as the process's
// /truth endpoint serves it, must be byte for byte the twin's.
func newEnvProcess(t *testing.T, opts fakeblizzard.Options, dsn string) *env {
	t.Helper()
	opts.ClientID, opts.ClientSecret = "faults-client", newSecret()
	dir := t.TempDir()
	proc := startFakeProcess(t, dir, opts)
	require.Equal(t, opts.ClientSecret, proc.ClientSecret(), "the process accepts the test's credentials")

	twinOpts := opts
	twinOpts.Latency = 0 // not part of the world
	twin, err := fakeblizzard.New(twinOpts)
	require.NoError(t, err, "twin of the fakeblizzard process")
	t.Cleanup(twin.Close)
	e := connectEnv(t, opts, dsn, proc, twin)
	e.dir = dir

	compared := 0
	for _, b := range e.brackets {
		board, err := twin.BoardTruth(e.region, b)
		require.NoError(t, err)
		for _, en := range board {
			want, err := twin.Truth(e.region, en.RealmSlug, en.Name)
			require.NoError(t, err)
			wantJSON, err := json.Marshal(want)
			require.NoError(t, err)
			got, err := proc.truthJSON(e.region, en.RealmSlug, en.Name)
			require.NoError(t, err)
			require.JSONEq(t, string(wantJSON), string(got), "the process and its twin disagree on %s-%s", en.Name, en.RealmSlug)
			compared++
		}
	}
	t.Logf("bin/fakeblizzard (pid %d) at %s: its truth equals the twin's for %d board entries", proc.cmd.Process.Pid, proc.URL(), compared)
	return e
}
