package faults

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/schema"
)

// pgBinDir holds the PostgreSQL 15 server binaries of the Debian packages.
const pgBinDir = "/usr/lib/postgresql/15/bin"

// pgCluster is a throw-away PostgreSQL cluster of one test: its own data directory, port and socket
// directory, so stopping it never touches the shared server on 5432.
type pgCluster struct {
	dir, data, sock, logPath string
	port                     int
	owner                    *user.User // nil when the test does not run as root
}

// startCluster initdb's and starts a cluster; it is stopped and removed on cleanup. As root, initdb
// refuses to run, so the cluster belongs to the postgres OS user and every pg command runs as that user.
func startCluster(t *testing.T) *pgCluster {
	t.Helper()
	if _, err := os.Stat(filepath.Join(pgBinDir, "initdb")); err != nil {
		t.Fatalf("PostgreSQL 15 server binaries not found in %s: %v", pgBinDir, err)
	}
	// Not t.TempDir: its parents are root-only, and the postgres user must reach the data directory.
	dir, err := os.MkdirTemp("", "pvpsync-faults-pg-")
	require.NoError(t, err)
	c := &pgCluster{dir: dir, data: filepath.Join(dir, "data"), sock: filepath.Join(dir, "sock"), logPath: filepath.Join(dir, "postgres.log")}
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

	out, err := c.run(filepath.Join(pgBinDir, "initdb"), "-D", c.data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8")
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
	out, err := c.run(filepath.Join(pgBinDir, "pg_ctl"), append([]string{"-D", c.data}, args...)...)
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
