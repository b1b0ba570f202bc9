package workflows_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/pvpsync/pvpsync/activities"
	"github.com/pvpsync/pvpsync/workflows"
)

// metaRefreshes counts the RefreshMeta activities a workflow runs, and answers each.
func metaRefreshes(env *testsuite.TestWorkflowEnvironment) *atomic.Int32 {
	var n atomic.Int32
	env.OnActivity(acts.RefreshMeta, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RefreshMetaInput) (activities.RefreshMetaResult, error) {
			n.Add(1)
			return activities.RefreshMetaResult{Boards: 2, Characters: 30, Millis: 5}, nil
		})
	return &n
}

// A region refreshes the meta pages once, after its boards, when at least one completed.
func TestSyncRegionRefreshesMetaOnceAfterItsBoards(t *testing.T) {
	env, _ := newEnv(t)
	n := metaRefreshes(env)
	res, err := runRegionWith(t, env, &regionMocks{}, workflows.SyncRegionInput{Region: "eu", Routes: twoCreds()})
	require.NoError(t, err)
	assert.Equal(t, int32(1), n.Load())
	require.NotNil(t, res.Meta)
	assert.Equal(t, 2, res.Meta.Boards)

	env, _ = newEnv(t)
	n = metaRefreshes(env)
	failing := &regionMocks{childErr: map[string]error{}}
	for _, b := range seasonBrackets {
		failing.childErr[b] = assert.AnError
	}
	res, _ = runRegionWith(t, env, failing, workflows.SyncRegionInput{Region: "eu", Routes: twoCreds()})
	assert.Zero(t, n.Load(), "no board completed: nothing new to show")
	assert.Nil(t, res.Meta)
}

// A board synced on its own refreshes the meta pages at its end.
func TestSyncLeaderboardAloneRefreshesMeta(t *testing.T) {
	env, _ := newEnv(t)
	n := metaRefreshes(env)
	p := &planner{pages: map[activities.Cursor]activities.PlanResult{{}: page(1, 2)}}
	p.install(env)
	(&fakeChildren{}).install(env)
	env.ExecuteWorkflow(workflows.SyncLeaderboardName, boardInput())
	res := leaderboardResult(t, env)
	assert.Equal(t, int32(1), n.Load())
	require.NotNil(t, res.Meta)
}

// Retention refreshes the meta pages when it deleted snapshots, and only then.
func TestPurgeSnapshotsRefreshesMetaAfterDeleting(t *testing.T) {
	for _, deleted := range []int64{0, 1200} {
		env, _ := newEnv(t)
		n := metaRefreshes(env)
		env.OnActivity(acts.PurgeSnapshots, mock.Anything, mock.Anything).Return(activities.PurgeResult{Deleted: deleted}, nil)
		env.ExecuteWorkflow(workflows.PurgeSnapshotsName, workflows.PurgeSnapshotsInput{})
		require.True(t, env.IsWorkflowCompleted())
		require.NoError(t, env.GetWorkflowError())
		want := int32(0)
		if deleted > 0 {
			want = 1
		}
		assert.Equal(t, want, n.Load(), "deleted %d", deleted)
	}
}
