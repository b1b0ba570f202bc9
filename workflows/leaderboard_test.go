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

// roster answers LoadRoster from pages keyed by the cursor they follow, and records the requests.
type roster struct {
	pages map[activities.Cursor][]activities.RosterCharacter
	mu    sync.Mutex
	calls []activities.RosterInput
}

func (r *roster) install(env *testsuite.TestWorkflowEnvironment) {
	env.OnActivity(acts.LoadRoster, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RosterInput) (activities.RosterResult, error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.calls = append(r.calls, in)
			return activities.RosterResult{Characters: r.pages[in.After]}, nil
		})
}

// rosterChars makes n characters ranked from rank, with character ids 100+rank and Blizzard ids 9000+rank.
func rosterChars(rank, n int) []activities.RosterCharacter {
	var out []activities.RosterCharacter
	for i := range n {
		r := rank + i
		out = append(out, activities.RosterCharacter{CharacterID: int64(100 + r), BlizzardID: int64(9000 + r), Rank: r})
	}
	return out
}

// boardInput is what SyncRegion passes: the board is already stored.
func boardInput() workflows.SyncLeaderboardInput {
	return workflows.SyncLeaderboardInput{
		Region: "eu", Bracket: "3v3", Season: 40, SnapshotAt: snapshotAt, LeaderboardID: 7,
		Progress: workflows.Progress{Total: 5, Requests: 1},
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

func TestSyncLeaderboardContinuesAsNewAfterAFullPage(t *testing.T) {
	in := boardInput()
	in.PageSize = 3
	pages := map[activities.Cursor][]activities.RosterCharacter{
		{}:                          rosterChars(1, 3),
		{Rank: 3, CharacterID: 103}: rosterChars(4, 2),
	}

	// Run 1: a full page, then continue-as-new with the cursor after its last character.
	env := newEnv(t)
	r := &roster{pages: pages}
	r.install(env)
	children := &fakeChildren{}
	children.install(env)
	env.ExecuteWorkflow(workflows.SyncLeaderboardName, in)

	require.True(t, env.IsWorkflowCompleted())
	err := env.GetWorkflowError()
	var can *workflow.ContinueAsNewError
	require.True(t, errors.As(err, &can), "want continue-as-new, got %v", err)
	assert.Equal(t, workflows.SyncLeaderboardName, can.WorkflowType.Name)
	var next workflows.SyncLeaderboardInput
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	require.NotNil(t, next.Cursor)
	assert.Equal(t, activities.Cursor{Rank: 3, CharacterID: 103}, *next.Cursor)
	assert.Equal(t, 3, next.Progress.Done)
	assert.Equal(t, 3, next.Progress.Synced)
	assert.Equal(t, 5, next.Progress.Total, "the board total is carried")
	assert.Equal(t, 1+3*2, next.Progress.Requests, "the board request plus two per character")
	assert.Equal(t, 1, next.Runs)
	assert.Equal(t, int64(7), next.LeaderboardID)
	assert.True(t, next.SnapshotAt.Equal(snapshotAt), "every run syncs the same snapshot")
	assert.Equal(t, 3, next.PageSize)
	require.Len(t, r.calls, 1)
	assert.Equal(t, activities.RosterInput{LeaderboardID: 7, SnapshotAt: snapshotAt, Limit: 3}, r.calls[0])
	assert.Len(t, children.inputs, 3)

	// Run 2 reads the page after the cursor; a short page completes the board.
	env = newEnv(t)
	r = &roster{pages: pages}
	r.install(env)
	children = &fakeChildren{}
	children.install(env)
	env.ExecuteWorkflow(workflows.SyncLeaderboardName, next)
	res := leaderboardResult(t, env)

	require.Len(t, r.calls, 1)
	assert.Equal(t, activities.Cursor{Rank: 3, CharacterID: 103}, r.calls[0].After)
	assert.Equal(t, workflows.Progress{Total: 5, Done: 5, Synced: 5, Requests: 1 + 5*2}, res.Progress)
	assert.Equal(t, int64(7), res.LeaderboardID)
	assert.ElementsMatch(t, []int64{104, 105}, characterIDs(children.inputs))
}

func characterIDs(ins []workflows.SyncCharacterInput) []int64 {
	var out []int64
	for _, in := range ins {
		out = append(out, in.CharacterID)
	}
	return out
}

func TestSyncLeaderboardShortPageCompletes(t *testing.T) {
	in := boardInput()
	in.PageSize = 3
	in.Progress.Total = 2
	env := newEnv(t)
	(&roster{pages: map[activities.Cursor][]activities.RosterCharacter{{}: rosterChars(1, 2)}}).install(env)
	children := &fakeChildren{}
	children.install(env)
	env.ExecuteWorkflow(workflows.SyncLeaderboardName, in)
	res := leaderboardResult(t, env)

	assert.Equal(t, workflows.Progress{Total: 2, Done: 2, Synced: 2, Requests: 1 + 2*2}, res.Progress)
	assert.False(t, res.Empty)
	var want []workflows.SyncCharacterInput
	for _, c := range rosterChars(1, 2) {
		want = append(want, workflows.SyncCharacterInput{Region: "eu", CharacterID: c.CharacterID, BlizzardID: c.BlizzardID,
			SnapshotAt: snapshotAt, Bracket: "3v3"})
	}
	// Children start in one workflow task; the test environment runs them on goroutines in any order.
	assert.ElementsMatch(t, want, children.inputs)
	assert.ElementsMatch(t, []string{workflows.CharacterWorkflowID("eu", 9001), workflows.CharacterWorkflowID("eu", 9002)}, children.ids)
	env.AssertActivityNumberOfCalls(t, "SaveBoard", 0)
}

func TestSyncLeaderboardWindowBoundsChildren(t *testing.T) {
	for _, window := range []int{2, 5} {
		t.Run(fmt.Sprintf("window %d", window), func(t *testing.T) {
			in := boardInput()
			in.Window, in.PageSize = window, 10
			env := newEnv(t)
			(&roster{pages: map[activities.Cursor][]activities.RosterCharacter{{}: rosterChars(1, 5)}}).install(env)
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
	chars := rosterChars(1, 3)
	chars[1].BlizzardID = chars[0].BlizzardID
	env := newEnv(t)
	(&roster{pages: map[activities.Cursor][]activities.RosterCharacter{{}: chars}}).install(env)
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
	in.Progress = workflows.Progress{Total: 5}
	env := newEnv(t)
	(&roster{pages: map[activities.Cursor][]activities.RosterCharacter{{}: rosterChars(1, 5)}}).install(env)
	children := &fakeChildren{outcome: func(in workflows.SyncCharacterInput) (workflows.SyncCharacterResult, error) {
		switch in.CharacterID {
		case 101:
			return workflows.SyncCharacterResult{Outcome: workflows.OutcomeReused}, nil
		case 102:
			return workflows.SyncCharacterResult{Outcome: workflows.OutcomePrivate}, nil
		case 103:
			return workflows.SyncCharacterResult{Outcome: workflows.OutcomeFailed, Requests: 4, Reason: "equipment: Transient: boom"}, nil
		case 104:
			return workflows.SyncCharacterResult{}, temporal.NewApplicationError("child crashed", "Panic")
		}
		return workflows.SyncCharacterResult{Outcome: workflows.OutcomeNotModified, Requests: 2}, nil
	}}
	children.install(env)
	env.ExecuteWorkflow(workflows.SyncLeaderboardName, in)
	res := leaderboardResult(t, env)

	p := res.Progress
	assert.Equal(t, 5, p.Done)
	assert.Equal(t, 1, p.Reused)
	assert.Equal(t, 1, p.Private)
	assert.Equal(t, 1, p.NotModified)
	assert.Equal(t, 2, p.Failed)
	assert.Equal(t, 0, p.Synced)
	assert.Equal(t, 6, p.Requests)
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
	env := newEnv(t)
	env.OnActivity(acts.DiscoverSeason, mock.Anything, mock.Anything).Return(
		activities.DiscoverSeasonResult{Season: 40, Brackets: []string{"3v3"}, Requests: 3}, nil)
	var saved []activities.SaveBoardInput
	env.OnActivity(acts.SaveBoard, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.SaveBoardInput) (activities.SaveBoardResult, error) {
			saved = append(saved, in)
			return activities.SaveBoardResult{LeaderboardID: 7, Empty: true, PreviousSnapshot: &prev, Requests: 1}, nil
		})
	r := &roster{}
	r.install(env)
	children := &fakeChildren{}
	children.install(env)
	env.ExecuteWorkflow(workflows.SyncLeaderboardName, workflows.SyncLeaderboardInput{Region: "eu", Bracket: "3v3", SnapshotAt: snapshotAt})
	res := leaderboardResult(t, env)

	assert.True(t, res.Empty)
	assert.Contains(t, res.Note, "2026-11-29T08:00:00Z", "the note names the snapshot that stays the latest")
	assert.Equal(t, int64(40), res.Season, "season 0 means the current one")
	require.Len(t, saved, 1)
	assert.Equal(t, activities.SaveBoardInput{Region: "eu", Season: 40, Bracket: "3v3", SnapshotAt: snapshotAt}, saved[0])
	assert.Empty(t, r.calls, "no roster to read")
	assert.Empty(t, children.inputs)
	assert.Equal(t, 0, res.Progress.Done)
}

func TestSyncLeaderboardStoresBoardWhenNotGiven(t *testing.T) {
	env := newEnv(t)
	env.OnActivity(acts.SaveBoard, mock.Anything, mock.Anything).Return(
		activities.SaveBoardResult{LeaderboardID: 8, Entries: 2, Characters: 2, Requests: 1}, nil)
	r := &roster{pages: map[activities.Cursor][]activities.RosterCharacter{{}: rosterChars(1, 2)}}
	r.install(env)
	(&fakeChildren{}).install(env)
	env.ExecuteWorkflow(workflows.SyncLeaderboardName, workflows.SyncLeaderboardInput{Region: "eu", Bracket: "3v3", Season: 40, SnapshotAt: snapshotAt})
	res := leaderboardResult(t, env)

	env.AssertActivityNumberOfCalls(t, "DiscoverSeason", 0)
	assert.Equal(t, int64(8), res.LeaderboardID)
	require.Len(t, r.calls, 1)
	assert.Equal(t, int64(8), r.calls[0].LeaderboardID, "the roster is read from the board just stored")
	assert.Equal(t, workflows.DefaultPageSize, r.calls[0].Limit)
	assert.Equal(t, workflows.Progress{Total: 2, Done: 2, Synced: 2, Requests: 1 + 2*2}, res.Progress)
}

func TestSyncLeaderboardProgressQuery(t *testing.T) {
	in := boardInput()
	in.Window = 2
	env := newEnv(t)
	(&roster{pages: map[activities.Cursor][]activities.RosterCharacter{{}: rosterChars(1, 5)}}).install(env)
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
	assert.Equal(t, workflows.Progress{Total: 5, Done: 2, Synced: 2, Requests: 1 + 2*2}, mid)
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
	} {
		t.Run(name, func(t *testing.T) {
			in := boardInput()
			mut(&in)
			env := newEnv(t)
			r := &roster{}
			r.install(env)
			env.ExecuteWorkflow(workflows.SyncLeaderboardName, in)
			require.True(t, env.IsWorkflowCompleted())
			requireInvalidInput(t, env.GetWorkflowError())
			assert.Empty(t, r.calls)
		})
	}
}
