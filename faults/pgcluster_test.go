package faults

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/schema"
)

// pgMinMajor is the oldest PostgreSQL the throw-away clusters run on; scripts/lib.sh (pg_bindir)
// locates the binaries the same way.
const pgMinMajor = 14

// pgBinDirOnce locates the server binaries once per test binary: every cluster uses the same ones.
var pgBinDirOnce = sync.OnceValues(func() (string, error) {
	return findPGBinDir(pgConfigBinDir, pgDebianBinDirs, pgMajor)
})

// findPGBinDir picks the PostgreSQL server binaries: pg_config's bindir when it holds a server of at
// least pgMinMajor (pg_config may come from libpq-dev alone, with no server beside it), else the newest
// such candidate (Debian/Ubuntu keep /usr/lib/postgresql/*/bin off PATH). The lookups are parameters so
// the choice is unit-tested without installing PostgreSQL versions.
func findPGBinDir(pgConfig func() (string, error), candidates func() []string, major func(dir string) (int, error)) (string, error) {
	if dir, err := pgConfig(); err == nil {
		if v, err := major(dir); err == nil && v >= pgMinMajor {
			return dir, nil
		}
	}
	best, bestV := "", 0
	for _, dir := range candidates() {
		if v, err := major(dir); err == nil && v >= pgMinMajor && v > bestV {
			best, bestV = dir, v
		}
	}
	if best == "" {
		return "", fmt.Errorf("PostgreSQL %d or newer is not installed (no server binaries from pg_config --bindir or in /usr/lib/postgresql/*/bin): "+
			"install the server (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql@17)", pgMinMajor)
	}
	return best, nil
}

