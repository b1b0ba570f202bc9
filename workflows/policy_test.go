package workflows_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/pvpsync/pvpsync/activities"
	"github.com/pvpsync/pvpsync/workflows"
)

// callClock records the test clock at every attempt, so retry counts and backoffs can be checked.
type callClock struct {
	env   *testsuite.TestWorkflowEnvironment
	mu    sync.Mutex
	times []time.Time
}

func (c *callClock) tick() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.times = append(c.times, c.env.Now())
	return len(c.times)
}

func (c *callClock) gaps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []time.Duration
	for i := 1; i < len(c.times); i++ {
		out = append(out, c.times[i].Sub(c.times[i-1]).Round(time.Second))
	}
	return out
}

// runCharacterIn is runCharacter with access to the environment before the run (for the clock).
func runCharacterIn(t *testing.T, env *testsuite.TestWorkflowEnvironment, m *charMocks) workflows.SyncCharacterResult {
	t.Helper()
	m.install(env)
	env.ExecuteWorkflow(workflows.SyncCharacterName, characterInput())
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res workflows.SyncCharacterResult
	require.NoError(t, env.GetWorkflowResult(&res))
	return res
}

func TestBattlenetTransientErrorsStopAfterThreeAttempts(t *testing.T) {
	env := newEnv(t)
	clock := &callClock{env: env}
	m := newCharMocks()
	m.equipment = func(activities.FetchInput) (activities.FetchResult, error) {
		// As activities.AsTemporal does: the third Battle.net failure is final (the policy itself
		// allows the database budget, for the write after the request).
		if clock.tick() >= workflows.BattlenetAttempts {
			return activities.FetchResult{Requests: 1}, temporal.NewNonRetryableApplicationError("boom (gave up after 3 attempts)", activities.ErrTypeTransient, nil)
		}
		return activities.FetchResult{Requests: 1}, temporal.NewApplicationError("boom", activities.ErrTypeTransient)
	}
	res := runCharacterIn(t, env, m)

	assert.Len(t, m.eqIn, workflows.BattlenetAttempts)
	assert.Equal(t, 3, workflows.BattlenetAttempts, "the job rules retried API errors 3 times")
	assert.Equal(t, []time.Duration{3 * time.Second, 9 * time.Second}, clock.gaps(), "exponential backoff: 3s, ×3")
	assert.Equal(t, workflows.OutcomeFailed, res.Outcome)
	assert.Contains(t, res.Reason, "equipment: Transient: boom")
	assert.Empty(t, m.processIn, "nothing is processed when a side could not be fetched")
	assert.Len(t, m.spIn, 1, "the other side is not re-fetched")
}

func TestDeadlocksAreRetriedFiveTimes(t *testing.T) {
	m := newCharMocks()
	m.process = func(activities.ProcessInput) (activities.ProcessResult, error) {
		return activities.ProcessResult{}, temporal.NewApplicationError("store equipment: deadlock detected", activities.ErrTypeDeadlock)
	}
	res := runCharacter(t, m)

	assert.Len(t, m.processIn, workflows.DatabaseAttempts)
	assert.Equal(t, 5, workflows.DatabaseAttempts, "the job rules retried deadlocks 5 times")
	assert.Equal(t, workflows.OutcomeFailed, res.Outcome)
	assert.Contains(t, res.Reason, "process: Deadlock")
	assert.Len(t, m.eqIn, 1, "a processing retry does not repeat the requests")
	assert.Len(t, m.spIn, 1)
}

func TestDeadlockThenSuccessSyncs(t *testing.T) {
	m := newCharMocks()
	calls := 0 // guarded by m.mu: the process mock is called under it
	m.process = func(activities.ProcessInput) (activities.ProcessResult, error) {
		calls++
		if calls <= 2 {
			return activities.ProcessResult{}, temporal.NewApplicationError("deadlock detected", activities.ErrTypeDeadlock)
		}
		return activities.ProcessResult{Entries: 1}, nil
	}
	res := runCharacter(t, m)

	assert.Equal(t, workflows.SyncCharacterResult{Outcome: workflows.OutcomeSynced, Requests: 2}, res)
	assert.Len(t, m.processIn, 3)
}

func TestNonRetryableErrorIsFinal(t *testing.T) {
	m := newCharMocks()
	m.equipment = fails(temporal.NewNonRetryableApplicationError("fetch equipment: battlenet: not found", activities.ErrTypeNotFound, nil))
	res := runCharacter(t, m)
	assert.Len(t, m.eqIn, 1)
	assert.Equal(t, workflows.OutcomeFailed, res.Outcome)
	assert.Contains(t, res.Reason, "equipment: NotFound")
	assert.Empty(t, m.processIn)
}

// The error types of answers (not accidents) are final even when an error is not flagged non-retryable:
// both policies list them.
func TestPoliciesListNonRetryableTypes(t *testing.T) {
	final := []string{activities.ErrTypeNotFound, activities.ErrTypeDecode, activities.ErrTypeInvalidInput,
		activities.ErrTypeBadRequest, activities.ErrTypeBadCredentials}
	for _, p := range []*temporal.RetryPolicy{workflows.BattlenetRetryPolicy, workflows.DatabaseRetryPolicy} {
		assert.ElementsMatch(t, final, p.NonRetryableErrorTypes)
		assert.NotContains(t, p.NonRetryableErrorTypes, activities.ErrTypeTransient)
		assert.NotContains(t, p.NonRetryableErrorTypes, activities.ErrTypeDeadlock)
	}
	for _, typ := range final {
		t.Run(typ, func(t *testing.T) {
			m := newCharMocks()
			m.equipment = fails(temporal.NewApplicationError("fetch equipment: "+typ, typ))
			res := runCharacter(t, m)
			assert.Len(t, m.eqIn, 1, "fetch: %s is not retried", typ)
			assert.Equal(t, workflows.OutcomeFailed, res.Outcome)
			assert.Contains(t, res.Reason, "equipment: "+typ)

			m = newCharMocks()
			m.process = func(activities.ProcessInput) (activities.ProcessResult, error) {
				return activities.ProcessResult{}, temporal.NewApplicationError("process: "+typ, typ)
			}
			res = runCharacter(t, m)
			assert.Len(t, m.processIn, 1, "process: %s is not retried", typ)
			assert.Contains(t, res.Reason, "process: "+typ)
		})
	}
}

func TestRetryAfterOverridesBackoff(t *testing.T) {
	env := newEnv(t)
	clock := &callClock{env: env}
	m := newCharMocks()
	m.equipment = func(activities.FetchInput) (activities.FetchResult, error) {
		if clock.tick() < 3 {
			return activities.FetchResult{Requests: 1}, temporal.NewApplicationErrorWithOptions("rate limited, retry after 7s",
				activities.ErrTypeTransient, temporal.ApplicationErrorOptions{NextRetryDelay: 7 * time.Second})
		}
		return activities.FetchResult{Status: activities.StatusFetched, LastModified: "Mon, 30 Nov 2026 07:00:00 GMT", Requests: 1}, nil
	}
	res := runCharacterIn(t, env, m)

	assert.Len(t, m.eqIn, 3, "a 429 is still retried")
	assert.Equal(t, []time.Duration{7 * time.Second, 7 * time.Second}, clock.gaps(), "a longer Retry-After replaces the backoff")
	assert.Equal(t, workflows.OutcomeSynced, res.Outcome)
	assert.Len(t, m.processIn, 1)
}
