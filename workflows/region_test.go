package workflows_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/pvpsync/pvpsync/activities"
	"github.com/pvpsync/pvpsync/retry"
	"github.com/pvpsync/pvpsync/workflows"
)

var seasonBrackets = []string{"2v2", "3v3", "shuffle-overall", "shuffle-mage-frost", "blitz-overall"}

// regionMocks stands in for Routes, DiscoverSeason, SaveBoard and the SyncLeaderboard children.
type regionMocks struct {
	// saveErr fails SaveBoard for a bracket; boards of every other bracket are stored with
	// boardEntries[bracket] entries under leaderboard id boardIDs[bracket].
	saveErr map[string]error
	// saveOutage fails SaveBoard for a bracket as a Battle.net 503 does (through retry.AsTemporal),
	// noting each attempt's workflow time on saveClock.
	saveOutage map[string]bool
	saveClock  *callClock
	childErr   map[string]error
	empty      map[string]bool
	routes     activities.RoutesResult
	// childTime is how long each child runs (workflow time).
	childTime time.Duration

	mu               sync.Mutex
	routesIn         []activities.RoutesInput
	discoverIn       []activities.DiscoverSeasonInput
	discoverQueue    string
	saved            []activities.SaveBoardInput
	saveQueues       map[string]string
	children         []workflows.SyncLeaderboardInput
	childIDs         map[string]string
	running, maxSeen int
}

var (
	boardEntries = map[string]int{"2v2": 10, "3v3": 20, "shuffle-mage-frost": 30, "shuffle-overall": 40, "blitz-overall": 50, "rbg": 60}
	boardIDs     = map[string]int64{"2v2": 1, "3v3": 2, "shuffle-mage-frost": 3, "shuffle-overall": 4, "blitz-overall": 5, "rbg": 6}
)

func (m *regionMocks) install(env *testsuite.TestWorkflowEnvironment) {
	m.childIDs, m.saveQueues = map[string]string{}, map[string]string{}
	env.OnActivity(acts.Routes, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RoutesInput) (activities.RoutesResult, error) {
			m.mu.Lock()
			defer m.mu.Unlock()
			m.routesIn = append(m.routesIn, in)
			return m.routes, nil
		})
	env.OnActivity(acts.DiscoverSeason, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.DiscoverSeasonInput) (activities.DiscoverSeasonResult, error) {
			m.mu.Lock()
			defer m.mu.Unlock()
			m.discoverIn = append(m.discoverIn, in)
			m.discoverQueue = activity.GetInfo(ctx).TaskQueue
			return activities.DiscoverSeasonResult{Season: 40, SeasonName: "The War Within Season 3", Brackets: seasonBrackets, Requests: 3}, nil
		})
	env.OnActivity(acts.SaveBoard, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.SaveBoardInput) (activities.SaveBoardResult, error) {
			m.mu.Lock()
			defer m.mu.Unlock()
			m.saved = append(m.saved, in)
			m.saveQueues[in.Bracket] = activity.GetInfo(ctx).TaskQueue
			if err := m.saveErr[in.Bracket]; err != nil {
				return activities.SaveBoardResult{Requests: 1}, err
			}
			if m.saveOutage[in.Bracket] {
				m.saveClock.tick()
				return activities.SaveBoardResult{Requests: 1}, retry.AsTemporal(ctx, "read board "+in.Bracket, serverError())
			}
			if m.empty[in.Bracket] {
				return activities.SaveBoardResult{LeaderboardID: boardIDs[in.Bracket], Empty: true, Requests: 1}, nil
			}
			n := boardEntries[in.Bracket]
			return activities.SaveBoardResult{LeaderboardID: boardIDs[in.Bracket], Entries: n, Characters: n, Inserted: n, Requests: 1}, nil
		})
	// Each child reports every character of its board synced, one request each, on top of the
	// progress it was started with.
	env.OnWorkflow(workflows.SyncLeaderboardName, mock.Anything, mock.Anything).Return(
		func(ctx workflow.Context, in workflows.SyncLeaderboardInput) (workflows.SyncLeaderboardResult, error) {
			m.mu.Lock()
			m.children = append(m.children, in)
			m.childIDs[in.Bracket] = workflow.GetInfo(ctx).WorkflowExecution.ID
			err := m.childErr[in.Bracket]
			m.running++
			m.maxSeen = max(m.maxSeen, m.running)
			m.mu.Unlock()
			if m.childTime > 0 {
				if err := workflow.Sleep(ctx, m.childTime); err != nil {
					return workflows.SyncLeaderboardResult{}, err
				}
			}
			m.mu.Lock()
			m.running--
			m.mu.Unlock()
			if err != nil {
				return workflows.SyncLeaderboardResult{}, err
			}
			p := in.Progress
			p.Done, p.Synced, p.Requests = p.Total, p.Total, p.Requests+p.Total
			return workflows.SyncLeaderboardResult{Region: in.Region, Bracket: in.Bracket, Season: in.Season,
				SnapshotAt: in.SnapshotAt, LeaderboardID: in.LeaderboardID, Progress: p}, nil
		})
}

