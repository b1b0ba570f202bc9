package faults

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"github.com/pvpsync/pvpsync/fakeblizzard"
	"github.com/pvpsync/pvpsync/internal/testdb"
	"github.com/pvpsync/pvpsync/retry"
	"github.com/pvpsync/pvpsync/store"
	"github.com/pvpsync/pvpsync/workflows"
)

// syncThreads is PVP_SYNC_THREADS of every worker: the most Battle.net activities one process has in
// flight, so about the most requests a SIGKILL can make a run repeat.
const syncThreads = 32

// defaultQueue is the Battle.net task queue of the one credential ("default") the workers get from
// BLIZZARD_CLIENT_ID/BLIZZARD_CLIENT_SECRET.
var defaultQueue = workflows.BattlenetQueue("default", "", workflows.ScopeCredential)

// boards is the usual shape: two team boards sharing most of their players and a spec board.
func boards(seed int64, characters, specCharacters int) fakeblizzard.Options {
	return fakeblizzard.Options{
		Seed: seed, Brackets: []string{"3v3", "2v2", "shuffle-mage-frost"},
		Characters: characters, SpecCharacters: specCharacters, PrivateFraction: 0.05,
	}
}

// waitEquipment waits until the fake answered equipment requests for share of the distinct characters.
func (e *env) waitEquipment(tr truth, share float64) {
	e.t.Helper()
	want := share * float64(len(tr.distinct))
	waitFor(e.t, 5*time.Minute, fmt.Sprintf("%.0f%% of the equipment requests", share*100), func() bool {
		return float64(e.api.Stats().Endpoint(fakeblizzard.EndpointEquipment)) >= want
	})
}

// TestWorkerKilled: the only worker is SIGKILLed at ~30 % and ~70 % of the characters and restarted
// each time; the sync completes with exact rows and repeats at most the in-flight requests per kill.
func TestWorkerKilled(t *testing.T) {
	e := newEnv(t, boards(101, 150, 60), testdb.New(t))
	tr := e.truth()
	e.startWorker("worker-1")
	began := time.Now()
	run := e.startSync(workflows.SyncRegionInput{}, 10*time.Minute)

	for i, share := range []float64{0.3, 0.7} {
		e.waitEquipment(tr, share)
		e.workers[len(e.workers)-1].kill(t)
		t.Logf("SIGKILL %d after %s at %d/%d equipment requests", i+1, time.Since(began).Round(time.Second),
			e.api.Stats().Endpoint(fakeblizzard.EndpointEquipment), len(tr.distinct))
		e.startWorker(fmt.Sprintf("worker-%d", i+2))
	}
	res, err := e.wait(run, 10*time.Minute)
	require.NoError(t, err)
	t.Logf("done after %s: %s", time.Since(began).Round(time.Second), res.Totals.String())
	e.check(res, tr, checkOpts{})

	gear, clean, window := gearRequests(e.api.Stats()), 2*len(tr.distinct), 2*syncThreads
	t.Logf("equipment+specializations requests: %d (clean run %d, allowed +%d per kill)", gear, clean, window)
	assert.GreaterOrEqual(t, gear, clean)
	assert.LessOrEqual(t, gear, clean+2*window, "a kill repeats at most the requests in flight")
}

