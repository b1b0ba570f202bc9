package faults

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/pvpsync/pvpsync/fakeblizzard"
	"github.com/pvpsync/pvpsync/internal/testdb"
	"github.com/pvpsync/pvpsync/retry"
	"github.com/pvpsync/pvpsync/service"
	"github.com/pvpsync/pvpsync/workflows"
)

// shutdownLatency is added by the fake to every API request, so that a SIGTERM always meets requests
// in flight (PVP_SYNC_THREADS of them, each for this long).
const shutdownLatency = 1500 * time.Millisecond

// stopMargin is what a stopping worker may take beyond service.StopTimeout: closing its clients,
// flushing logs and metrics.
const stopMargin = 15 * time.Second

// activityPollers is JOB_CONCURRENCY of the stopped worker: the pollers of its Battle.net queue, so the
// most activity tasks a stop can catch in transit.
const activityPollers = 2

// TestGracefulShutdown: the fake Battle.net is bin/fakeblizzard, a process of its own the worker finds
// through the lines it prints, answering every request slowly. Mid-sync, after its /metrics is read,
// the only worker gets SIGTERM: it finishes the activities it is running — the fake sees no request
// abandoned, the histories record every activity as completed at its first attempt, some of them
// completed by the stopping worker after the signal — and exits in time. A second worker finishes the
// sync with exact rows and not one request repeated.
//
// One race is outside the worker's hands: a poll the stopping worker cancels may already have been
// handed an activity task, which the server then counts as started and retries only after its
// start-to-close timeout. A server advertising the worker_poll_complete_on_shutdown capability
// completes outstanding polls instead (the SDK then waits for them), and the test requires no such
// retry; against one that does not (the dev server of Temporal CLI 1.5.1), it allows at most one per
// poller of the stopped worker, each a second attempt after a start-to-close timeout whose first
// attempt made no request (the request counts prove it).
func TestGracefulShutdown(t *testing.T) {
	opts := boards(1001, 120, 40)
	opts.Latency = shutdownLatency
	e := newEnvProcess(t, opts, testdb.New(t))
	tr := e.truth()
	metricsURL := fmt.Sprintf("http://127.0.0.1:%d/metrics", freePort(t))
	a := e.startWorker("worker-a", "PVP_METRICS_ADDR="+strings.TrimSuffix(strings.TrimPrefix(metricsURL, "http://"), "/metrics"),
		"JOB_CONCURRENCY="+strconv.Itoa(activityPollers))
	began := time.Now()
	run := e.startSync(workflows.SyncRegionInput{}, 15*time.Minute)

	e.waitEquipment(tr, 0.25)
	e.checkWorkerMetrics(metricsURL)
	e.waitEquipment(tr, 0.4)
	sigterm := time.Now()
	took := a.term(t, service.StopTimeout+stopMargin)
	t.Logf("SIGTERM worker-a after %s at %d/%d equipment requests: exited after %s", sigterm.Sub(began).Round(time.Second),
		e.api.Stats().Endpoint(fakeblizzard.EndpointEquipment), len(tr.distinct), took.Round(100*time.Millisecond))
	require.False(t, a.alive(), "worker-a exits within %s of SIGTERM", service.StopTimeout+stopMargin)
	assert.NoError(t, a.exitErr, "worker-a exits with status 0")
	n, _ := logLines(a.logPath, "shutting down: finishing running activities")
	assert.Equal(t, 1, n, "worker-a logs its shutdown")
	assert.Zero(t, e.api.Stats().Abandoned, "worker-a abandoned no request mid-flight")

	e.startWorker("worker-b")
	res, err := e.wait(run, 15*time.Minute)
	require.NoError(t, err)
	t.Logf("done after %s: %s", time.Since(began).Round(time.Second), res.Totals.String())
	e.check(res, tr, checkOpts{})

	pollsComplete := e.pollsCompleteOnShutdown()
	h := e.activityHistories(tr, a.pid(), sigterm)
	t.Logf("character activities: %d, %d run by worker-a, %d of them in flight at SIGTERM and completed by worker-a after it; "+
		"retried after a deadlock: %v; caught in transit by the stop: %d (server completes polls on shutdown: %v); workflow tasks timed out or failed: %d",
		h.activities, h.onStopped, h.inFlight, h.deadlockRetries, h.inTransit, pollsComplete, h.workflowTaskTrouble)
	assert.Empty(t, h.problems, "activity histories of the character workflows:\n%s", strings.Join(h.problems, "\n"))
	assert.Positive(t, h.onStopped, "worker-a ran character activities")
	assert.Positive(t, h.inFlight, "the SIGTERM met activities in flight, and worker-a finished them")
	if pollsComplete {
		assert.Zero(t, h.inTransit, "no activity task lost in a poll the stop cancelled")
	} else {
		assert.LessOrEqual(t, h.inTransit, activityPollers, "activity tasks lost in transit: at most one per poller of worker-a")
	}

	st := e.api.Stats()
	assert.Zero(t, st.Abandoned, "no request abandoned mid-flight")
	// Every fetch made its request once (a deadlock retry makes it again); a task lost in transit made
	// none before its second attempt.
	for kind, endpoint := range map[string]string{"FetchEquipment": fakeblizzard.EndpointEquipment,
		"FetchSpecializations": fakeblizzard.EndpointSpecializations, "FetchProfile": fakeblizzard.EndpointProfile} {
		assert.Equal(t, int64(len(tr.distinct)+h.deadlockRetries[kind]), st.Endpoint(endpoint),
			"%s requests: one per character (first sync), none repeated by the stop", endpoint)
	}
}