func (m *regionMocks) savedBrackets() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, s := range m.saved {
		out = append(out, s.Bracket)
	}
	return out
}

func (m *regionMocks) childBrackets() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, c := range m.children {
		out = append(out, c.Bracket)
	}
	return out
}

// twoCreds is what most region tests are started with.
func twoCreds() *activities.RoutesResult {
	return &activities.RoutesResult{Credentials: []string{"c1", "c2"}, Scope: workflows.ScopeCredential}
}

func runRegion(t *testing.T, m *regionMocks, in workflows.SyncRegionInput) (workflows.SyncRegionResult, error) {
	t.Helper()
	env, _ := newEnv(t)
	return runRegionWith(t, env, m, in)
}

func runRegionWith(t *testing.T, env *testsuite.TestWorkflowEnvironment, m *regionMocks, in workflows.SyncRegionInput) (workflows.SyncRegionResult, error) {
	t.Helper()
	m.install(env)
	env.ExecuteWorkflow(workflows.SyncRegionName, in)
	require.True(t, env.IsWorkflowCompleted())
	var res workflows.SyncRegionResult
	err := env.GetWorkflowError()
	if err == nil {
		require.NoError(t, env.GetWorkflowResult(&res))
	}
	return res, err
}

func bracketsByName(res workflows.SyncRegionResult) map[string]workflows.BracketSummary {
	out := map[string]workflows.BracketSummary{}
	for _, b := range res.Brackets {
		out[b.Bracket] = b
	}
	return out
}