// TestTwoWorkersOneKilled: two workers poll the same queues; one is SIGKILLed mid-run and not
// restarted, and the other finishes the run.
func TestTwoWorkersOneKilled(t *testing.T) {
	e := newEnv(t, boards(202, 150, 60), testdb.New(t))
	tr := e.truth()
	a := e.startWorker("worker-a")
	b := e.startWorker("worker-b")
	// Both must really be serving the queues before one dies.
	for q, kind := range map[string]enumspb.TaskQueueType{
		defaultQueue: enumspb.TASK_QUEUE_TYPE_ACTIVITY, workflows.TaskQueueWorkflows: enumspb.TASK_QUEUE_TYPE_WORKFLOW,
	} {
		waitFor(t, time.Minute, "both workers polling "+q, func() bool {
			ids := e.pollers(q, kind)
			return strings.Contains(ids, strconv.Itoa(a.pid())+"@") && strings.Contains(ids, strconv.Itoa(b.pid())+"@")
		})
	}
	began := time.Now()
	run := e.startSync(workflows.SyncRegionInput{}, 10*time.Minute)
	e.waitEquipment(tr, 0.4)
	a.kill(t)
	t.Logf("SIGKILL worker-a after %s at %d/%d equipment requests", time.Since(began).Round(time.Second),
		e.fake.Stats().Endpoint(fakeblizzard.EndpointEquipment), len(tr.distinct))

	res, err := e.wait(run, 10*time.Minute)
	require.NoError(t, err)
	t.Logf("done after %s: %s", time.Since(began).Round(time.Second), res.Totals.String())
	assert.True(t, b.alive(), "worker-b kept running")
	assert.False(t, a.alive())
	e.check(res, tr, checkOpts{})
	gear, clean := gearRequests(e.api.Stats()), 2*len(tr.distinct)
	t.Logf("equipment+specializations requests: %d (clean run %d)", gear, clean)
	assert.LessOrEqual(t, gear, clean+2*syncThreads, "the kill repeats at most worker-a's requests in flight")
}

func (e *env) pollers(queue string, kind enumspb.TaskQueueType) string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := e.tc.DescribeTaskQueue(ctx, queue, kind)
	if err != nil {
		return ""
	}
	var ids []string
	for _, p := range d.GetPollers() {
		ids = append(ids, p.GetIdentity())
	}
	return strings.Join(ids, " ")
}

// TestPostgresRestarted: the worker's PostgreSQL (a throw-away cluster) is stopped for 10 s mid-sync and
// started again; activities fail and retry with backoff, the worker's pool recovers without a restart
// and the sync completes with exact rows.
func TestPostgresRestarted(t *testing.T) {
	pg := startCluster(t)
	pg.migrate(t)
	e := newEnv(t, boards(303, 150, 60), pg.DSN())
	tr := e.truth()
	w := e.startWorker("worker")
	began := time.Now()
	run := e.startSync(workflows.SyncRegionInput{}, 10*time.Minute)

	e.waitEquipment(tr, 0.3)
	e.db.Reset() // the checker's own pool must not keep dead connections either
	pg.stop(t)
	down := time.Now()
	t.Logf("PostgreSQL stopped after %s at %d/%d equipment requests", time.Since(began).Round(time.Second),
		e.fake.Stats().Endpoint(fakeblizzard.EndpointEquipment), len(tr.distinct))
	time.Sleep(10 * time.Second) // the outage itself
	pg.start(t)
	t.Logf("PostgreSQL back after %s", time.Since(down).Round(100*time.Millisecond))

	res, err := e.wait(run, 10*time.Minute)
	require.NoError(t, err)
	t.Logf("done after %s: %s", time.Since(began).Round(time.Second), res.Totals.String())
	assert.True(t, w.alive(), "the worker process was never restarted")
	assert.Len(t, e.workers, 1)
	n, examples := logLines(w.logPath, "SQLSTATE 57P01", "connection refused", "terminating connection", "conn closed")
	t.Logf("worker log lines about the outage: %d, e.g. %q", n, examples)
	assert.Positive(t, n, "the outage must have reached the activities")
	for _, f := range res.Totals.Failures {
		t.Logf("gave up: character %d on %s: %s", f.BlizzardID, f.Bracket, f.Reason)
	}
	e.check(res, tr, checkOpts{})
}

// Outages sized from the retry policy's own numbers: a request retries for retry.BattlenetRetryWindow()
// (the delays between its retry.BattlenetAttempts attempts). An outage clearly shorter than that window
// is ridden out by every request that meets it; one clearly longer fails the requests that meet it
// early.
var (
	shortOutage = retry.BattlenetRetryWindow() * 2 / 3
	longOutage  = retry.BattlenetRetryWindow() * 3 / 2
)

