// Package teststack assembles a whole pvpsync for tests and benchmarks: the fake Battle.net server, a
// fresh PostgreSQL database, the shared Temporal dev server and in-process workers on every queue.
package teststack

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/pvpsync/pvpsync/activities"
	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/config"
	"github.com/pvpsync/pvpsync/fakeblizzard"
	"github.com/pvpsync/pvpsync/internal/sqlcount"
	"github.com/pvpsync/pvpsync/internal/testdb"
	"github.com/pvpsync/pvpsync/internal/testtemporal"
	"github.com/pvpsync/pvpsync/service"
	"github.com/pvpsync/pvpsync/store"
	"github.com/pvpsync/pvpsync/workflows"
)

// Options shape a stack; zero values give a fast, unthrottled one.
type Options struct {
	Fake   fakeblizzard.Options
	Config activities.Config
	// Battlenet overrides the client configuration (credentials, rates, scope); the URLs always point
	// at the fake. Zero: one credential of the fake, unthrottled.
	Battlenet battlenet.Config
	Limits    service.Limits
	Quiet     bool // drop worker logs (benchmarks)
	Metrics   bool // build a metrics registry and serve it on 127.0.0.1:0
	// HostPort is the Temporal frontend to run on; empty = the shared dev server (testtemporal.HostPort).
	HostPort string
}

// Stack is one running pvpsync.
type Stack struct {
	Fake       *fakeblizzard.Server
	DSN        string
	Store      *store.Store
	Statements *sqlcount.Counter
	Temporal   client.Client
	Acts       *activities.Activities
	Metrics    *service.Metrics
	MetricsURL string
	Log        *zap.Logger
	workers    *service.Workers
}

// DefaultConfig is the production activity configuration.
func DefaultConfig() activities.Config {
	return config.DefaultWorker().Activities()
}

// New starts a stack; everything is stopped on cleanup.
func New(t testing.TB, o Options) *Stack {
	t.Helper()
	fake, err := fakeblizzard.Start(o.Fake)
	if err != nil {
		t.Fatalf("start fake Battle.net: %v", err)
	}
	t.Cleanup(fake.Close)

	s := &Stack{Fake: fake, Statements: &sqlcount.Counter{}}
	if o.Quiet {
		s.Log = zap.NewNop()
	} else {
		s.Log = zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel))
	}
	s.Store, s.DSN = testdb.Open(t, store.WithTracer(s.Statements), store.WithMaxConns(32))

	topts := client.Options{Logger: service.SDKLogger(s.Log)}
	bnCfg := o.Battlenet
	if len(bnCfg.Credentials) == 0 {
		bnCfg.Credentials = []battlenet.Credential{{Name: "default", ClientID: fake.ClientID(), ClientSecret: fake.ClientSecret()}}
	}
	bnCfg.APIURL, bnCfg.OAuthURL = fake.URL(), fake.TokenURL()
	if bnCfg.RequestsPerSecond == 0 {
		bnCfg.RequestsPerSecond, bnCfg.RequestsPerHour = 100000, 1<<30
	}
	if o.Metrics {
		m, err := service.NewMetrics(s.Log)
		if err != nil {
			t.Fatalf("metrics: %v", err)
		}
		s.Metrics = m
		bnCfg.OnRequest = m.ObserveRequest
		m.WatchPool(s.Store.Pool)
		topts.MetricsHandler = m.Handler
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		addr, err := m.Serve(ctx, "127.0.0.1:0", s.Log)
		if err != nil {
			t.Fatalf("serve metrics: %v", err)
		}
		s.MetricsURL = "http://" + addr.String() + "/metrics"
	}
	bn, err := battlenet.New(bnCfg)
	if err != nil {
		t.Fatalf("battle.net client: %v", err)
	}
	if o.HostPort == "" {
		s.Temporal = testtemporal.Client(t, topts)
	} else {
		topts.HostPort = o.HostPort
		s.Temporal = testtemporal.Dial(t, topts)
	}

	cfg := o.Config
	if cfg == (activities.Config{}) {
		cfg = DefaultConfig()
	}
	s.Acts = &activities.Activities{Store: s.Store, Battlenet: bn, Config: cfg, Log: s.Log}
	l := o.Limits
	if l.SyncThreads == 0 {
		l = service.Limits{SyncThreads: 64, ProcessingThreads: 64, WorkflowThreads: 200, Pollers: 4, Queues: l.Queues}
	}
	if l.Budgets == nil {
		l.Budgets = service.Budgets(bn.Config())
	}
	s.workers, err = service.Start(s.Temporal, s.Acts, l)
	if err != nil {
		t.Fatalf("start workers: %v", err)
	}
	t.Cleanup(s.workers.Stop)
	return s
}

// SyncRegion runs a region sync to the end and returns its result.
func (s *Stack) SyncRegion(t testing.TB, in workflows.SyncRegionInput, timeout time.Duration) (workflows.SyncRegionResult, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	run, err := s.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        fmt.Sprintf("%s/%s/%d", workflows.RegionWorkflowID(in.Region, in.Season, time.Now()), t.Name(), time.Now().UnixNano()),
		TaskQueue: workflows.TaskQueueWorkflows, WorkflowExecutionTimeout: timeout,
	}, workflows.SyncRegionName, in)
	if err != nil {
		t.Fatalf("start SyncRegion: %v", err)
	}
	var res workflows.SyncRegionResult
	err = run.Get(ctx, &res)
	return res, err
}

// Count runs a count(*) style query.
func (s *Stack) Count(t testing.TB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := s.Store.Pool.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// Scrape fetches the metrics page.
func (s *Stack) Scrape(t testing.TB) *http.Response {
	t.Helper()
	resp, err := http.Get(s.MetricsURL)
	if err != nil {
		t.Fatalf("scrape metrics: %v", err)
	}
	return resp
}
