package faults

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/fakeblizzard"
	"github.com/pvpsync/pvpsync/internal/testdb"
	"github.com/pvpsync/pvpsync/workflows"
)

// syncThreads is PVP_SYNC_THREADS of every worker: the most Battle.net activities one process has in
// flight, so the most requests a SIGKILL can make a run repeat.
const syncThreads = 32

// boards is the usual shape: two team boards sharing most of their players and a spec board.
func boards(seed int64, characters, specCharacters int) fakeblizzard.Options {
	return fakeblizzard.Options{
		Seed: seed, Brackets: []string{"3v3", "2v2", "shuffle-mage-frost"},
		Characters: characters, SpecCharacters: specCharacters, PrivateFraction: 0.05,
	}
}

// TestWorkerKilled: the only worker is SIGKILLed at ~30 % and ~70 % of the characters and restarted
// each time; the sync completes with exact rows and repeats at most the in-flight requests per kill.
func TestWorkerKilled(t *testing.T) {
	e := newEnv(t, boards(101, 400, 150), testdb.New(t))
	tr := e.truth()
	e.startWorker("worker-1")
	run := e.startSync(workflows.SyncRegionInput{}, 10*time.Minute)

	distinct := len(tr.distinct)
	for i, share := range []float64{0.3, 0.7} {
		waitFor(t, 5*time.Minute, "equipment requests to pass a share of the characters", func() bool {
			return float64(e.fake.Stats().Endpoint(fakeblizzard.EndpointEquipment)) >= share*float64(distinct)
		})
		w := e.workers[len(e.workers)-1]
		w.kill(t)
		t.Logf("kill %d at %d/%d equipment requests", i+1, e.fake.Stats().Endpoint(fakeblizzard.EndpointEquipment), distinct)
		e.startWorker("worker-" + string(rune('2'+i)))
	}
	res, err := e.wait(run, 10*time.Minute)
	require.NoError(t, err)
	t.Logf("result: %s", res.Totals.String())
	e.check(res, tr, checkOpts{})

	gear := e.fake.Gear()
	clean := 2 * distinct
	t.Logf("equipment+specializations requests: %d (clean run %d, allowed +%d)", gear, clean, 2*2*syncThreads)
	assert.GreaterOrEqual(t, gear, clean)
	assert.LessOrEqual(t, gear, clean+2*2*syncThreads, "a kill repeats at most the requests in flight")
}

var _ = context.Background
