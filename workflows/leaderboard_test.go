package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/pvpsync/pvpsync/activities"
	"github.com/pvpsync/pvpsync/retry"
	"github.com/pvpsync/pvpsync/triage"
	"github.com/pvpsync/pvpsync/workflows"
)

// fakeChildren replaces SyncCharacter children: each takes a minute of workflow time and answers with
// outcome(in). It records the inputs, the child workflow ids and the largest number running at once.
type fakeChildren struct {
	outcome func(workflows.SyncCharacterInput) (workflows.SyncCharacterResult, error)

	mu               sync.Mutex
	inputs           []workflows.SyncCharacterInput
	ids              []string
	running, maxSeen int
}

func (f *fakeChildren) install(env *testsuite.TestWorkflowEnvironment) {
	env.OnWorkflow(workflows.SyncCharacterName, mock.Anything, mock.Anything).Return(
		func(ctx workflow.Context, in workflows.SyncCharacterInput) (workflows.SyncCharacterResult, error) {
			f.mu.Lock()
			f.inputs = append(f.inputs, in)
			f.ids = append(f.ids, workflow.GetInfo(ctx).WorkflowExecution.ID)
			f.running++
			f.maxSeen = max(f.maxSeen, f.running)
			f.mu.Unlock()

			err := workflow.Sleep(ctx, time.Minute)

			f.mu.Lock()
			f.running--
			f.mu.Unlock()
			if err != nil {
				return workflows.SyncCharacterResult{}, err
			}
			if f.outcome == nil {
				return workflows.SyncCharacterResult{Outcome: workflows.OutcomeSynced, Requests: 2}, nil
			}
			return f.outcome(in)
		})
}

func (f *fakeChildren) characterIDs() []int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []int64
	for _, in := range f.inputs {
		out = append(out, in.CharacterID)
	}
	return out
}

// planner answers PlanPage from pages keyed by the cursor they follow, BoardFreshness with oldest, and
// Routes with routes; it records every call.
type planner struct {
	pages   map[activities.Cursor]activities.PlanResult
	planErr error
	oldest  int64
	routes  activities.RoutesResult

	mu        sync.Mutex
	calls     []activities.PlanInput
	freshness []activities.FreshnessInput
	routesIn  []activities.RoutesInput
}

func (p *planner) install(env *testsuite.TestWorkflowEnvironment) {
	env.OnActivity(acts.PlanPage, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PlanInput) (activities.PlanResult, error) {
			p.mu.Lock()
			defer p.mu.Unlock()
			p.calls = append(p.calls, in)
			return p.pages[in.After], p.planErr
		})
	env.OnActivity(acts.BoardFreshness, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.FreshnessInput) (activities.FreshnessResult, error) {
			p.mu.Lock()
			defer p.mu.Unlock()
			p.freshness = append(p.freshness, in)
			return activities.FreshnessResult{OldestGearSeconds: p.oldest}, nil
		})
	env.OnActivity(acts.Routes, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RoutesInput) (activities.RoutesResult, error) {
			p.mu.Lock()
			defer p.mu.Unlock()
			p.routesIn = append(p.routesIn, in)
			return p.routes, nil
		})
}

// fetchChars makes n characters to fetch ranked from rank, with character ids 100+rank and Blizzard ids
// 9000+rank.
func fetchChars(rank, n int) []activities.FetchCharacter {
	var out []activities.FetchCharacter
	for i := range n {
		r := rank + i
		out = append(out, activities.FetchCharacter{CharacterID: int64(100 + r), BlizzardID: int64(9000 + r),
			Name: fmt.Sprintf("char%d", r), RealmSlug: "sargeras", Rank: r, Reason: triage.ReasonPlayed})
	}
	return out
}

// page is a planned page where every row needs requests.
func page(rank, n int) activities.PlanResult {
	chars := fetchChars(rank, n)
	last := chars[len(chars)-1]
	return activities.PlanResult{Rows: n, Last: activities.Cursor{Rank: last.Rank, CharacterID: last.CharacterID}, Fetch: chars}
}

// boardInput is what SyncRegion passes: the board is already stored, the routes are given.
func boardInput() workflows.SyncLeaderboardInput {
	return workflows.SyncLeaderboardInput{
		Region: "eu", Bracket: "3v3", Season: 40, SnapshotAt: snapshotAt, LeaderboardID: 7,
		Progress: workflows.Progress{Total: 5, Requests: 1}, Routes: threeCreds(),
	}
}

