package workflows_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/pvpsync/pvpsync/activities"
	"github.com/pvpsync/pvpsync/workflows"
)

// An operator's misspelt field fails the workflow at once instead of being ignored.
func TestUnknownInputFieldIsRejected(t *testing.T) {
	cases := []struct {
		name     string
		workflow string
		fn       any
		input    map[string]any
	}{
		{"region", workflows.SyncRegionName, workflows.SyncRegion, map[string]any{"region": "us", "bracket": "3v3"}},
		{"leaderboard", workflows.SyncLeaderboardName, workflows.SyncLeaderboard, map[string]any{"region": "us", "bracket": "3v3", "seasn": 42}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ts testsuite.WorkflowTestSuite
			env := ts.NewTestWorkflowEnvironment()
			env.RegisterWorkflowWithOptions(c.fn, workflow.RegisterOptions{Name: c.workflow})
			env.RegisterActivity(&activities.Activities{})
			env.ExecuteWorkflow(c.workflow, c.input)
			require.True(t, env.IsWorkflowCompleted())
			err := env.GetWorkflowError()
			require.Error(t, err)
			var appErr *temporal.ApplicationError
			require.True(t, errors.As(err, &appErr), "%v", err)
			require.Equal(t, activities.ErrTypeInvalidInput, appErr.Type())
			require.True(t, appErr.NonRetryable())
			require.Contains(t, appErr.Error(), "unknown field")
		})
	}
}