func TestSyncRegionSkipsOverallBoards(t *testing.T) {
	m := &regionMocks{}
	env, rec := newEnv(t)
	res, err := runRegionWith(t, env, m, workflows.SyncRegionInput{Region: "eu", Window: 50, PageSize: 200, Routes: twoCreds()})
	require.NoError(t, err)

	assert.ElementsMatch(t, []string{"2v2", "3v3", "shuffle-mage-frost"}, m.savedBrackets())
	assert.ElementsMatch(t, []string{"2v2", "3v3", "shuffle-mage-frost"}, m.childBrackets())
	assert.Equal(t, []activities.DiscoverSeasonInput{{Region: "eu", Credential: "c1"}}, m.discoverIn)
	assert.Equal(t, "pvp-sync.c1", m.discoverQueue, "discovery runs on the first credential's queue")

	assert.Equal(t, int64(40), res.Season)
	assert.Equal(t, "The War Within Season 3", res.SeasonName)
	assert.Equal(t, 0, res.Failed)
	var order []string
	for _, b := range res.Brackets {
		order = append(order, b.Bracket)
		assert.Equal(t, workflows.BracketCompleted, b.Status, b.Bracket)
		assert.Equal(t, boardEntries[b.Bracket], b.Entries, b.Bracket)
		assert.Equal(t, boardIDs[b.Bracket], b.LeaderboardID, b.Bracket)
		assert.Equal(t, workflows.LeaderboardWorkflowID("eu", b.Bracket, res.SnapshotAt), b.WorkflowID)
		assert.Equal(t, b.WorkflowID, m.childIDs[b.Bracket], "the child runs under the id the summary names")
		assert.Equal(t, workflows.Progress{Total: b.Entries, Done: b.Entries, Synced: b.Entries, Requests: 1 + b.Entries}, b.Progress)
	}
	assert.Equal(t, []string{"2v2", "3v3", "shuffle-mage-frost"}, order, "index order")
	assert.Equal(t, workflows.Progress{Total: 60, Done: 60, Synced: 60, Requests: 3 + 3 + 60}, res.Totals, "discovery, boards, characters")

	// Every board is stored under one snapshot, spread over the credentials by index, and each child is
	// given its stored board and the routes.
	creds := map[string]string{"2v2": "c1", "3v3": "c2", "shuffle-mage-frost": "c1"}
	for _, s := range m.saved {
		assert.Equal(t, activities.SaveBoardInput{Region: "eu", Season: 40, Bracket: s.Bracket, SnapshotAt: res.SnapshotAt,
			Credential: creds[s.Bracket]}, s)
		assert.Equal(t, "pvp-sync."+creds[s.Bracket], m.saveQueues[s.Bracket])
	}
	for _, c := range m.children {
		assert.Equal(t, workflows.SyncLeaderboardInput{
			Region: "eu", Bracket: c.Bracket, Season: 40, SnapshotAt: res.SnapshotAt, Window: 50, PageSize: 200,
			LeaderboardID: boardIDs[c.Bracket], Progress: workflows.Progress{Total: boardEntries[c.Bracket], Requests: 1},
			Routes: twoCreds(),
		}, c)
	}
	var summaries []string
	for _, c := range rec.childrenOf(workflows.SyncLeaderboardName) {
		summaries = append(summaries, c.Options.StaticSummary)
		assert.Equal(t, retry.Child(), c.Options.RetryPolicy)
	}
	assert.ElementsMatch(t, []string{"2v2 · eu · 10 characters", "3v3 · eu · 20 characters", "shuffle-mage-frost · eu · 30 characters"}, summaries)
	assert.Empty(t, m.routesIn, "routes were given")
}

// Without routes in the input, the worker is asked once, and every board and child uses its answer.
func TestSyncRegionAsksForRoutesOnce(t *testing.T) {
	m := &regionMocks{routes: activities.RoutesResult{Credentials: []string{"w1", "w2", "w3"}, Scope: workflows.ScopeRegion}}
	res, err := runRegion(t, m, workflows.SyncRegionInput{Region: "eu", LocalFetch: true, Locale: "de_DE"})
	require.NoError(t, err)

	assert.Equal(t, []activities.RoutesInput{{Region: "eu"}}, m.routesIn)
	assert.Equal(t, "pvp-sync.w1.eu", m.discoverQueue)
	assert.Equal(t, map[string]string{"2v2": "pvp-sync.w1.eu", "3v3": "pvp-sync.w2.eu", "shuffle-mage-frost": "pvp-sync.w3.eu"}, m.saveQueues)
	require.Len(t, m.children, 3)
	for _, c := range m.children {
		assert.Equal(t, &m.routes, c.Routes, "children never ask again")
		assert.True(t, c.LocalFetch)
		assert.Equal(t, "de_DE", c.Locale)
	}
	for _, s := range m.saved {
		assert.Equal(t, "de_DE", s.Locale)
	}
	assert.Equal(t, 0, res.Failed)
}

func TestSyncRegionRequestedBrackets(t *testing.T) {
	m := &regionMocks{}
	// An overall board asked for by name is synced; a duplicate is dropped; rbg is not in this season.
	res, err := runRegion(t, m, workflows.SyncRegionInput{Region: "eu", Brackets: []string{"3v3", "shuffle-overall", "rbg", "3v3"}, Routes: twoCreds()})
	require.NoError(t, err)

	assert.ElementsMatch(t, []string{"3v3", "shuffle-overall"}, m.savedBrackets())
	require.Len(t, res.Brackets, 3)
	by := bracketsByName(res)
	assert.Equal(t, workflows.BracketCompleted, by["3v3"].Status)
	assert.Equal(t, workflows.BracketCompleted, by["shuffle-overall"].Status)
	assert.Equal(t, workflows.BracketFailed, by["rbg"].Status)
	assert.Contains(t, by["rbg"].Error, "not in season 40")
	assert.Equal(t, 1, res.Failed)
}

