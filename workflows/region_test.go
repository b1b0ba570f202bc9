package workflows_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/pvpsync/pvpsync/activities"
	"github.com/pvpsync/pvpsync/workflows"
)

var seasonBrackets = []string{"2v2", "3v3", "shuffle-overall", "shuffle-mage-frost", "blitz-overall"}

// regionMocks stands in for DiscoverSeason, SaveBoard and the SyncLeaderboard children.
type regionMocks struct {
	// saveErr fails SaveBoard for a bracket; boards of every other bracket are stored with
	// entries[bracket] entries under leaderboard id ids[bracket].
	saveErr  map[string]error
	childErr map[string]error

	mu         sync.Mutex
	discoverIn []activities.DiscoverSeasonInput
	saved      []activities.SaveBoardInput
	children   []workflows.SyncLeaderboardInput
	childIDs   map[string]string
}

var (
	boardEntries = map[string]int{"2v2": 10, "3v3": 20, "shuffle-mage-frost": 30, "shuffle-overall": 40, "blitz-overall": 50, "rbg": 60}
	boardIDs     = map[string]int64{"2v2": 1, "3v3": 2, "shuffle-mage-frost": 3, "shuffle-overall": 4, "blitz-overall": 5, "rbg": 6}
)

func (m *regionMocks) install(env *testsuite.TestWorkflowEnvironment) {
	m.childIDs = map[string]string{}
	env.OnActivity(acts.DiscoverSeason, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.DiscoverSeasonInput) (activities.DiscoverSeasonResult, error) {
			m.mu.Lock()
			defer m.mu.Unlock()
			m.discoverIn = append(m.discoverIn, in)
			return activities.DiscoverSeasonResult{Season: 40, SeasonName: "The War Within Season 3", Brackets: seasonBrackets, Requests: 3}, nil
		})
	env.OnActivity(acts.SaveBoard, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.SaveBoardInput) (activities.SaveBoardResult, error) {
			m.mu.Lock()
			defer m.mu.Unlock()
			m.saved = append(m.saved, in)
			if err := m.saveErr[in.Bracket]; err != nil {
				return activities.SaveBoardResult{Requests: 1}, err
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

func runRegion(t *testing.T, m *regionMocks, in workflows.SyncRegionInput) (workflows.SyncRegionResult, error) {
	t.Helper()
	env := newEnv(t)
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
	res, err := runRegion(t, m, workflows.SyncRegionInput{Region: "eu", Window: 50, PageSize: 200})
	require.NoError(t, err)

	assert.ElementsMatch(t, []string{"2v2", "3v3", "shuffle-mage-frost"}, m.savedBrackets())
	assert.ElementsMatch(t, []string{"2v2", "3v3", "shuffle-mage-frost"}, m.childBrackets())
	require.Len(t, m.discoverIn, 1)
	assert.Equal(t, activities.DiscoverSeasonInput{Region: "eu"}, m.discoverIn[0])

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
	assert.Equal(t, workflows.Progress{Total: 60, Done: 60, Synced: 60, Requests: 3 + 60}, res.Totals)

	// Every board is stored under one snapshot, and each child is given its stored board.
	for _, s := range m.saved {
		assert.Equal(t, activities.SaveBoardInput{Region: "eu", Season: 40, Bracket: s.Bracket, SnapshotAt: res.SnapshotAt}, s)
	}
	for _, c := range m.children {
		assert.Equal(t, workflows.SyncLeaderboardInput{
			Region: "eu", Bracket: c.Bracket, Season: 40, SnapshotAt: res.SnapshotAt, Window: 50, PageSize: 200,
			LeaderboardID: boardIDs[c.Bracket], Progress: workflows.Progress{Total: boardEntries[c.Bracket], Requests: 1},
		}, c)
	}
}

func TestSyncRegionRequestedBrackets(t *testing.T) {
	m := &regionMocks{}
	// An overall board asked for by name is synced; a duplicate is dropped; rbg is not in this season.
	res, err := runRegion(t, m, workflows.SyncRegionInput{Region: "eu", Brackets: []string{"3v3", "shuffle-overall", "rbg", "3v3"}})
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
		"3v3": temporal.NewNonRetryableApplicationError("read board eu/3v3: battlenet: bad request (HTTP 400)", activities.ErrTypeBadRequest, nil),
	}}
	res, err := runRegion(t, m, workflows.SyncRegionInput{Region: "eu"})
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

func TestSyncRegionIsolatesChildFailures(t *testing.T) {
	m := &regionMocks{childErr: map[string]error{"2v2": temporal.NewApplicationError("roster page failed", "Database")}}
	res, err := runRegion(t, m, workflows.SyncRegionInput{Region: "eu"})
	require.NoError(t, err)

	by := bracketsByName(res)
	assert.Equal(t, workflows.BracketFailed, by["2v2"].Status)
	assert.Contains(t, by["2v2"].Error, "roster page failed")
	assert.Equal(t, workflows.BracketCompleted, by["3v3"].Status)
	assert.Equal(t, workflows.BracketCompleted, by["shuffle-mage-frost"].Status)
	assert.Equal(t, 1, res.Failed)
}

func TestSyncRegionReportsEmptyBoards(t *testing.T) {
	env := newEnv(t)
	m := &regionMocks{}
	// Registered first, so this expectation wins over the one install adds.
	env.OnActivity(acts.SaveBoard, mock.Anything, mock.MatchedBy(func(in activities.SaveBoardInput) bool { return in.Bracket == "2v2" })).
		Return(activities.SaveBoardResult{LeaderboardID: 1, Empty: true, Requests: 1}, nil)
	m.install(env)
	env.ExecuteWorkflow(workflows.SyncRegionName, workflows.SyncRegionInput{Region: "eu"})
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res workflows.SyncRegionResult
	require.NoError(t, env.GetWorkflowResult(&res))

	by := bracketsByName(res)
	assert.Equal(t, workflows.BracketEmpty, by["2v2"].Status)
	assert.Contains(t, by["2v2"].Note, "empty board")
	assert.Equal(t, 0, res.Failed, "an empty board is not a failure")
	assert.ElementsMatch(t, []string{"3v3", "shuffle-mage-frost"}, m.childBrackets())
}

func TestSyncRegionFailsWhenEveryBoardFails(t *testing.T) {
	boom := temporal.NewNonRetryableApplicationError("battlenet: credentials rejected", activities.ErrTypeBadCredentials, nil)
	m := &regionMocks{saveErr: map[string]error{"2v2": boom, "3v3": boom, "shuffle-mage-frost": boom}}
	_, err := runRegion(t, m, workflows.SyncRegionInput{Region: "eu"})
	require.Error(t, err)
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(err, &appErr), "%T: %v", err, err)
	assert.Equal(t, "AllBracketsFailed", appErr.Type())
	assert.Contains(t, appErr.Message(), "credentials rejected")
	assert.Empty(t, m.childBrackets())
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
	} {
		t.Run(name, func(t *testing.T) {
			m := &regionMocks{}
			_, err := runRegion(t, m, in)
			requireInvalidInput(t, err)
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
