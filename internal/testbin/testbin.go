// Package testbin builds pvpsync's commands once per test binary, for tests that need real processes.
package testbin

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	mu     sync.Mutex
	built  = map[string]string{}
	tmpDir string
)

// ModuleRoot is the directory holding go.mod, found from the working directory upwards.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// Build compiles the command at pkg (e.g. "./worker") and returns the binary's path; later calls with
// the same pkg reuse it. Call Cleanup from TestMain to remove the binaries.
func Build(t testing.TB, pkg string) string {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if p, ok := built[pkg]; ok {
		return p
	}
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	if tmpDir == "" {
		if tmpDir, err = os.MkdirTemp("", "pvpsync-bin-"); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(tmpDir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", out, pkg) // #nosec G204 -- test helper: pkg is a package path written in the calling test
	cmd.Dir = root
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, msg)
	}
	built[pkg] = out
	return out
}

// Cleanup removes the built binaries; a later Build compiles again (a benchmark's cleanup runs after
// each of its runs).
func Cleanup() {
	mu.Lock()
	defer mu.Unlock()
	if tmpDir != "" {
		if err := os.RemoveAll(tmpDir); err != nil {
			fmt.Fprintln(os.Stderr, "testbin:", err)
		}
	}
	tmpDir, built = "", map[string]string{}
}