func leaderboardResult(t *testing.T, env *testsuite.TestWorkflowEnvironment) workflows.SyncLeaderboardResult {
	t.Helper()
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res workflows.SyncLeaderboardResult
	require.NoError(t, env.GetWorkflowResult(&res))
	return res
}

func continuedAs(t *testing.T, env *testsuite.TestWorkflowEnvironment) workflows.SyncLeaderboardInput {
	t.Helper()
	require.True(t, env.IsWorkflowCompleted())
	err := env.GetWorkflowError()
	var can *workflow.ContinueAsNewError
	require.True(t, errors.As(err, &can), "want continue-as-new, got %v", err)
	assert.Equal(t, workflows.SyncLeaderboardName, can.WorkflowType.Name)
	var next workflows.SyncLeaderboardInput
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	return next
}

// The planner settles most characters; they are counted and cost no workflow.
func TestSyncLeaderboardRecordsPlannerCounts(t *testing.T) {
	in := boardInput()
	in.Progress.Total = 12
	plan := activities.PlanResult{Rows: 12, Last: activities.Cursor{Rank: 12, CharacterID: 112},
		Idle: 3, Reused: 2, Private: 1, Unavailable: 2, Deduplicated: 1, Fetch: fetchChars(4, 3)}
	env, rec := newEnv(t)
	p := &planner{pages: map[activities.Cursor]activities.PlanResult{{}: plan}}
	p.install(env)
	children := &fakeChildren{}
	children.install(env)
	env.ExecuteWorkflow(workflows.SyncLeaderboardName, in)
	res := leaderboardResult(t, env)

	assert.Equal(t, workflows.Progress{Total: 12, Done: 12, Synced: 3, Idle: 3, Reused: 2, Private: 1, Unavailable: 2,
		Deduplicated: 1, Requests: 1 + 3*2}, res.Progress)
	assert.ElementsMatch(t, []int64{104, 105, 106}, children.characterIDs(), "a child only for the characters to fetch")
	assert.Len(t, rec.childrenOf(workflows.SyncCharacterName), 3)
	require.Len(t, p.calls, 1, "one plan per run")
	assert.Equal(t, activities.PlanInput{LeaderboardID: 7, SnapshotAt: snapshotAt, Limit: workflows.DefaultPageSize}, p.calls[0])
	planned := rec.scheduled("PlanPage")
	require.Len(t, planned, 1)
	assert.True(t, planned[0].Local, "the planner is a local activity")
	env.AssertActivityNumberOfCalls(t, "SaveBoard", 0)
	env.AssertActivityNumberOfCalls(t, "DiscoverSeason", 0)
}

func TestSyncLeaderboardStartsChildrenForFetchCharacters(t *testing.T) {
	in := boardInput()
	in.Locale, in.LocalFetch = "en_GB", true
	env, rec := newEnv(t)
	p := &planner{pages: map[activities.Cursor]activities.PlanResult{{}: page(1, 2)}}
	p.install(env)
	children := &fakeChildren{}
	children.install(env)
	env.ExecuteWorkflow(workflows.SyncLeaderboardName, in)
	res := leaderboardResult(t, env)

	assert.Equal(t, workflows.Progress{Total: 5, Done: 2, Synced: 2, Requests: 1 + 2*2}, res.Progress)
	var want []workflows.SyncCharacterInput
	for _, c := range fetchChars(1, 2) {
		want = append(want, workflows.SyncCharacterInput{Region: "eu", CharacterID: c.CharacterID, BlizzardID: c.BlizzardID,
			SnapshotAt: snapshotAt, Locale: "en_GB", Bracket: "3v3", LeaderboardID: 7, LocalFetch: true, Routes: threeCreds()})
	}
	// Children start in one workflow task; the test environment runs them on goroutines in any order.
	assert.ElementsMatch(t, want, children.inputs, "children get the board, the locale, local_fetch and the routes")
	assert.ElementsMatch(t, []string{workflows.CharacterWorkflowID("eu", 9001), workflows.CharacterWorkflowID("eu", 9002)}, children.ids)

	started := rec.childrenOf(workflows.SyncCharacterName)
	require.Len(t, started, 2)
	var summaries []string
	for _, c := range started {
		summaries = append(summaries, c.Options.StaticSummary)
		assert.Equal(t, workflows.TaskQueueWorkflows, c.Options.TaskQueue)
		assert.Equal(t, retry.Child(), c.Options.RetryPolicy, "a character is not re-run as a whole")
		sa := c.Options.TypedSearchAttributes
		region, _ := sa.GetKeyword(workflows.SearchRegion)
		bracket, _ := sa.GetKeyword(workflows.SearchBracket)
		season, _ := sa.GetInt64(workflows.SearchSeason)
		assert.Equal(t, []any{"eu", "3v3", int64(40)}, []any{region, bracket, season})
	}
	assert.Equal(t, []string{"char1-sargeras · 3v3 · rank 1", "char2-sargeras · 3v3 · rank 2"}, summaries, "started in rank order")
	require.Len(t, p.freshness, 1)
	assert.Empty(t, p.routesIn, "routes were given")
}

