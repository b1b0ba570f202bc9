package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/pvpsync/pvpsync/internal/testbin"
	"github.com/pvpsync/pvpsync/internal/testtemporal"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testtemporal.Stop()
	testbin.Cleanup()
	os.Exit(code)
}

// starterBinary builds ./starter once per test binary: exit codes are only observable from a process.
func starterBinary(t *testing.T) string {
	t.Helper()
	return testbin.Build(t, "./starter")
}

// unreachableTemporal is a closed port: a command that got as far as dialing fails with exit code 1,
// so exit code 2 proves the input was rejected before anything was contacted.
const unreachableTemporal = "127.0.0.1:1"

func runBinary(t *testing.T, args ...string) (code int, stderr string) {
	t.Helper()
	code, _, stderr = runBinaryAt(t, unreachableTemporal, args...)
	return code, stderr
}

// runBinaryAt runs the starter against the Temporal frontend at address.
func runBinaryAt(t *testing.T, address string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runBinaryEnv(t, []string{"TEMPORAL_ADDRESS=" + address, "TEMPORAL_NAMESPACE=default"}, args...)
}

// runBinaryEnv runs the starter binary with env added to the test's environment and returns its exit
// code and output.
func runBinaryEnv(t *testing.T, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, starterBinary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	var outBuf, errBuf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &outBuf, &errBuf
	err := cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return 0, outBuf.String(), errBuf.String()
	case errors.As(err, &exitErr):
		return exitErr.ExitCode(), outBuf.String(), errBuf.String()
	}
	t.Fatalf("run starter %v: %v", args, err)
	return 0, "", ""
}

func TestSyncRejectsBadInputWithExitCode2(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no region", []string{"sync"}, "--region is required"},
		{"unknown region", []string{"sync", "--region", "cn"}, `unknown region "cn"`},
		{"unknown bracket", []string{"sync", "--region", "us", "--brackets", "3v3,5v5"}, `unknown bracket "5v5"`},
		{"unknown spec bracket", []string{"sync", "--region", "eu", "--brackets", "shuffle-mage-bogus"}, `unknown bracket "shuffle-mage-bogus"`},
		{"negative season", []string{"sync", "--region", "us", "--season", "-3"}, "--season must be a season id"},
		{"locale of another region", []string{"sync", "--region", "us", "--locale", "de_DE"}, `locale "de_DE" is not served in region us`},
		{"unknown locale", []string{"sync", "--region", "kr", "--locale", "xx_XX"}, `locale "xx_XX" is not served in region kr`},
		{"window too large", []string{"sync", "--region", "us", "--window", "100000"}, "--window must be between"},
		{"non-numeric season", []string{"sync", "--region", "us", "--season", "latest"}, "invalid argument"},
		{"unknown output format", []string{"sync", "--region", "us", "-o", "yaml"}, `--output must be table or json, got "yaml"`},
		{"empty output format", []string{"sync", "--region", "us", "--output="}, "--output must be table or json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, stderr := runBinary(t, tc.args...)
			assert.Equal(t, 2, code, "stderr: %s", stderr)
			assert.Contains(t, stderr, tc.want)
			assert.NotContains(t, stderr, "connect to Temporal", "input must be rejected before dialing")
		})
	}
}

// The control: valid input gets past validation and fails on the unreachable server with exit code 1.
func TestSyncValidInputReachesTheServer(t *testing.T) {
	for _, args := range [][]string{
		{"sync", "--region", "us"},
		{"sync", "--region", "eu", "--brackets", "3v3, shuffle-mage-frost", "--season", "40", "--locale", "fr_FR"},
	} {
		code, stderr := runBinary(t, args...)
		assert.Equal(t, 1, code, "args %v, stderr: %s", args, stderr)
		assert.Contains(t, stderr, "connect to Temporal at "+unreachableTemporal)
	}
}
