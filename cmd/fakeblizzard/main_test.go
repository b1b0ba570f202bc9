package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/fakeblizzard"
)

func TestParseFlags(t *testing.T) {
	addr, o, err := parseFlags([]string{
		"--addr", "127.0.0.1:9999", "--seed", "7", "--characters", "100", "--spec-characters", "20",
		"--brackets", "3v3, shuffle-mage-frost", "--private", "0.1", "--rps", "50", "--retry-after",
		"--server-errors", "0.2", "--drops", "0.01", "--slow", "0.05", "--malformed", "0.03",
		"--slow-delay", "3s", "--empty-boards", "--latency", "15ms", "--client-id", "cid", "--client-secret", "sec",
		"--season", "41",
	}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:9999", addr)
	assert.Equal(t, fakeblizzard.Options{
		Seed: 7, Season: 41, Characters: 100, SpecCharacters: 20, Brackets: []string{"3v3", "shuffle-mage-frost"},
		PrivateFraction: 0.1, ClientID: "cid", ClientSecret: "sec", RPS: 50, RetryAfter: true,
		ServerErrorRate: 0.2, DropRate: 0.01, SlowRate: 0.05, MalformedRate: 0.03, SlowDelay: 3 * time.Second,
		EmptyBoards: true, Latency: 15 * time.Millisecond,
	}, o)

	addr, o, err = parseFlags(nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:8089", addr, "loopback by default")
	assert.Empty(t, o.Brackets)
	assert.Equal(t, fakeblizzard.DefaultPrivateFraction, o.PrivateFraction)
	assert.Equal(t, fakeblizzard.DefaultClientID, o.ClientID)

	_, o, err = parseFlags([]string{"--private", "0"}, io.Discard)
	require.NoError(t, err)
	assert.Negative(t, o.PrivateFraction, "--private 0 means none, not the default")

	_, _, err = parseFlags([]string{"--nope"}, io.Discard)
	assert.Error(t, err)
	_, _, err = parseFlags([]string{"extra"}, io.Discard)
	assert.Error(t, err)
}

func TestRunServesAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--addr", "127.0.0.1:0", "--characters", "50", "--spec-characters", "10"}, w, io.Discard)
		w.Close()
	}()
	env := map[string]string{}
	sc := bufio.NewScanner(out)
	for len(env) < 4 && sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		require.True(t, ok, sc.Text())
		env[k] = v
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	require.Len(t, env, 4)
	assert.Equal(t, env["BLIZZARD_API_URL"]+"/token", env["BLIZZARD_OAUTH_URL"])
	assert.Equal(t, fakeblizzard.DefaultClientID, env["BLIZZARD_CLIENT_ID"])
	assert.Equal(t, fakeblizzard.DefaultClientSecret, env["BLIZZARD_CLIENT_SECRET"])
	assert.True(t, strings.HasPrefix(env["BLIZZARD_API_URL"], "http://127.0.0.1:"))

	req, err := http.NewRequest(http.MethodPost, env["BLIZZARD_OAUTH_URL"], strings.NewReader("grant_type=client_credentials"))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(env["BLIZZARD_CLIENT_ID"], env["BLIZZARD_CLIENT_SECRET"])
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("run did not stop on cancellation")
	}
	_, err = http.Get(env["BLIZZARD_API_URL"] + "/stats")
	assert.Error(t, err, "the listener is closed")
}

func TestRunRejectsBadOptions(t *testing.T) {
	err := run(context.Background(), []string{"--addr", "127.0.0.1:0", "--brackets", "5v5"}, io.Discard, io.Discard)
	assert.Error(t, err)
}

func TestParseFlagsClientsQuotasAndWorld(t *testing.T) {
	cfg, err := parseConfig([]string{
		"--clients", "id-1:s1, id-2:s2", "--rph", "36000", "--quota-window", "60s",
		"--active", "0.3", "--cycle", "30s", "--credentials-file", "/tmp/creds",
	}, io.Discard)
	require.NoError(t, err)
	o := cfg.opts
	assert.Equal(t, []fakeblizzard.Client{{ID: "id-1", Secret: "s1"}, {ID: "id-2", Secret: "s2"}}, o.Clients)
	assert.Equal(t, 36000, o.RPH)
	assert.Equal(t, time.Minute, o.QuotaWindow)
	assert.Equal(t, 0.3, o.Active)
	assert.Equal(t, 30*time.Second, o.Cycle)
	assert.Equal(t, "/tmp/creds", cfg.credentialsFile)

	for _, bad := range []string{"id-1", "id-1:", ":s1", "id-1:s1,,"} {
		_, err := parseConfig([]string{"--clients", bad}, io.Discard)
		assert.Error(t, err, bad)
		if err != nil {
			assert.NotContains(t, err.Error(), "s1", "errors do not show secrets")
		}
	}
	err = run(context.Background(), []string{"--addr", "127.0.0.1:0", "--clients", "a:s,a:t"}, io.Discard, io.Discard)
	assert.Error(t, err, "a client id twice")
}

// startRun runs the command until the test ends and returns the env lines it printed.
func startRun(t *testing.T, args ...string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"--addr", "127.0.0.1:0", "--characters", "50", "--spec-characters", "10"}, args...), w, io.Discard)
		w.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err)
		case <-time.After(5 * time.Second):
			t.Error("run did not stop")
		}
	})
	env := map[string]string{}
	sc := bufio.NewScanner(out)
	for len(env) < 3 && sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		require.True(t, ok, sc.Text())
		env[k] = v
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	return env
}

func TestRunWritesACredentialsFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "creds.txt")
	env := startRun(t, "--clients", "id-1:secret-1,id-2:secret-2", "--credentials-file", path, "--active", "0.5")
	assert.Equal(t, path, env["BLIZZARD_CREDENTIALS"])
	assert.NotContains(t, env, "BLIZZARD_CLIENT_ID", "the file replaces the id/secret lines")
	assert.Equal(t, env["BLIZZARD_API_URL"]+"/token", env["BLIZZARD_OAUTH_URL"])

	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm(), "the file holds secrets")
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	creds, err := battlenet.ParseCredentials(f, path)
	require.NoError(t, err, "pvpsync reads the file")
	require.Len(t, creds, 2)
	for i, c := range creds {
		assert.Equal(t, fmt.Sprintf("c%d", i+1), c.Name)
		assert.Equal(t, fmt.Sprintf("id-%d", i+1), c.ClientID)
		assert.Equal(t, fmt.Sprintf("secret-%d", i+1), c.ClientSecret)
		assert.Empty(t, c.Regions, "every region")

		req, err := http.NewRequest(http.MethodPost, env["BLIZZARD_OAUTH_URL"], strings.NewReader("grant_type=client_credentials"))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(c.ClientID, c.ClientSecret)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, c.Name)
	}

	resp, err := http.Post(env["BLIZZARD_API_URL"]+"/advance", "", nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var rep fakeblizzard.AdvanceReport
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&rep))
	assert.Equal(t, 1, rep.Cycle)
	assert.NotEmpty(t, rep.Played, "--active makes characters play")
}

func TestRunRejectsAnUnwritableCredentialsFile(t *testing.T) {
	err := run(context.Background(), []string{"--addr", "127.0.0.1:0", "--characters", "50", "--spec-characters", "10",
		"--credentials-file", filepath.Join(t.TempDir(), "missing", "creds.txt")}, io.Discard, io.Discard)
	assert.Error(t, err)
}