// Started on its own, a board asks the worker for routes once and hands them to every child and to its
// next run.
func TestSyncLeaderboardAsksForRoutesOnce(t *testing.T) {
	in := boardInput()
	in.Routes = nil
	in.PageSize = 3
	workerRoutes := activities.RoutesResult{Credentials: []string{"w1", "w2"}, Scope: workflows.ScopeRegion}
	env, _ := newEnv(t)
	p := &planner{pages: map[activities.Cursor]activities.PlanResult{{}: page(1, 3)}, routes: workerRoutes}
	p.install(env)
	children := &fakeChildren{}
	children.install(env)
	env.ExecuteWorkflow(workflows.SyncLeaderboardName, in)
	next := continuedAs(t, env)

	assert.Equal(t, []activities.RoutesInput{{Region: "eu"}}, p.routesIn, "once per run, not once per character")
	require.Len(t, children.inputs, 3)
	for _, c := range children.inputs {
		assert.Equal(t, &workerRoutes, c.Routes)
	}
	assert.Equal(t, &workerRoutes, next.Routes, "the next run keeps the routes of this board")
}

func TestSyncLeaderboardContinuesAsNewAfterAFullPage(t *testing.T) {
	in := boardInput()
	in.PageSize = 3
	// The first page is full (3 rows) though only one of its rows needs a request.
	first := activities.PlanResult{Rows: 3, Last: activities.Cursor{Rank: 3, CharacterID: 103}, Idle: 2, Fetch: fetchChars(3, 1)}
	pages := map[activities.Cursor]activities.PlanResult{
		{}:                          first,
		{Rank: 3, CharacterID: 103}: page(4, 2),
	}

	// Run 1: a full page, then continue-as-new with the cursor after its last row.
	env, _ := newEnv(t)
	p := &planner{pages: pages, oldest: 3600}
	p.install(env)
	children := &fakeChildren{}
	children.install(env)
	env.ExecuteWorkflow(workflows.SyncLeaderboardName, in)
	next := continuedAs(t, env)

	require.NotNil(t, next.Cursor)
	assert.Equal(t, activities.Cursor{Rank: 3, CharacterID: 103}, *next.Cursor)
	assert.Equal(t, workflows.Progress{Total: 5, Done: 3, Synced: 1, Idle: 2, Requests: 1 + 2}, next.Progress,
		"the board total and the counts so far are carried")
	assert.Equal(t, 1, next.Runs)
	assert.Equal(t, int64(7), next.LeaderboardID)
	assert.True(t, next.SnapshotAt.Equal(snapshotAt), "every run syncs the same snapshot")
	assert.Equal(t, 3, next.PageSize)
	assert.Equal(t, threeCreds(), next.Routes)
	require.Len(t, p.calls, 1)
	assert.Equal(t, activities.PlanInput{LeaderboardID: 7, SnapshotAt: snapshotAt, Limit: 3}, p.calls[0])
	assert.Equal(t, []int64{103}, children.characterIDs())
	assert.Empty(t, p.freshness, "freshness is measured once, on the last page")

	// Run 2 plans the page after the cursor; a short page completes the board.
	env, _ = newEnv(t)
	p = &planner{pages: pages, oldest: 3600}
	p.install(env)
	children = &fakeChildren{}
	children.install(env)
	env.ExecuteWorkflow(workflows.SyncLeaderboardName, next)
	res := leaderboardResult(t, env)

	require.Len(t, p.calls, 1)
	assert.Equal(t, activities.Cursor{Rank: 3, CharacterID: 103}, p.calls[0].After)
	assert.Equal(t, workflows.Progress{Total: 5, Done: 5, Synced: 3, Idle: 2, Requests: 1 + 3*2}, res.Progress)
	assert.Equal(t, int64(7), res.LeaderboardID)
	assert.ElementsMatch(t, []int64{104, 105}, children.characterIDs())
	assert.Equal(t, []activities.FreshnessInput{{LeaderboardID: 7, SnapshotAt: snapshotAt}}, p.freshness)
	assert.Equal(t, int64(3600), res.OldestGearSeconds)
}

