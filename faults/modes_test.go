package faults

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/pvpsync/pvpsync/fakeblizzard"
	"github.com/pvpsync/pvpsync/internal/testdb"
	"github.com/pvpsync/pvpsync/workflows"
)

// TestRPSBelowLimit: the fake allows 20 requests per second per client (a token bucket, as Battle.net
// lets a short burst through) and the worker is configured under it, PVP_SYNC_RPS=15 with no hourly
// constraint. No request is answered 429; over every 10 s the worker stays within its rate plus one
// second's worth, and no second holds more than the fake allows.
func TestRPSBelowLimit(t *testing.T) {
	const fakeRPS, rps = 20, 15
	opts := boards(1505, 60, 20)
	opts.RPS = fakeRPS
	e := newEnv(t, opts, testdb.New(t))
	tr := e.truth()
	e.startWorker("worker", "PVP_SYNC_RPS=15") // PVP_SYNC_RPH stays far above: RPS is the budget
	res := e.syncOK(workflows.SyncRegionInput{}, 10*time.Minute)
	e.check(res, tr, checkOpts{})

	id := e.fake.ClientID()
	st := e.fake.Stats()
	second, tens := e.fake.PeakWindow(id, time.Second), e.fake.PeakWindow(id, 10*time.Second)
	t.Logf("%d requests, %d answered 429; busiest second %d (fake allows %d), busiest 10 s %d (limit %d)",
		st.ByClient[id].Requests, st.ByClient[id].RateLimited, second, fakeRPS, tens, 10*rps+rps)
	assert.Zero(t, st.ByClient[id].RateLimited, "429 answers")
	assert.LessOrEqual(t, second, fakeRPS, "busiest second")
	assert.LessOrEqual(t, tens, 10*rps+rps, "busiest 10 s: the configured rate plus one second's worth")
	assert.Greater(t, int(st.ByClient[id].Requests), 10*rps+rps, "the run spans more than the window")
}

// TestQueuesSplit: PVP_QUEUES splits pvpsync over two processes, one running the workflows and the
// processing queue, the other the Battle.net queues. Each polls only its own queues, all the requests
// are made by the second, and the sync completes with exact rows.
func TestQueuesSplit(t *testing.T) {
	e := newEnv(t, boards(1606, 60, 20), testdb.New(t))
	tr := e.truth()
	orch := e.startWorker("worker-workflows", "PVP_QUEUES=workflows,processing")
	fetch := e.startWorker("worker-sync", "PVP_QUEUES=sync")
	for _, q := range []struct {
		name    string
		kind    enumspb.TaskQueueType
		by, not *workerProc
	}{
		{workflows.TaskQueueWorkflows, enumspb.TASK_QUEUE_TYPE_WORKFLOW, orch, fetch},
		{workflows.TaskQueueProcessing, enumspb.TASK_QUEUE_TYPE_ACTIVITY, orch, fetch},
		{defaultQueue, enumspb.TASK_QUEUE_TYPE_ACTIVITY, fetch, orch},
	} {
		waitFor(t, time.Minute, q.by.name+" polling "+q.name, func() bool {
			return strings.Contains(e.pollers(q.name, q.kind), pidAt(q.by))
		})
		assert.NotContains(t, e.pollers(q.name, q.kind), pidAt(q.not), "%s polls %s", q.not.name, q.name)
	}

	res := e.syncOK(workflows.SyncRegionInput{}, 10*time.Minute)
	e.check(res, tr, checkOpts{})
	byOrch := requestsBy(t, orch.metricsURL(t), battlenetDefault)[battlenetDefault]
	byFetch := requestsBy(t, fetch.metricsURL(t), battlenetDefault)[battlenetDefault]
	t.Logf("equipment requests: %.0f by %s, %.0f by %s (fake answered %d)", byOrch, orch.name, byFetch, fetch.name,
		e.fake.Stats().Endpoint(fakeblizzard.EndpointEquipment))
	assert.Zero(t, byOrch, "the workflows process makes no Battle.net request")
	assert.Equal(t, float64(e.fake.Stats().Endpoint(fakeblizzard.EndpointEquipment)), byFetch, "the sync process makes them all")
}

// pidAt is how a worker's poller identity starts ("pid@host").
func pidAt(w *workerProc) string { return strconv.Itoa(w.pid()) + "@" }

// TestLocalFetch: a run with local_fetch makes its character requests as local activities of the
// workflow worker (no task on the credential's queue): the character workflows' histories hold markers,
// not activity tasks. It completes with exact rows, each character's equipment asked once.
func TestLocalFetch(t *testing.T) {
	e := newEnv(t, boards(1707, 60, 20), testdb.New(t))
	tr := e.truth()
	e.startWorker("worker")
	res := e.syncOK(workflows.SyncRegionInput{LocalFetch: true}, 10*time.Minute)
	e.check(res, tr, checkOpts{})
	assert.Equal(t, int64(len(tr.distinct)), e.fake.Stats().Endpoint(fakeblizzard.EndpointEquipment), "equipment requests: one per character")

	// A character on one board only has one run of its workflow (one on two boards may have a second,
	// deduplicated run as its latest).
	boardsOf := map[int64]int{}
	for _, ids := range tr.boards {
		for _, id := range ids {
			boardsOf[id]++
		}
	}
	checked := 0
	for id := range tr.distinct {
		if tr.private[id] || boardsOf[id] > 1 || checked == 3 {
			continue
		}
		scheduled, markers := e.historyEvents(workflows.CharacterWorkflowID(e.region, id))
		assert.Zero(t, scheduled, "character %d: activity tasks scheduled", id)
		assert.GreaterOrEqual(t, markers, 4, "character %d: local activities (prepare, equipment, specializations, commit)", id)
		checked++
	}
	require.Equal(t, 3, checked, "characters whose histories were read")
}

// historyEvents counts a workflow's scheduled activity tasks and recorded markers (local activities).
func (e *env) historyEvents(id string) (scheduled, markers int) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	it := e.tc.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(e.t, err, "history of %s", id)
		switch ev.GetEventType() {
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			scheduled++
		case enumspb.EVENT_TYPE_MARKER_RECORDED:
			markers++
		}
	}
	return scheduled, markers
}