// TestHostileAPI: 5xx, dropped connections, answers slower than the client's timeout, bursts of 429
// (with and without Retry-After), revoked tokens and a total outage longer than the retry window. The
// sync completes; characters that still fail after their attempts are reported with a reason, never
// counted synced.
func TestHostileAPI(t *testing.T) {
	e := newEnv(t, boards(404, 250, 100), testdb.New(t))
	tr := e.truth()
	e.startWorker("worker")
	hostile := fakeblizzard.Faults{ServerErrorRate: 0.05, DropRate: 0.02, SlowRate: 0.01, SlowDelay: 20 * time.Second}
	began := time.Now()
	run := e.startSync(workflows.SyncRegionInput{}, 12*time.Minute)

	e.waitEquipment(tr, 0.05) // boards stored healthy: the faults are for the characters
	e.fake.SetFaults(hostile)
	// Each burst starts at a share of the characters, so the timeline scales with the box's speed; its
	// length is the scenario, hence the sleep.
	burst := func(share float64, name string, f fakeblizzard.Faults, hold time.Duration) {
		e.waitEquipment(tr, share)
		t.Logf("%s for %s after %s, %d/%d equipment requests", name, hold, time.Since(began).Round(time.Second),
			e.fake.Stats().Endpoint(fakeblizzard.EndpointEquipment), len(tr.distinct))
		e.fake.SetFaults(f)
		time.Sleep(hold)
		e.fake.SetFaults(hostile)
	}
	limited := hostile
	limited.RPS, limited.RetryAfter = 10, true // under the run's request rate
	burst(0.1, "429 burst with Retry-After: 1", limited, 3*time.Second)
	e.waitEquipment(tr, 0.25)
	e.fake.RevokeTokens()
	t.Logf("tokens revoked after %s", time.Since(began).Round(time.Second))
	limited.RetryAfter = false
	burst(0.35, "429 burst without Retry-After", limited, 3*time.Second)
	outage := hostile
	outage.ServerErrorRate = 1
	burst(0.5, fmt.Sprintf("total outage (every request 5xx), longer than the %s retry window", retry.BattlenetRetryWindow()), outage, longOutage)

	res, err := e.wait(run, 12*time.Minute)
	require.NoError(t, err)
	t.Logf("done after %s: %s", time.Since(began).Round(time.Second), res.Totals.String())
	st := e.fake.Stats()
	t.Logf("fake: faults %v, statuses %v, %d answers abandoned by the client", st.Faults, st.ByStatus, st.Abandoned)
	for _, k := range []string{fakeblizzard.FaultServerError, fakeblizzard.FaultDrop, fakeblizzard.FaultSlow, fakeblizzard.FaultRateLimit} {
		assert.Positive(t, st.Faults[k], "fault %s was injected", k)
	}
	assert.Positive(t, st.ByStatus["401"], "revoked tokens were refused at least once")
	assert.Positive(t, st.Abandoned, "answers slower than the client's timeout are abandoned by it")

	got := e.check(res, tr, checkOpts{allowFailures: true})
	p := res.Totals
	assert.Positive(t, p.Failed, "the outage outlasts %d attempts: some characters must be reported failed", retry.BattlenetAttempts)
	assert.Len(t, p.Failures, min(p.Failed, 50), "failures are listed (up to the cap)")
	for _, f := range p.Failures {
		assert.Regexp(t, characterStep, f.Reason)
		assert.NotZero(t, f.BlizzardID)
	}
	t.Logf("%d failed, %d left unprocessed; reasons of the listed failures: %v", p.Failed, len(got.unprocessed), reasonKinds(p.Failures))
}