// A full last page is followed by one empty page, which completes the board.
func TestSyncLeaderboardEmptyPageCompletes(t *testing.T) {
	in := boardInput()
	in.Cursor = &activities.Cursor{Rank: 5, CharacterID: 105}
	in.Progress = workflows.Progress{Total: 5, Done: 5, Synced: 5, Requests: 11}
	env, _ := newEnv(t)
	p := &planner{pages: map[activities.Cursor]activities.PlanResult{}, oldest: 42}
	p.install(env)
	children := &fakeChildren{}
	children.install(env)
	env.ExecuteWorkflow(workflows.SyncLeaderboardName, in)
	res := leaderboardResult(t, env)

	assert.Equal(t, in.Progress, res.Progress)
	assert.Empty(t, children.inputs)
	assert.Equal(t, int64(42), res.OldestGearSeconds)
}

func TestSyncLeaderboardFreshnessFailureDoesNotFailTheBoard(t *testing.T) {
	env, _ := newEnv(t)
	env.OnActivity(acts.BoardFreshness, mock.Anything, mock.Anything).Return(activities.FreshnessResult{},
		temporal.NewNonRetryableApplicationError("measure gear freshness: boom", retry.ErrTypeInvalidInput, nil))
	p := &planner{pages: map[activities.Cursor]activities.PlanResult{{}: page(1, 2)}}
	p.install(env)
	(&fakeChildren{}).install(env)
	env.ExecuteWorkflow(workflows.SyncLeaderboardName, boardInput())
	res := leaderboardResult(t, env)
	assert.Zero(t, res.OldestGearSeconds)
	assert.Equal(t, 2, res.Progress.Synced)
}

func TestSyncLeaderboardPlanFailureFailsTheRun(t *testing.T) {
	env, _ := newEnv(t)
	p := &planner{planErr: temporal.NewNonRetryableApplicationError("plan roster page: bad row", retry.ErrTypeInvalidInput, nil)}
	p.install(env)
	children := &fakeChildren{}
	children.install(env)
	env.ExecuteWorkflow(workflows.SyncLeaderboardName, boardInput())
	require.True(t, env.IsWorkflowCompleted())
	err := env.GetWorkflowError()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "plan roster page after rank 0")
	assert.Empty(t, children.inputs)
}

func TestSyncLeaderboardWindowBoundsChildren(t *testing.T) {
	for _, window := range []int{1, 2, 5} {
		t.Run(fmt.Sprintf("window %d", window), func(t *testing.T) {
			in := boardInput()
			in.Window, in.PageSize = window, 10
			env, _ := newEnv(t)
			(&planner{pages: map[activities.Cursor]activities.PlanResult{{}: page(1, 5)}}).install(env)
			children := &fakeChildren{}
			children.install(env)
			env.ExecuteWorkflow(workflows.SyncLeaderboardName, in)
			res := leaderboardResult(t, env)

			assert.Equal(t, window, children.maxSeen, "at most Window children at once, and the window is used")
			assert.Equal(t, 5, res.Progress.Done)
			assert.Equal(t, 5, res.Progress.Synced)
			assert.Len(t, children.inputs, 5)
		})
	}
}

