package workflows_test

import (
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uber-go/tally/v4"
	sdktally "go.temporal.io/sdk/contrib/tally"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/pvpsync/pvpsync/activities"
	"github.com/pvpsync/pvpsync/retry"
	"github.com/pvpsync/pvpsync/workflows"
)

// acts supplies method values for mocks; the SDK matches them by method name ("FetchEquipment"), the
// same name the workflows' nil-receiver references and the worker's struct registration produce.
var acts = &activities.Activities{}

var snapshotAt = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

// threeCreds are the routes most tests hand down: three credentials, one budget each.
func threeCreds() *activities.RoutesResult {
	return &activities.RoutesResult{Credentials: []string{"c1", "c2", "c3"}, Scope: workflows.ScopeCredential}
}

// newEnv registers pvpsync the way service.Register does: workflows under their stable names, the
// activities as the struct. The returned recorder sees every activity and child the workflows start,
// with the options they were started with.
func newEnv(t *testing.T) (*testsuite.TestWorkflowEnvironment, *recorder) {
	t.Helper()
	return buildEnv(&testsuite.WorkflowTestSuite{})
}

// newMeteredEnv is newEnv with the workflows' metrics captured in a tally test scope.
func newMeteredEnv(t *testing.T) (*testsuite.TestWorkflowEnvironment, *recorder, tally.TestScope) {
	t.Helper()
	scope := tally.NewTestScope("", nil)
	s := &testsuite.WorkflowTestSuite{}
	s.SetMetricsHandler(sdktally.NewMetricsHandler(scope))
	env, rec := buildEnv(s)
	return env, rec, scope
}

func buildEnv(s *testsuite.WorkflowTestSuite) (*testsuite.TestWorkflowEnvironment, *recorder) {
	// The retry tests fail activities on purpose and the SDK logs each failure; assertions say what matters.
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	env := s.NewTestWorkflowEnvironment()
	rec := &recorder{}
	env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{rec}})
	env.RegisterWorkflowWithOptions(workflows.SyncRegion, workflow.RegisterOptions{Name: workflows.SyncRegionName})
	env.RegisterWorkflowWithOptions(workflows.SyncLeaderboard, workflow.RegisterOptions{Name: workflows.SyncLeaderboardName})
	env.RegisterWorkflowWithOptions(workflows.SyncCharacter, workflow.RegisterOptions{Name: workflows.SyncCharacterName})
	env.RegisterWorkflowWithOptions(workflows.PurgeSnapshots, workflow.RegisterOptions{Name: workflows.PurgeSnapshotsName})
	env.RegisterActivity(&activities.Activities{})
	env.SetTestTimeout(10 * time.Second)
	return env, rec
}

// metricValue sums a metric's counters (or reads its gauge) over every series carrying the given tags;
// the SDK adds tags of its own (namespace, workflow type...), which are ignored.
func metricValue(scope tally.TestScope, name string, tags map[string]string) float64 {
	snap := scope.Snapshot()
	matches := func(have map[string]string) bool {
		for k, v := range tags {
			if have[k] != v {
				return false
			}
		}
		return true
	}
	var sum float64
	for _, c := range snap.Counters() {
		if c.Name() == name && matches(c.Tags()) {
			sum += float64(c.Value())
		}
	}
	for _, g := range snap.Gauges() {
		if g.Name() == name && matches(g.Tags()) {
			sum += g.Value()
		}
	}
	return sum
}

// recorder is a workflow interceptor: it records what the workflows schedule (activity options, child
// options) without changing anything, so tests can check task queues, summaries and policies.
type recorder struct {
	interceptor.WorkerInterceptorBase

	mu         sync.Mutex
	activities []activityCall
	children   []childCall
}

type activityCall struct {
	Name    string
	Local   bool
	Options workflow.ActivityOptions      // regular activities
	LocalOp workflow.LocalActivityOptions // local activities
}

type childCall struct {
	Type    string
	Options workflow.ChildWorkflowOptions
}

func (r *recorder) InterceptWorkflow(_ workflow.Context, next interceptor.WorkflowInboundInterceptor) interceptor.WorkflowInboundInterceptor {
	return &recordingInbound{WorkflowInboundInterceptorBase: interceptor.WorkflowInboundInterceptorBase{Next: next}, rec: r}
}

type recordingInbound struct {
	interceptor.WorkflowInboundInterceptorBase
	rec *recorder
}

func (i *recordingInbound) Init(outbound interceptor.WorkflowOutboundInterceptor) error {
	return i.Next.Init(&recordingOutbound{WorkflowOutboundInterceptorBase: interceptor.WorkflowOutboundInterceptorBase{Next: outbound}, rec: i.rec})
}

type recordingOutbound struct {
	interceptor.WorkflowOutboundInterceptorBase
	rec *recorder
}

func (o *recordingOutbound) ExecuteActivity(ctx workflow.Context, activityType string, args ...any) workflow.Future {
	o.rec.mu.Lock()
	o.rec.activities = append(o.rec.activities, activityCall{Name: activityType, Options: workflow.GetActivityOptions(ctx)})
	o.rec.mu.Unlock()
	return o.Next.ExecuteActivity(ctx, activityType, args...)
}

func (o *recordingOutbound) ExecuteLocalActivity(ctx workflow.Context, activityType string, args ...any) workflow.Future {
	o.rec.mu.Lock()
	o.rec.activities = append(o.rec.activities, activityCall{Name: activityType, Local: true, LocalOp: workflow.GetLocalActivityOptions(ctx)})
	o.rec.mu.Unlock()
	return o.Next.ExecuteLocalActivity(ctx, activityType, args...)
}

func (o *recordingOutbound) ExecuteChildWorkflow(ctx workflow.Context, childWorkflowType string, args ...any) workflow.ChildWorkflowFuture {
	o.rec.mu.Lock()
	o.rec.children = append(o.rec.children, childCall{Type: childWorkflowType, Options: workflow.GetChildWorkflowOptions(ctx)})
	o.rec.mu.Unlock()
	return o.Next.ExecuteChildWorkflow(ctx, childWorkflowType, args...)
}

// scheduled returns every call the workflows made to start the named activity (its retries are not
// new calls).
func (r *recorder) scheduled(name string) []activityCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []activityCall
	for _, c := range r.activities {
		if c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

func (r *recorder) childrenOf(workflowType string) []childCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []childCall
	for _, c := range r.children {
		if c.Type == workflowType {
			out = append(out, c)
		}
	}
	return out
}

// requireInvalidInput checks that a workflow failed at once with a non-retryable InvalidInput error.
func requireInvalidInput(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err)
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(err, &appErr), "want an ApplicationError, got %T: %v", err, err)
	assert.Equal(t, retry.ErrTypeInvalidInput, appErr.Type())
	assert.True(t, appErr.NonRetryable(), "invalid input must not be retried")
	assert.Contains(t, appErr.Message(), "invalid input")
}

// callClock records the test clock at every attempt, so retry counts and backoffs can be checked.
type callClock struct {
	env   *testsuite.TestWorkflowEnvironment
	mu    sync.Mutex
	times []time.Time
}

func (c *callClock) tick() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.times = append(c.times, c.env.Now())
	return len(c.times)
}

func (c *callClock) gaps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []time.Duration
	for i := 1; i < len(c.times); i++ {
		out = append(out, c.times[i].Sub(c.times[i-1]).Round(time.Second))
	}
	return out
}