func pgConfigBinDir() (string, error) {
	out, err := exec.Command("pg_config", "--bindir").Output()
	if err != nil {
		return "", fmt.Errorf("pg_config --bindir: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

func pgDebianBinDirs() []string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin") // the pattern is valid: no error to handle
	return dirs
}

var pgVersionRE = regexp.MustCompile(`\(PostgreSQL\) (\d+)`)

// pgMajor is the major version of the initdb in dir ("initdb (PostgreSQL) 15.20 (Debian ...)" → 15).
func pgMajor(dir string) (int, error) {
	out, err := exec.Command(filepath.Join(dir, "initdb"), "--version").Output()
	if err != nil {
		return 0, fmt.Errorf("%s/initdb --version: %w", dir, err)
	}
	m := pgVersionRE.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("%s/initdb --version: no version in %q", dir, out)
	}
	return strconv.Atoi(string(m[1]))
}

// pgBinDir is the located server binaries' directory; the test fails when there are none.
func pgBinDir(t *testing.T) string {
	t.Helper()
	dir, err := pgBinDirOnce()
	require.NoError(t, err)
	return dir
}

func TestFindPGBinDir(t *testing.T) {
	versions := map[string]int{"/opt/pg13/bin": 13, "/opt/pg16/bin": 16, "/usr/lib/postgresql/13/bin": 13,
		"/usr/lib/postgresql/14/bin": 14, "/usr/lib/postgresql/17/bin": 17}
	major := func(dir string) (int, error) {
		if v, ok := versions[dir]; ok {
			return v, nil
		}
		return 0, fmt.Errorf("%s/initdb: no such file", dir)
	}
	pgConfig := func(dir string) func() (string, error) {
		return func() (string, error) {
			if dir == "" {
				return "", errors.New("pg_config: not found")
			}
			return dir, nil
		}
	}
	debian := func(dirs ...string) func() []string { return func() []string { return dirs } }
	all := debian("/usr/lib/postgresql/13/bin", "/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/14/bin")

	for _, tc := range []struct {
		name, pgConfig string
		candidates     func() []string
		want           string
	}{
		{"pg_config's server wins over a newer Debian one", "/opt/pg16/bin", all, "/opt/pg16/bin"},
		{"pg_config too old: the newest Debian one", "/opt/pg13/bin", all, "/usr/lib/postgresql/17/bin"},
		{"pg_config without a server beside it", "/usr/bin", all, "/usr/lib/postgresql/17/bin"},
		{"no pg_config", "", debian("/usr/lib/postgresql/14/bin"), "/usr/lib/postgresql/14/bin"},
		{"broken candidates are skipped", "", debian("/usr/lib/postgresql/9.6/bin", "/usr/lib/postgresql/14/bin"), "/usr/lib/postgresql/14/bin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := findPGBinDir(pgConfig(tc.pgConfig), tc.candidates, major)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}

	t.Run("none new enough names what to install", func(t *testing.T) {
		_, err := findPGBinDir(pgConfig("/opt/pg13/bin"), debian("/usr/lib/postgresql/13/bin"), major)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "PostgreSQL 14 or newer is not installed")
		assert.Contains(t, err.Error(), "apt-get install postgresql")
	})
}

// pgCluster is a throw-away PostgreSQL cluster of one test: its own data directory, port and socket
// directory, so stopping it never touches the shared server on 5432.
type pgCluster struct {
	bin                      string // the server binaries (pgBinDir)
	dir, data, sock, logPath string
	port                     int
	owner                    *user.User // nil when the test does not run as root
}

// startCluster initdb's and starts a cluster; it is stopped and removed on cleanup. As root, initdb
// refuses to run, so the cluster belongs to the postgres OS user and every pg command runs as that user.
func startCluster(t *testing.T) *pgCluster {
	t.Helper()
	bin := pgBinDir(t)
	// Not t.TempDir: its parents are root-only, and the postgres user must reach the data directory.
	dir, err := os.MkdirTemp("", "pvpsync-faults-pg-")
	require.NoError(t, err)
	c := &pgCluster{bin: bin, dir: dir, data: filepath.Join(dir, "data"), sock: filepath.Join(dir, "sock"), logPath: filepath.Join(dir, "postgres.log")}
	require.NoError(t, os.Mkdir(c.sock, 0o755))
	if os.Geteuid() == 0 {
		c.owner, err = user.Lookup("postgres")
		require.NoError(t, err, "the postgres OS user is needed to run a cluster as root")
		uid, _ := strconv.Atoi(c.owner.Uid)
		gid, _ := strconv.Atoi(c.owner.Gid)
		for _, p := range []string{dir, c.sock} {
			require.NoError(t, os.Chown(p, uid, gid))
		}
		require.NoError(t, os.Chmod(dir, 0o755))
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("throw-away PostgreSQL log, last lines:\n%s", tail(c.logPath, 20))
		}
		_ = c.pgCtl("stop", "-m", "immediate", "-w")
		_ = os.RemoveAll(dir)
	})

	out, err := c.run(filepath.Join(bin, "initdb"), "-D", c.data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8")
	require.NoError(t, err, "initdb: %s", out)
	c.port = freePort(t)
	c.start(t)
	return c
}

// DSN of the cluster's postgres database over TCP.
func (c *pgCluster) DSN() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

func (c *pgCluster) start(t *testing.T) {
	t.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", c.port, c.sock)
	if err := c.pgCtl("start", "-w", "-t", "60", "-l", c.logPath, "-o", opts); err != nil {
		t.Fatalf("pg_ctl start: %v\n%s", err, tail(c.logPath, 20))
	}
}

// stop is a fast shutdown: open sessions are terminated, as in a real restart.
func (c *pgCluster) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, c.pgCtl("stop", "-m", "fast", "-w", "-t", "60"), "pg_ctl stop")
}

func (c *pgCluster) pgCtl(args ...string) error {
	out, err := c.run(filepath.Join(c.bin, "pg_ctl"), append([]string{"-D", c.data}, args...)...)
	if err != nil {
		return fmt.Errorf("%w: %s", err, out)
	}
	return nil
}

// run executes a PostgreSQL binary, as the postgres OS user when the test runs as root.
func (c *pgCluster) run(bin string, args ...string) ([]byte, error) {
	var cmd *exec.Cmd
	if c.owner != nil {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", bin}, args...)...)
	} else {
		cmd = exec.Command(bin, args...)
	}
	cmd.Dir = c.dir
	return cmd.CombinedOutput()
}

// migrate applies pvpsync's schema.
func (c *pgCluster) migrate(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, schema.Up(ctx, c.DSN()), "migrate the throw-away cluster")
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
