package ops

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pvpsync/pvpsync/internal/testtemporal"
)

// Tests of this package share one Temporal dev server (and the UI test starts its own): they run
// sequentially, since character workflow ids are global on a server.
func TestMain(m *testing.M) {
	code := m.Run()
	testtemporal.Stop()
	os.Exit(code)
}

// moduleRoot is the directory holding go.mod, found by walking up from the package directory.
func moduleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("module root not found above %s", dir)
		}
		dir = parent
	}
}

// temporalCLI is the Temporal CLI binary the dev server runs from.
func temporalCLI(t testing.TB) string {
	t.Helper()
	bin, err := testtemporal.Binary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}
