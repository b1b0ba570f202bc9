package ops

import (
	"testing"

	"github.com/pvpsync/pvpsync/internal/testbin"
	"github.com/pvpsync/pvpsync/internal/testtemporal"
)

// Tests of this package share one Temporal dev server (and the UI test starts its own): they run
// sequentially, since character workflow ids are global on a server.
func TestMain(m *testing.M) { testtemporal.Main(m) }

// moduleRoot is the directory holding go.mod.
func moduleRoot(t testing.TB) string {
	t.Helper()
	root, err := testbin.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
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