func TestSyncLeaderboardCountsRunningCharacterAsDeduplicated(t *testing.T) {
	in := boardInput()
	in.Progress.Total = 3
	// Two rows of one Blizzard character map to one child workflow id: the second start meets the first
	// one running, which is what a character on two boards looks like.
	plan := page(1, 3)
	plan.Fetch[1].BlizzardID = plan.Fetch[0].BlizzardID
	env, _ := newEnv(t)
	(&planner{pages: map[activities.Cursor]activities.PlanResult{{}: plan}}).install(env)
	children := &fakeChildren{}
	children.install(env)
	env.ExecuteWorkflow(workflows.SyncLeaderboardName, in)
	res := leaderboardResult(t, env)

	assert.Equal(t, 3, res.Progress.Done)
	assert.Equal(t, 2, res.Progress.Synced)
	assert.Equal(t, 1, res.Progress.Deduplicated)
	assert.Equal(t, 0, res.Progress.Failed, "already started is not a failure")
	assert.Empty(t, res.Progress.Failures)
	assert.Len(t, children.inputs, 2, "the duplicate child never ran")
}

func TestSyncLeaderboardTalliesOutcomes(t *testing.T) {
	in := boardInput()
	in.Progress = workflows.Progress{Total: 6}
	env, _ := newEnv(t)
	(&planner{pages: map[activities.Cursor]activities.PlanResult{{}: page(1, 6)}}).install(env)
	children := &fakeChildren{outcome: func(in workflows.SyncCharacterInput) (workflows.SyncCharacterResult, error) {
		switch in.CharacterID {
		case 101:
			// Another board synced it between the plan and the child's own check.
			return workflows.SyncCharacterResult{Outcome: workflows.OutcomeDeduplicated}, nil
		case 102:
			return workflows.SyncCharacterResult{Outcome: workflows.OutcomeUnavailable, Requests: 2}, nil
		case 103:
			return workflows.SyncCharacterResult{Outcome: workflows.OutcomeFailed, Requests: 4, Reason: "equipment: Transient: boom"}, nil
		case 104:
			return workflows.SyncCharacterResult{}, temporal.NewApplicationError("child crashed", "Panic")
		case 105:
			return workflows.SyncCharacterResult{Outcome: workflows.OutcomeSynced, Requests: 3}, nil
		}
		return workflows.SyncCharacterResult{Outcome: workflows.OutcomeNotModified, Requests: 2}, nil
	}}
	children.install(env)
	env.ExecuteWorkflow(workflows.SyncLeaderboardName, in)
	res := leaderboardResult(t, env)

	p := res.Progress
	assert.Equal(t, 6, p.Done)
	assert.Equal(t, 1, p.Deduplicated)
	assert.Equal(t, 1, p.Unavailable)
	assert.Equal(t, 1, p.NotModified)
	assert.Equal(t, 1, p.Synced)
	assert.Equal(t, 2, p.Failed)
	assert.Equal(t, 2+4+3+2, p.Requests)
	require.Len(t, p.Failures, 2)
	byID := map[int64]workflows.Failure{}
	for _, f := range p.Failures {
		byID[f.CharacterID] = f
	}
	assert.Equal(t, workflows.Failure{CharacterID: 103, BlizzardID: 9003, Bracket: "3v3", Reason: "equipment: Transient: boom"}, byID[103])
	assert.Equal(t, int64(9004), byID[104].BlizzardID)
	assert.Contains(t, byID[104].Reason, "child crashed")
}

func TestSyncLeaderboardEmptyBoard(t *testing.T) {
	prev := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	env, rec := newEnv(t)
	var mu sync.Mutex
	var discovered []activities.DiscoverSeasonInput
	var saved []activities.SaveBoardInput
	env.OnActivity(acts.DiscoverSeason, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.DiscoverSeasonInput) (activities.DiscoverSeasonResult, error) {
			mu.Lock()
			defer mu.Unlock()
			discovered = append(discovered, in)
			return activities.DiscoverSeasonResult{Season: 40, Brackets: []string{"3v3"}, Requests: 3}, nil
		})
	env.OnActivity(acts.SaveBoard, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.SaveBoardInput) (activities.SaveBoardResult, error) {
			mu.Lock()
			defer mu.Unlock()
			saved = append(saved, in)
			return activities.SaveBoardResult{LeaderboardID: 7, Empty: true, PreviousSnapshot: &prev, Requests: 1}, nil
		})
	p := &planner{}
	p.install(env)
	children := &fakeChildren{}
	children.install(env)
	env.ExecuteWorkflow(workflows.SyncLeaderboardName, workflows.SyncLeaderboardInput{
		Region: "eu", Bracket: "3v3", SnapshotAt: snapshotAt, Routes: threeCreds()})
	res := leaderboardResult(t, env)

	assert.True(t, res.Empty)
	assert.Contains(t, res.Note, "empty board")
	assert.Contains(t, res.Note, "2026-11-29T08:00:00Z", "the note names the snapshot that stays the latest")
	assert.Equal(t, int64(40), res.Season, "season 0 means the current one")
	assert.Equal(t, []activities.DiscoverSeasonInput{{Region: "eu", Credential: "c1"}}, discovered)
	assert.Equal(t, []activities.SaveBoardInput{{Region: "eu", Season: 40, Bracket: "3v3", SnapshotAt: snapshotAt, Credential: "c1"}}, saved)
	for _, name := range []string{"DiscoverSeason", "SaveBoard"} {
		calls := rec.scheduled(name)
		require.Len(t, calls, 1, name)
		assert.Equal(t, "pvp-sync.c1", calls[0].Options.TaskQueue, "%s runs on the first credential's queue", name)
	}
	assert.Empty(t, p.calls, "no roster to plan")
	assert.Empty(t, p.freshness)
	assert.Empty(t, children.inputs)
	assert.Equal(t, workflows.Progress{Requests: 1}, res.Progress)
}