// pollsCompleteOnShutdown says whether the server completes a stopping worker's outstanding polls
// (namespace capability worker_poll_complete_on_shutdown) rather than leaving the SDK to cancel them.
func (e *env) pollsCompleteOnShutdown() bool {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := e.tc.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "default"})
	require.NoError(e.t, err, "describe namespace")
	return d.GetNamespaceInfo().GetCapabilities().GetWorkerPollCompleteOnShutdown()
}

// activityReport is what the character workflows' histories say about their activities.
type activityReport struct {
	activities          int            // activities scheduled by character workflows
	onStopped           int            // started and completed by the stopped worker
	inFlight            int            // ...of which started before its SIGTERM and completed after it
	deadlockRetries     map[string]int // attempts after a deadlock, by activity type: retried, not because of the stop
	inTransit           int            // second attempts after a start-to-close timeout: tasks a cancelled poll lost
	workflowTaskTrouble int            // workflow tasks timed out or failed (logged only: no activity is re-run for them)
	problems            []string
}

// activityHistories reads the history of every character's workflow and checks its activities: each
// completed, at its first attempt unless a deadlock (not the stop) made it retry or its task was lost
// in transit (counted apart); nothing cancelled, failed or timed out. It counts those run by the
// stopped worker (identity "pid@host...").
func (e *env) activityHistories(tr truth, stoppedPID int, sigterm time.Time) activityReport {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	stopped := strconv.Itoa(stoppedPID) + "@"
	r := activityReport{deadlockRetries: map[string]int{}}
	type activity struct {
		kind                   string
		attempt                int32
		startedBy, completedBy string
		started, completed     time.Time
		close                  enumspb.EventType
		lastFailure            string
		lastFailureType        string
		lastTimeout            enumspb.TimeoutType
	}
	for id := range tr.distinct {
		wid := workflows.CharacterWorkflowID(e.region, id)
		acts := map[int64]*activity{}
		var order []int64
		it := e.tc.GetWorkflowHistory(ctx, wid, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			require.NoError(e.t, err, "history of %s", wid)
			switch ev.GetEventType() {
			case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
				acts[ev.GetEventId()] = &activity{kind: ev.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName()}
				order = append(order, ev.GetEventId())
			case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
				at := ev.GetActivityTaskStartedEventAttributes()
				if a := acts[at.GetScheduledEventId()]; a != nil {
					a.attempt, a.startedBy, a.started = at.GetAttempt(), at.GetIdentity(), ev.GetEventTime().AsTime()
					if f := at.GetLastFailure(); f != nil {
						a.lastFailure, a.lastFailureType = f.GetMessage(), f.GetApplicationFailureInfo().GetType()
						a.lastTimeout = f.GetTimeoutFailureInfo().GetTimeoutType()
					}
				}
			case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
				at := ev.GetActivityTaskCompletedEventAttributes()
				if a := acts[at.GetScheduledEventId()]; a != nil {
					a.close, a.completedBy, a.completed = ev.GetEventType(), at.GetIdentity(), ev.GetEventTime().AsTime()
				}
			case enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED:
				if a := acts[ev.GetActivityTaskFailedEventAttributes().GetScheduledEventId()]; a != nil {
					a.close = ev.GetEventType()
				}
			case enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
				if a := acts[ev.GetActivityTaskTimedOutEventAttributes().GetScheduledEventId()]; a != nil {
					a.close = ev.GetEventType()
				}
			case enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED, enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCELED:
				r.problems = append(r.problems, fmt.Sprintf("%s: %s", wid, ev.GetEventType()))
			case enumspb.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT, enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED:
				r.workflowTaskTrouble++
			}
		}
		for _, sid := range order {
			a := acts[sid]
			r.activities++
			what := fmt.Sprintf("%s %s", wid, a.kind)
			if a.close != enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED {
				r.problems = append(r.problems, fmt.Sprintf("%s: closed %s (attempt %d, started by %s)", what, a.close, a.attempt, a.startedBy))
				continue
			}
			switch {
			case a.attempt <= 1:
			case a.lastFailureType == retry.ErrTypeDeadlock:
				r.deadlockRetries[a.kind] += int(a.attempt - 1)
			case a.attempt == 2 && a.lastTimeout == enumspb.TIMEOUT_TYPE_START_TO_CLOSE:
				r.inTransit++
			default:
				r.problems = append(r.problems, fmt.Sprintf("%s: attempt %d after %q (type %q)", what, a.attempt, a.lastFailure, a.lastFailureType))
				continue
			}
			if strings.HasPrefix(a.startedBy, stopped) && strings.HasPrefix(a.completedBy, stopped) {
				r.onStopped++
				if a.started.Before(sigterm) && a.completed.After(sigterm) {
					r.inFlight++
				}
			}
		}
	}
	return r
}