// TestShortOutage: every Battle.net request answers 5xx for a while shorter than the retry window,
// with nothing else going wrong. Requests that meet the outage retry through it: no character fails,
// and every row matches the truth.
func TestShortOutage(t *testing.T) {
	e := newEnv(t, boards(414, 150, 60), testdb.New(t))
	tr := e.truth()
	e.startWorker("worker")
	began := time.Now()
	run := e.startSync(workflows.SyncRegionInput{}, 10*time.Minute)

	e.waitEquipment(tr, 0.25)
	before := e.fake.Stats()
	e.fake.SetFaults(fakeblizzard.Faults{ServerErrorRate: 1})
	t.Logf("total outage for %s (retry window %s: %d attempts) after %s, %d/%d equipment requests", shortOutage,
		retry.BattlenetRetryWindow(), retry.BattlenetAttempts, time.Since(began).Round(time.Second),
		before.Endpoint(fakeblizzard.EndpointEquipment), len(tr.distinct))
	time.Sleep(shortOutage) // the outage itself
	e.fake.SetFaults(fakeblizzard.Faults{})
	during := e.fake.Stats().Faults[fakeblizzard.FaultServerError]

	res, err := e.wait(run, 10*time.Minute)
	require.NoError(t, err)
	t.Logf("done after %s: %s", time.Since(began).Round(time.Second), res.Totals.String())
	require.Positive(t, during, "the outage met requests")
	gear, clean := gearRequests(e.fake.Stats()), 2*len(tr.distinct)
	t.Logf("%d requests answered 5xx during the outage; equipment+specializations requests: %d (clean run %d)", during, gear, clean)
	assert.Greater(t, gear, clean, "requests that met the outage were retried")
	e.check(res, tr, checkOpts{}) // no failure allowed
}

// reasonKinds counts failures by the kind of their last error.
func reasonKinds(fs []workflows.Failure) map[string]int {
	kinds := map[string]int{}
	for _, f := range fs {
		k := "other"
		for _, c := range []string{"HTTP 429", "HTTP 5", "timeout", "Client.Timeout", "EOF", "reset", "Database", "Decode"} {
			if strings.Contains(f.Reason, c) {
				k = c
				break
			}
		}
		kinds[k]++
	}
	return kinds
}

// TestMalformedPayloads: after a clean run, characters change gear and a second run (idle detection off
// and TTL 0, so every character is asked again, conditionally) gets some truncated or renamed-key
// bodies. Those characters are reported failed with a Decode reason; nothing of theirs is written (their
// earlier snapshot, their current state and its Last-Modified stay, no malformed body is kept) and
// the rest of the run is unaffected. A third run, without faults, syncs exactly them.
func TestMalformedPayloads(t *testing.T) {
	e := newEnv(t, boards(505, 150, 60), testdb.New(t))
	tr := e.truth()
	w1 := e.startWorker("worker-run1")
	res1 := e.syncOK(workflows.SyncRegionInput{}, 10*time.Minute)
	e.check(res1, tr, checkOpts{})
	w1.stop(30 * time.Second)

	entries1 := e.entryStates(res1.SnapshotAt)
	chars1 := e.characterStates()
	changed := e.changeGear(tr.public() / 2)
	isChanged := map[int64]bool{}
	for _, id := range changed {
		isChanged[id] = true
	}
	e.fake.SetFaults(fakeblizzard.Faults{MalformedRate: 0.03})
	e.fake.ResetStats()
	askAll := []string{"PVP_IDLE_MAX_AGE=0", "PVP_EQUIPMENT_SNAPSHOT_TTL_HOURS=0"}
	w2 := e.startWorker("worker-run2", askAll...)
	res2 := e.syncOK(workflows.SyncRegionInput{}, 10*time.Minute)
	st := e.fake.Stats()
	t.Logf("malformed bodies served: %d", st.Faults[fakeblizzard.FaultMalformed])
	require.Positive(t, st.Faults[fakeblizzard.FaultMalformed])

	got := e.check(res2, tr, checkOpts{allowFailures: true})
	p := res2.Totals
	assert.Positive(t, p.Failed)
	assert.Equal(t, tr.public()-len(changed), p.NotModified, "unchanged characters answer 304 and are unaffected")
	for _, f := range p.Failures {
		assert.Contains(t, f.Reason, "Decode", "failure of %d", f.BlizzardID)
		assert.True(t, isChanged[f.BlizzardID], "only characters whose gear changed get a 200 body to break")
	}
	require.NotEmpty(t, got.unprocessed)

	// Nothing of the failed characters is written: the first snapshot is intact, their state (gear
	// build, Last-Modified values) is the earlier one, so the next run asks again unconditionally, and
	// their entries of the new snapshot carry nothing. A character on two boards is tried by each: a
	// side one try decoded may have stored its (well-formed) payload, which the next try reuses.
	assert.Equal(t, entries1, e.entryStates(res1.SnapshotAt), "entries of the first snapshot")
	chars2 := e.characterStates()
	entries2 := e.entryStates(res2.SnapshotAt)
	for bid := range got.unprocessed {
		if tr.private[bid] {
			continue
		}
		assert.Equal(t, chars1[bid], chars2[bid], "character %d %v: its state is the earlier one", bid, got.reasons[bid])
		assert.Empty(t, entries2.of(bid), "character %d %v: nothing written at the new snapshot", bid, got.reasons[bid])
	}
	assert.Zero(t, e.count(`SELECT count(*) FROM character_payloads
WHERE (side = 'equipment' AND NOT body ? 'equipped_items') OR (side = 'specializations' AND NOT body ? 'specializations')`),
		"no malformed body is stored")
	t.Logf("%d reported failed, %d left on their earlier state", p.Failed, len(got.unprocessed))

	// Run 3, healthy: the characters left behind are synced (their state kept its old Last-Modified,
	// so they get a 200), everybody else answers 304.
	w2.stop(30 * time.Second)
	e.fake.SetFaults(fakeblizzard.Faults{})
	e.startWorker("worker-run3", askAll...)
	res3 := e.syncOK(workflows.SyncRegionInput{}, 10*time.Minute)
	e.check(res3, tr, checkOpts{})
	behind := 0
	for bid := range got.unprocessed {
		if !tr.private[bid] {
			behind++
		}
	}
	assert.Equal(t, behind, res3.Totals.Synced, "exactly the characters the malformed run left behind are synced")
	assert.Equal(t, tr.public()-behind, res3.Totals.NotModified)
}