func TestSyncLeaderboardEmptyBoardWithoutEarlierSnapshot(t *testing.T) {
	env, _ := newEnv(t)
	env.OnActivity(acts.SaveBoard, mock.Anything, mock.Anything).Return(
		activities.SaveBoardResult{LeaderboardID: 7, Empty: true, Requests: 1}, nil)
	(&planner{}).install(env)
	env.ExecuteWorkflow(workflows.SyncLeaderboardName, workflows.SyncLeaderboardInput{
		Region: "eu", Bracket: "3v3", Season: 40, SnapshotAt: snapshotAt, Routes: threeCreds()})
	res := leaderboardResult(t, env)
	assert.True(t, res.Empty)
	assert.Contains(t, res.Note, "no earlier snapshot")
}

func TestSyncLeaderboardStoresBoardWhenNotGiven(t *testing.T) {
	env, _ := newEnv(t)
	env.OnActivity(acts.SaveBoard, mock.Anything, mock.Anything).Return(
		activities.SaveBoardResult{LeaderboardID: 8, Entries: 2, Characters: 2, Requests: 1}, nil)
	p := &planner{pages: map[activities.Cursor]activities.PlanResult{{}: page(1, 2)}, oldest: 60}
	p.install(env)
	children := &fakeChildren{}
	children.install(env)
	env.ExecuteWorkflow(workflows.SyncLeaderboardName, workflows.SyncLeaderboardInput{
		Region: "eu", Bracket: "3v3", Season: 40, SnapshotAt: snapshotAt, Routes: threeCreds()})
	res := leaderboardResult(t, env)

	env.AssertActivityNumberOfCalls(t, "DiscoverSeason", 0)
	assert.Equal(t, int64(8), res.LeaderboardID)
	require.Len(t, p.calls, 1)
	assert.Equal(t, int64(8), p.calls[0].LeaderboardID, "the roster is planned from the board just stored")
	assert.Equal(t, workflows.DefaultPageSize, p.calls[0].Limit)
	assert.Equal(t, workflows.Progress{Total: 2, Done: 2, Synced: 2, Requests: 1 + 2*2}, res.Progress)
	for _, c := range children.inputs {
		assert.Equal(t, int64(8), c.LeaderboardID)
	}
	assert.Equal(t, []activities.FreshnessInput{{LeaderboardID: 8, SnapshotAt: snapshotAt}}, p.freshness)
	assert.Equal(t, int64(60), res.OldestGearSeconds)
}

func TestSyncLeaderboardProgressQuery(t *testing.T) {
	in := boardInput()
	in.Window = 2
	plan := page(1, 4)
	plan.Rows, plan.Idle = 5, 1
	env, _ := newEnv(t)
	(&planner{pages: map[activities.Cursor]activities.PlanResult{{}: plan}}).install(env)
	(&fakeChildren{}).install(env)
	// Children take a minute each, two at a time: after 90s the first two are done.
	var mid workflows.Progress
	var queryErr error
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(workflows.ProgressQuery)
		if queryErr = err; err == nil {
			queryErr = v.Get(&mid)
		}
	}, 90*time.Second)
	env.ExecuteWorkflow(workflows.SyncLeaderboardName, in)
	res := leaderboardResult(t, env)

	require.NoError(t, queryErr)
	assert.Equal(t, workflows.Progress{Total: 5, Done: 3, Synced: 2, Idle: 1, Requests: 1 + 2*2}, mid,
		"the planner's counts at once, the children as they finish")
	v, err := env.QueryWorkflow(workflows.ProgressQuery)
	require.NoError(t, err)
	var final workflows.Progress
	require.NoError(t, v.Get(&final))
	assert.Equal(t, res.Progress, final)
	assert.Equal(t, 5, final.Done)
}