func TestSyncRegionIsolatesBracketFailures(t *testing.T) {
	m := &regionMocks{saveErr: map[string]error{
		"3v3": temporal.NewNonRetryableApplicationError("read board eu/3v3: battlenet: bad request (HTTP 400)", retry.ErrTypeBadRequest, nil),
	}}
	res, err := runRegion(t, m, workflows.SyncRegionInput{Region: "eu", Routes: twoCreds()})
	require.NoError(t, err, "one failing board does not fail the region")

	by := bracketsByName(res)
	assert.Equal(t, workflows.BracketFailed, by["3v3"].Status)
	assert.Contains(t, by["3v3"].Error, "BadRequest")
	assert.Contains(t, by["3v3"].Error, "bad request (HTTP 400)")
	assert.Equal(t, workflows.BracketCompleted, by["2v2"].Status)
	assert.Equal(t, workflows.BracketCompleted, by["shuffle-mage-frost"].Status)
	assert.Equal(t, 1, res.Failed)
	assert.ElementsMatch(t, []string{"2v2", "shuffle-mage-frost"}, m.childBrackets(), "no fan-out for a board that was not stored")
	assert.Equal(t, 1, countOf(m.savedBrackets(), "3v3"), "a non-retryable board error is not retried")
	assert.Equal(t, 10+30, res.Totals.Done)
}

// A board request rides out a Battle.net outage like a character's: 3 attempts, 3 s then 9 s apart
// (not the database policy's 1 s + 2 s, which gave up on a 4 s outage), then the board is failed alone.
func TestSyncRegionBoardRidesOutABattlenetOutage(t *testing.T) {
	env, _ := newEnv(t)
	m := &regionMocks{saveOutage: map[string]bool{"3v3": true}, saveClock: &callClock{env: env}}
	res, err := runRegionWith(t, env, m, workflows.SyncRegionInput{Region: "eu", Routes: twoCreds()})
	require.NoError(t, err)
	assert.Equal(t, retry.BattlenetAttempts, countOf(m.savedBrackets(), "3v3"))
	assert.Equal(t, []time.Duration{3 * time.Second, 9 * time.Second}, m.saveClock.gaps(), "the Battle.net backoff")
	by := bracketsByName(res)
	assert.Equal(t, workflows.BracketFailed, by["3v3"].Status)
	assert.Contains(t, by["3v3"].Error, "server error (HTTP 503)")
	assert.Equal(t, workflows.BracketCompleted, by["2v2"].Status)
}

func TestSyncRegionIsolatesChildFailures(t *testing.T) {
	m := &regionMocks{childErr: map[string]error{"2v2": temporal.NewApplicationError("plan roster page failed", retry.ErrTypeDatabase)}}
	res, err := runRegion(t, m, workflows.SyncRegionInput{Region: "eu", Routes: twoCreds()})
	require.NoError(t, err)

	by := bracketsByName(res)
	assert.Equal(t, workflows.BracketFailed, by["2v2"].Status)
	assert.Contains(t, by["2v2"].Error, "plan roster page failed")
	assert.Equal(t, workflows.BracketCompleted, by["3v3"].Status)
	assert.Equal(t, workflows.BracketCompleted, by["shuffle-mage-frost"].Status)
	assert.Equal(t, 1, res.Failed)
}

func TestSyncRegionReportsEmptyBoards(t *testing.T) {
	m := &regionMocks{empty: map[string]bool{"2v2": true}}
	res, err := runRegion(t, m, workflows.SyncRegionInput{Region: "eu", Routes: twoCreds()})
	require.NoError(t, err)

	by := bracketsByName(res)
	assert.Equal(t, workflows.BracketEmpty, by["2v2"].Status)
	assert.Contains(t, by["2v2"].Note, "empty board")
	assert.Equal(t, 0, res.Failed, "an empty board is not a failure")
	assert.Equal(t, 1, by["2v2"].Progress.Requests, "the request is counted")
	assert.ElementsMatch(t, []string{"3v3", "shuffle-mage-frost"}, m.childBrackets())
}