// entryStates is what each entry of a snapshot references, by entry id.
type entryStates map[int64]entryState

type entryState struct {
	blizzardID int64
	spec       int    // the board's spec (shuffle boards) or the processed character's
	written    string // gear build, loadout, processed time: "" until the character is processed
}

func (e *env) entryStates(snap time.Time) entryStates {
	e.t.Helper()
	rows, err := e.db.Query(context.Background(), `SELECT e.id, c.blizzard_id, COALESCE(e.spec_id, 0),
       concat_ws('/', e.gear_build_id, e.talent_loadout_id, e.processed_at)
FROM pvp_leaderboard_entries e JOIN characters c ON c.id = e.character_id WHERE e.snapshot_at = $1`, snap)
	require.NoError(e.t, err)
	out := entryStates{}
	for rows.Next() {
		var id int64
		var s entryState
		require.NoError(e.t, rows.Scan(&id, &s.blizzardID, &s.spec, &s.written))
		out[id] = s
	}
	require.NoError(e.t, rows.Err())
	return out
}

// of lists what was written on one character's entries.
func (es entryStates) of(blizzardID int64) []string {
	var out []string
	for _, s := range es {
		if s.blizzardID == blizzardID && s.written != "" {
			out = append(out, s.written)
		}
	}
	return out
}

// characterStates is every character's current state, by Battle.net id: what its next entries copy
// (gear build, spec, loadouts) and its next requests send (Last-Modified values).
func (e *env) characterStates() map[int64]string {
	e.t.Helper()
	rows, err := e.db.Query(context.Background(), `SELECT blizzard_id,
       concat_ws('/', gear_build_id, talent_spec_id, equipment_last_modified, specializations_last_modified,
                 (SELECT string_agg(spec_id || ':' || talent_loadout_id, ',' ORDER BY spec_id) FROM character_loadouts l WHERE l.character_id = c.id))
FROM characters c`)
	require.NoError(e.t, err)
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var s string
		require.NoError(e.t, rows.Scan(&id, &s))
		out[id] = s
	}
	require.NoError(e.t, rows.Err())
	return out
}