func TestSyncLeaderboardRejectsInvalidInput(t *testing.T) {
	for name, mut := range map[string]func(*workflows.SyncLeaderboardInput){
		"misspelt spec":   func(in *workflows.SyncLeaderboardInput) { in.Bracket = "shuffle-death-knight-frost" },
		"empty bracket":   func(in *workflows.SyncLeaderboardInput) { in.Bracket = "" },
		"negative season": func(in *workflows.SyncLeaderboardInput) { in.Season = -1 },
		"unknown region":  func(in *workflows.SyncLeaderboardInput) { in.Region = "xx" },
		"foreign locale":  func(in *workflows.SyncLeaderboardInput) { in.Locale = "en_US" },
		"huge window":     func(in *workflows.SyncLeaderboardInput) { in.Window = workflows.MaxWindow + 1 },
		"negative page":   func(in *workflows.SyncLeaderboardInput) { in.PageSize = -1 },
		"huge page":       func(in *workflows.SyncLeaderboardInput) { in.PageSize = workflows.MaxPageSize + 1 },
		"bad routes":      func(in *workflows.SyncLeaderboardInput) { in.Routes.Credentials = nil },
	} {
		t.Run(name, func(t *testing.T) {
			in := boardInput()
			mut(&in)
			env, _ := newEnv(t)
			p := &planner{}
			p.install(env)
			env.ExecuteWorkflow(workflows.SyncLeaderboardName, in)
			require.True(t, env.IsWorkflowCompleted())
			requireInvalidInput(t, env.GetWorkflowError())
			assert.Empty(t, p.calls)
			assert.Empty(t, p.routesIn)
		})
	}
}

// Every character is counted once by outcome, the requests the planner spared are counted, and the
// board's gear staleness is a gauge.
func TestSyncLeaderboardMetrics(t *testing.T) {
	plan := activities.PlanResult{Rows: 9, Last: activities.Cursor{Rank: 9, CharacterID: 109},
		Idle: 3, Reused: 2, Private: 1, Fetch: fetchChars(7, 3)}
	plan.Fetch[1].BlizzardID = plan.Fetch[0].BlizzardID // the second start meets the first one running
	env, _, scope := newMeteredEnv(t)
	(&planner{pages: map[activities.Cursor]activities.PlanResult{{}: plan}, oldest: 7200}).install(env)
	(&fakeChildren{}).install(env)
	env.ExecuteWorkflow(workflows.SyncLeaderboardName, boardInput())
	leaderboardResult(t, env)

	characters := func(outcome string) float64 {
		return metricValue(scope, workflows.MetricCharacters, map[string]string{"outcome": outcome, "bracket": "3v3"})
	}
	assert.Equal(t, 3.0, characters(workflows.OutcomeIdle))
	assert.Equal(t, 2.0, characters(workflows.OutcomeReused))
	assert.Equal(t, 1.0, characters(workflows.OutcomePrivate))
	assert.Equal(t, 2.0, characters(workflows.OutcomeSynced))
	assert.Equal(t, 1.0, characters(workflows.OutcomeDeduplicated))
	assert.Equal(t, 9.0, metricValue(scope, workflows.MetricCharacters, nil), "each character once")
	assert.Equal(t, 6.0, metricValue(scope, workflows.MetricRequestsSaved, map[string]string{"reason": workflows.SavedIdle}), "two requests per idle character")
	assert.Equal(t, 4.0, metricValue(scope, workflows.MetricRequestsSaved, map[string]string{"reason": workflows.SavedReuse}))
	assert.Equal(t, 7200.0, metricValue(scope, workflows.MetricOldestGear, map[string]string{"region": "eu", "bracket": "3v3"}))
}
