// Package testtemporal starts one Temporal dev server (the CLI binary built from the module proxy into
// ./bin by scripts/lib.sh's ensure_temporal, which `make test` and `make run` call) per test binary,
// with pvpsync's search attributes registered. Nothing is downloaded at run time: a missing binary fails the test with the command that builds it.
package testtemporal

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"

	"github.com/pvpsync/pvpsync/internal/testbin"
	"github.com/pvpsync/pvpsync/workflows"
)

var (
	once    sync.Once
	server  *testsuite.DevServer
	hostErr error
)

// Binary locates the temporal CLI: $TEMPORAL_CLI, else bin/temporal at the module root.
func Binary() (string, error) {
	if p := os.Getenv("TEMPORAL_CLI"); p != "" {
		return p, nil
	}
	root, err := testbin.ModuleRoot()
	if err != nil {
		return "", err
	}
	p := filepath.Join(root, "bin", "temporal")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("no Temporal CLI at %s: build it with `make test` or scripts/lib.sh's ensure_temporal (go install github.com/temporalio/cli/cmd/temporal@v1.5.1)", p)
	}
	return p, nil
}

// SearchAttributeArgs are the dev-server flags registering pvpsync's search attributes.
func SearchAttributeArgs() []string {
	var args []string
	for _, sa := range workflows.SearchAttributeTypes {
		args = append(args, "--search-attribute", sa[0]+"="+sa[1])
	}
	return args
}

// ServerArgs are the dev-server flags pvpsync runs with: its search attributes, and one partition per
// task queue. The server's rate limit is split evenly across a queue's partitions, each with its own
// token bucket, which makes a credential's budget both bursty and under-used (measured: 9.8/s for a
// 20/s limit with the default four partitions, 20.2/s with one); pvpsync's queues need no partitions.
func ServerArgs() []string {
	return append(SearchAttributeArgs(),
		"--dynamic-config-value", "matching.numTaskqueueReadPartitions=1",
		"--dynamic-config-value", "matching.numTaskqueueWritePartitions=1")
}

// HostPort starts the shared dev server on first use and returns its frontend address. The server lives
// until the test binary exits (call Stop from TestMain to end it earlier).
func HostPort(t testing.TB) string {
	t.Helper()
	once.Do(func() {
		bin, err := Binary()
		if err != nil {
			hostErr = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		server, hostErr = testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
			ExistingPath:  bin,
			LogLevel:      "error",
			ClientOptions: &client.Options{Namespace: "default"},
			ExtraArgs: append(ServerArgs(),
				"--dynamic-config-value", "frontend.enableUpdateWorkflowExecution=true"),
		})
	})
	if hostErr != nil {
		t.Fatalf("start Temporal dev server: %v", hostErr)
	}
	return server.FrontendHostPort()
}

// Client dials the shared dev server; closed on cleanup.
func Client(t testing.TB, opts client.Options) client.Client {
	t.Helper()
	opts.HostPort = HostPort(t)
	return Dial(t, opts)
}

// Dial connects to opts.HostPort (namespace "default" unless set); closed on cleanup.
func Dial(t testing.TB, opts client.Options) client.Client {
	t.Helper()
	if opts.Namespace == "" {
		opts.Namespace = "default"
	}
	c, err := client.Dial(opts)
	if err != nil {
		t.Fatalf("dial Temporal dev server at %s: %v", opts.HostPort, err)
	}
	t.Cleanup(c.Close)
	return c
}

// UIServer is a dev server of a test's own with the Web UI.
type UIServer struct {
	HostPort string // gRPC frontend
	UIURL    string // http://127.0.0.1:port of the Web UI
}

// StartWithUI starts a dev server of the test's own, with the Web UI on a free port and pvpsync's search
// attributes registered; it is stopped on cleanup. The shared server stays headless: the UI costs
// start-up time most tests do not need.
func StartWithUI(t testing.TB) UIServer {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		t.Fatal(err)
	}
	port, err := freePort()
	if err != nil {
		t.Fatalf("free port for the Web UI: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
		ExistingPath:  bin,
		LogLevel:      "error",
		EnableUI:      true,
		UIPort:        port,
		ClientOptions: &client.Options{Namespace: "default"},
		ExtraArgs:     ServerArgs(),
	})
	if err != nil {
		t.Fatalf("start Temporal dev server with the Web UI: %v", err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	return UIServer{HostPort: srv.FrontendHostPort(), UIURL: "http://127.0.0.1:" + port}
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port), nil
}

// Main is a TestMain for packages that use the shared dev server: run the tests, stop the server.
func Main(m *testing.M) {
	code := m.Run()
	Stop()
	os.Exit(code)
}

// Stop ends the shared dev server (from TestMain after m.Run).
func Stop() {
	if server != nil {
		_ = server.Stop()
	}
}