// TestEmptyBoards: Battle.net answers empty boards after a clean run: the region result marks them
// empty and says the previous snapshot stays the latest; nothing is written.
func TestEmptyBoards(t *testing.T) {
	e := newEnv(t, boards(606, 150, 60), testdb.New(t))
	tr := e.truth()
	e.startWorker("worker")
	res1 := e.syncOK(workflows.SyncRegionInput{}, 10*time.Minute)
	e.check(res1, tr, checkOpts{})
	counts := func() map[string]int {
		out := map[string]int{}
		for _, table := range []string{"pvp_leaderboard_entries", "characters", "gear_builds", "talent_loadouts", "character_payloads"} {
			out[table] = e.count(`SELECT count(*) FROM ` + table)
		}
		return out
	}
	before := counts()

	e.fake.SetFaults(fakeblizzard.Faults{EmptyBoards: true})
	e.fake.ResetStats()
	res2 := e.syncOK(workflows.SyncRegionInput{}, 5*time.Minute)
	require.Len(t, res2.Brackets, len(e.brackets))
	key := res1.SnapshotAt.UTC().Format(time.RFC3339)
	for _, b := range res2.Brackets {
		assert.Equal(t, workflows.BracketEmpty, b.Status, "%s: %s", b.Bracket, b.Error)
		assert.Contains(t, b.Note, "stays the latest", b.Bracket)
		assert.Contains(t, b.Note, key, "%s: the note names the snapshot that stays", b.Bracket)
		assert.Empty(t, b.WorkflowID, "no leaderboard workflow for an empty board")
	}
	assert.Zero(t, res2.Totals.Total)
	assert.Zero(t, res2.Failed)
	assert.Equal(t, before, counts(), "nothing written")
	assert.Zero(t, e.count(`SELECT count(*) FROM pvp_leaderboard_entries WHERE snapshot_at = $1`, res2.SnapshotAt))
	st := e.fake.Stats()
	assert.Zero(t, st.Endpoint(fakeblizzard.EndpointEquipment), "no character synced from an empty board")

	s, err := store.Open(context.Background(), e.dsn)
	require.NoError(t, err)
	defer s.Close()
	for _, b := range e.brackets {
		var lb int64
		require.NoError(t, e.db.QueryRow(context.Background(), `SELECT id FROM pvp_leaderboards WHERE region = $1 AND bracket = $2`, e.region, b).Scan(&lb))
		at, n, ok, err := s.LatestSnapshot(context.Background(), lb)
		require.NoError(t, err)
		require.True(t, ok, b)
		assert.True(t, at.Equal(res1.SnapshotAt), "%s: latest snapshot %s, want the first run's %s", b, at, res1.SnapshotAt)
		assert.Equal(t, len(tr.boards[b]), n, b)
	}
}

// TestConcurrentBoards: every board of the region at once, many characters on several boards. No
// failure reaches a workflow and no duplicate key error happens; deadlocks are counted. The database is a
// throw-away cluster of the test's own, so its server log shows the errors of every statement, local
// activities included (the SDK does not log a failed local activity, so the worker log misses those).
func TestConcurrentBoards(t *testing.T) {
	pg := startCluster(t)
	pg.migrate(t)
	opts := fakeblizzard.Options{Seed: 707, Characters: 150, SpecCharacters: 60, PrivateFraction: 0.05,
		Brackets: []string{"3v3", "2v2", "rbg", "shuffle-mage-frost", "shuffle-mage-fire", "shuffle-mage-arcane"}}
	e := newEnv(t, opts, pg.DSN())
	tr := e.truth()
	require.Greater(t, tr.entries, len(tr.distinct)*3/2, "the boards must share many characters")
	w := e.startWorker("worker")
	res := e.syncOK(workflows.SyncRegionInput{BoardConcurrency: len(opts.Brackets)}, 10*time.Minute)
	e.check(res, tr, checkOpts{})
	assert.Zero(t, res.Failed)

	dup, ex := logLines(w.logPath, "duplicate key", "SQLSTATE 23505")
	assert.Zero(t, dup, "duplicate key errors in the worker log: %q", ex)
	pgDup, ex := logLines(pg.logPath, "duplicate key value violates unique constraint")
	assert.Zero(t, pgDup, "duplicate key errors in the PostgreSQL log: %q", ex)
	workerDeadlocks, _ := logLines(w.logPath, "Deadlock", "40P01", "deadlock detected")
	pgDeadlocks, ex := logLines(pg.logPath, "deadlock detected")
	statDeadlocks := e.count(`SELECT deadlocks::int FROM pg_stat_database WHERE datname = current_database()`)
	t.Logf("%d entries, %d distinct characters on %d boards at once: deadlocks: %d in the worker log, %d in the PostgreSQL log, %d in pg_stat_database %q",
		tr.entries, len(tr.distinct), len(opts.Brackets), workerDeadlocks, pgDeadlocks, statDeadlocks, ex)
}