func TestSyncRegionFailsWhenEveryBoardFails(t *testing.T) {
	boom := temporal.NewNonRetryableApplicationError("battlenet: credentials rejected", retry.ErrTypeBadCredentials, nil)
	m := &regionMocks{saveErr: map[string]error{"2v2": boom, "3v3": boom, "shuffle-mage-frost": boom}}
	_, err := runRegion(t, m, workflows.SyncRegionInput{Region: "eu", Routes: twoCreds()})
	require.Error(t, err)
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(err, &appErr), "%T: %v", err, err)
	assert.Equal(t, "AllBracketsFailed", appErr.Type())
	assert.Contains(t, appErr.Message(), "credentials rejected")
	assert.Empty(t, m.childBrackets())
}

// Boards are synced a few at a time: BoardConcurrency bounds the running children.
func TestSyncRegionBoardConcurrency(t *testing.T) {
	for _, tc := range []struct{ concurrency, want int }{{1, 1}, {0, workflows.DefaultBoardConcurrency}, {3, 3}} {
		m := &regionMocks{childTime: time.Hour}
		res, err := runRegion(t, m, workflows.SyncRegionInput{Region: "eu", BoardConcurrency: tc.concurrency, Routes: twoCreds()})
		require.NoError(t, err)
		assert.Equal(t, tc.want, m.maxSeen, "board_concurrency %d", tc.concurrency)
		assert.Len(t, m.children, 3)
		assert.Equal(t, 0, res.Failed)
	}
}

func TestSyncRegionProgressQuery(t *testing.T) {
	m := &regionMocks{childTime: time.Hour}
	env, _ := newEnv(t)
	var mid workflows.SyncRegionResult
	var queryErr error
	// One board at a time, an hour each: at 90 minutes the first board is done and the second running.
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(workflows.ProgressQuery)
		if queryErr = err; err == nil {
			queryErr = v.Get(&mid)
		}
	}, 90*time.Minute)
	res, err := runRegionWith(t, env, m, workflows.SyncRegionInput{Region: "eu", BoardConcurrency: 1, Routes: twoCreds()})
	require.NoError(t, err)

	require.NoError(t, queryErr)
	by := bracketsByName(mid)
	assert.Equal(t, workflows.BracketCompleted, by["2v2"].Status)
	assert.Equal(t, workflows.BracketRunning, by["3v3"].Status)
	assert.Equal(t, workflows.BracketFetched, by["shuffle-mage-frost"].Status)
	assert.Equal(t, workflows.Progress{Total: 60, Done: 10, Synced: 10, Requests: 3 + 3 + 10}, mid.Totals, "discovery, boards, characters")
	assert.Equal(t, 60, res.Totals.Done)
}

func TestSyncRegionRejectsInvalidInput(t *testing.T) {
	for name, in := range map[string]workflows.SyncRegionInput{
		"unknown region":       {Region: "xx"},
		"locale of us in eu":   {Region: "eu", Locale: "en_US"},
		"negative season":      {Region: "eu", Season: -1},
		"misspelt bracket":     {Region: "eu", Brackets: []string{"3v3", "shuffle-death-knight-frost"}},
		"too many boards":      {Region: "eu", BoardConcurrency: workflows.MaxBoardConcurrency + 1},
		"negative window":      {Region: "eu", Window: -1},
		"page size over limit": {Region: "eu", PageSize: workflows.MaxPageSize + 1},
		"bad routes":           {Region: "eu", Routes: &activities.RoutesResult{Credentials: []string{"c1"}}},
	} {
		t.Run(name, func(t *testing.T) {
			m := &regionMocks{}
			_, err := runRegion(t, m, in)
			requireInvalidInput(t, err)
			assert.Empty(t, m.routesIn, "nothing runs on invalid input")
			assert.Empty(t, m.discoverIn, "nothing runs on invalid input")
		})
	}
}

func countOf(xs []string, x string) int {
	n := 0
	for _, v := range xs {
		if v == x {
			n++
		}
	}
	return n
}
