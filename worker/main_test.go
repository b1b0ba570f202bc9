package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/fakeblizzard"
	"github.com/pvpsync/pvpsync/internal/testbin"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testbin.Cleanup()
	os.Exit(code)
}

// A misconfigured worker stops at start with one clear line and a non-zero exit code, and never prints
// the secret it was given.
func TestWorkerFailsFastOnBadConfiguration(t *testing.T) {
	bin := testbin.Build(t, "./worker")
	fake, err := fakeblizzard.Start(fakeblizzard.Options{Seed: 1, Characters: 5, Brackets: []string{"3v3"}})
	require.NoError(t, err)
	t.Cleanup(fake.Close)
	good := []string{
		"BLIZZARD_CLIENT_ID=" + fake.ClientID(), "BLIZZARD_CLIENT_SECRET=" + fake.ClientSecret(),
		"BLIZZARD_API_URL=" + fake.URL(), "BLIZZARD_OAUTH_URL=" + fake.TokenURL(),
		"TEMPORAL_ADDRESS=127.0.0.1:1", "PVP_METRICS_ADDR=127.0.0.1:0",
	}
	with := func(env []string, extra ...string) []string { return append(append([]string{}, env...), extra...) }
	cases := []struct {
		name string
		env  []string
		want string
	}{
		{"missing credentials", []string{"BLIZZARD_API_URL=" + fake.URL(), "TEMPORAL_ADDRESS=127.0.0.1:1"}, "BLIZZARD_CLIENT_ID"},
		{"wrong credentials", with(good, "BLIZZARD_CLIENT_SECRET=not-the-secret"), "credentials"},
		{"unreachable database", with(good, "DATABASE_URL=postgres://postgres@127.0.0.1:1/pvpsync?sslmode=disable&connect_timeout=2"), "PostgreSQL"},
		{"malformed database URL", with(good, "DATABASE_URL=postgres://[bad"), "DATABASE_URL"},
		{"bad thread count", with(good, "PVP_SYNC_THREADS=many"), "PVP_SYNC_THREADS"},
		{"zero rate", with(good, "PVP_SYNC_RPS=0"), "PVP_SYNC_RPS"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(bin)
			cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, c.env...)
			done := make(chan struct{})
			var out []byte
			var runErr error
			go func() { out, runErr = cmd.CombinedOutput(); close(done) }()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatal("the worker did not stop on a bad configuration")
			}
			var exit *exec.ExitError
			require.ErrorAs(t, runErr, &exit, "output: %s", out)
			assert.NotZero(t, exit.ExitCode())
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			last := lines[len(lines)-1]
			assert.Contains(t, last, c.want)
			assert.True(t, strings.HasPrefix(last, "worker: "), last)
			assert.NotContains(t, string(out), fake.ClientSecret())
			assert.NotContains(t, string(out), "not-the-secret")
		})
	}
}

// The binary says which build it is, without needing any configuration.
func TestWorkerVersion(t *testing.T) {
	bin := testbin.Build(t, "./worker")
	out, err := exec.Command(bin, "--version").CombinedOutput() // #nosec G204 -- the binary this test built
	require.NoError(t, err, string(out))
	assert.Regexp(t, `^pvpsync \S+ \(rev \S+, built \S+, go1\.\d+`, string(out))
}