// TestStuckRunTimesOut: a run whose fake turns unusable ends at its execution timeout with a clear
// status; its character workflows are terminated with it, and a new run right after completes.
func TestStuckRunTimesOut(t *testing.T) {
	e := newEnv(t, boards(808, 150, 60), testdb.New(t))
	tr := e.truth()
	e.startWorker("worker")
	const timeout = 90 * time.Second
	began := time.Now()
	// A small window keeps most characters waiting, so the run cannot finish before its deadline.
	run := e.startSync(workflows.SyncRegionInput{Window: 5}, timeout)
	e.waitEquipment(tr, 0.02)
	e.fake.SetFaults(fakeblizzard.Faults{ServerErrorRate: 1})
	t.Logf("fake unusable after %s", time.Since(began).Round(time.Second))
	var boardIDs []string
	waitFor(t, time.Minute, "the leaderboard workflows to start", func() bool {
		boardIDs = e.runningBoards(run.GetID())
		return len(boardIDs) > 0
	})

	_, err := e.wait(run, timeout+2*time.Minute)
	elapsed := time.Since(began)
	require.Error(t, err)
	t.Logf("run.Get after %s: %v", elapsed.Round(time.Second), err)
	var te *temporal.TimeoutError
	assert.True(t, errors.As(err, &te) || strings.Contains(strings.ToLower(err.Error()), "timeout"),
		"the error says the run timed out: %v", err)
	assert.Less(t, elapsed, timeout+30*time.Second, "the run ends at its timeout")
	d, err := e.tc.DescribeWorkflow(context.Background(), run.GetID(), run.GetRunID())
	require.NoError(t, err)
	assert.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT, d.RawResponse.WorkflowExecutionInfo.Status)

	// ParentClosePolicy TERMINATE: boards and characters of the dead run are closed too (asynchronously).
	var running, terminated int
	waitFor(t, 2*time.Minute, "the dead run's children to be closed", func() bool {
		running, terminated = e.characterStatuses(tr)
		return running == 0
	})
	t.Logf("character workflows of the timed-out run: %d terminated, none running", terminated)
	assert.Positive(t, terminated, "characters in flight were terminated with their parent")
	for _, id := range boardIDs {
		d, err := e.tc.DescribeWorkflow(context.Background(), id, "")
		require.NoError(t, err)
		assert.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED, d.RawResponse.WorkflowExecutionInfo.Status, id)
	}

	e.fake.SetFaults(fakeblizzard.Faults{})
	res := e.syncOK(workflows.SyncRegionInput{}, 10*time.Minute)
	e.check(res, tr, checkOpts{})
}

// runningBoards asks a region run's progress query for the leaderboard workflows it started.
func (e *env) runningBoards(regionID string) []string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := e.tc.QueryWorkflow(ctx, regionID, "", workflows.ProgressQuery)
	if err != nil {
		return nil
	}
	var r workflows.SyncRegionResult
	if v.Get(&r) != nil {
		return nil
	}
	var ids []string
	for _, b := range r.Brackets {
		if b.Status == workflows.BracketRunning {
			ids = append(ids, b.WorkflowID)
		}
	}
	return ids
}

// characterStatuses describes the character workflow of every character on the boards.
func (e *env) characterStatuses(tr truth) (running, terminated int) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for id := range tr.distinct {
		d, err := e.tc.DescribeWorkflow(ctx, workflows.CharacterWorkflowID(e.region, id), "")
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			continue
		}
		require.NoError(e.t, err)
		switch d.RawResponse.WorkflowExecutionInfo.Status {
		case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
			running++
		case enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED:
			terminated++
		}
	}
	return running, terminated
}
