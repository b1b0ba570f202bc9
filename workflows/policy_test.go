package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/pvpsync/pvpsync/activities"
	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/retry"
	"github.com/pvpsync/pvpsync/workflows"
)

// The mocks below fail the way the real activities do: through retry.AsTemporal, so these tests check
// the activity options of the workflows together with the error kinds of package retry.

func serverError() error {
	return &battlenet.Error{Kind: battlenet.ErrServer, Status: 503, Endpoint: "/profile/wow/character/sargeras/egirlbooster/equipment"}
}

func deadlock() error { return &pgconn.PgError{Code: "40P01", Message: "deadlock detected"} }

func TestBattlenetTransientErrorsStopAfterThreeAttempts(t *testing.T) {
	for _, local := range []bool{false, true} {
		name := "task queue"
		if local {
			name = "local fetch"
		}
		t.Run(name, func(t *testing.T) {
			env, _ := newEnv(t)
			clock := &callClock{env: env}
			m := newCharMocks()
			m.equipment = func(ctx context.Context, in activities.FetchInput) (activities.FetchResult, error) {
				clock.tick()
				return activities.FetchResult{Requests: 1}, retry.AsTemporal(ctx, "fetch equipment of egirlbooster-sargeras", serverError())
			}
			in := characterInput()
			in.LocalFetch = local
			res := runCharacterWith(t, env, m, in)

			assert.Len(t, m.eqIn, retry.BattlenetAttempts)
			assert.Equal(t, 3, retry.BattlenetAttempts, "the job rules retried API errors 3 times")
			assert.Equal(t, []time.Duration{3 * time.Second, 9 * time.Second}, clock.gaps(), "exponential backoff: 3s, ×3")
			assert.Equal(t, workflows.OutcomeFailed, res.Outcome)
			assert.Contains(t, res.Reason, "equipment: Transient: ")
			assert.Contains(t, res.Reason, "server error (HTTP 503)")
			assert.Contains(t, res.Reason, "gave up after 3 attempts")
			assert.Equal(t, retry.BattlenetAttempts+1, res.Requests, "every attempt spent a request, plus specializations")
			assert.Empty(t, m.commitIn, "nothing is committed when a side could not be fetched")
			assert.Len(t, m.spIn, 1, "the other side is not re-fetched")
		})
	}
}

func TestTransientErrorThenSuccessSyncs(t *testing.T) {
	env, _ := newEnv(t)
	clock := &callClock{env: env}
	m := newCharMocks()
	m.specs = func(ctx context.Context, in activities.FetchInput) (activities.FetchResult, error) {
		if clock.tick() == 1 {
			return activities.FetchResult{}, retry.AsTemporal(ctx, "fetch specializations", &battlenet.Error{Kind: battlenet.ErrTransport})
		}
		return activities.FetchResult{Status: activities.StatusFetched, LastModified: spNew, Requests: 1}, nil
	}
	res := runCharacterWith(t, env, m, characterInput())

	assert.Equal(t, workflows.OutcomeSynced, res.Outcome)
	assert.Len(t, m.spIn, 2)
	assert.Equal(t, []time.Duration{3 * time.Second}, clock.gaps())
	require.Len(t, m.commitIn, 1)
	assert.Equal(t, activities.StatusFetched, m.commitIn[0].Specializations.Status)
}

func TestDeadlocksAreRetriedFiveTimes(t *testing.T) {
	env, _ := newEnv(t)
	clock := &callClock{env: env}
	m := newCharMocks()
	m.commit = func(ctx context.Context, _ activities.CommitInput) (activities.CommitResult, error) {
		clock.tick()
		return activities.CommitResult{}, retry.AsTemporal(ctx, "commit character", deadlock())
	}
	res := runCharacterWith(t, env, m, characterInput())

	assert.Len(t, m.commitIn, retry.DatabaseAttempts)
	assert.Equal(t, 5, retry.DatabaseAttempts, "the job rules retried deadlocks 5 times")
	assert.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}, clock.gaps(), "1s, ×2")
	assert.Equal(t, workflows.OutcomeFailed, res.Outcome)
	assert.Contains(t, res.Reason, "commit: Deadlock: ")
	assert.Equal(t, 2, res.Requests, "a database retry does not repeat the requests")
	assert.Len(t, m.eqIn, 1)
	assert.Len(t, m.spIn, 1)
}

func TestDeadlockThenSuccessSyncs(t *testing.T) {
	m := newCharMocks()
	calls := 0 // guarded by m.mu: the commit mock is called under it
	m.commit = func(ctx context.Context, _ activities.CommitInput) (activities.CommitResult, error) {
		calls++
		if calls <= 2 {
			return activities.CommitResult{}, retry.AsTemporal(ctx, "commit character", deadlock())
		}
		return activities.CommitResult{Entries: 1}, nil
	}
	res := runCharacter(t, m)

	assert.Equal(t, workflows.SyncCharacterResult{Outcome: workflows.OutcomeSynced, Requests: 2}, res)
	assert.Len(t, m.commitIn, 3)
}

func TestNonRetryableErrorIsFinal(t *testing.T) {
	m := newCharMocks()
	m.equipment = fails(temporal.NewNonRetryableApplicationError("fetch equipment: battlenet: not found", retry.ErrTypeNotFound, nil))
	res := runCharacter(t, m)
	assert.Len(t, m.eqIn, 1)
	assert.Equal(t, workflows.OutcomeFailed, res.Outcome)
	assert.Contains(t, res.Reason, "equipment: NotFound")
	assert.Empty(t, m.commitIn)
}

// The error types of answers (not accidents) are final even when an error is not flagged non-retryable:
// the policies the workflows use list them.
func TestAnswerErrorTypesAreFinal(t *testing.T) {
	require.NotEmpty(t, retry.NonRetryableTypes())
	for _, typ := range retry.NonRetryableTypes() {
		t.Run(typ, func(t *testing.T) {
			m := newCharMocks()
			m.equipment = fails(temporal.NewApplicationError("fetch equipment: "+typ, typ))
			res := runCharacter(t, m)
			assert.Len(t, m.eqIn, 1, "fetch: %s is not retried", typ)
			assert.Equal(t, workflows.OutcomeFailed, res.Outcome)
			assert.Contains(t, res.Reason, "equipment: "+typ)

			m = newCharMocks()
			m.commit = func(context.Context, activities.CommitInput) (activities.CommitResult, error) {
				return activities.CommitResult{}, temporal.NewApplicationError("commit: "+typ, typ)
			}
			res = runCharacter(t, m)
			assert.Len(t, m.commitIn, 1, "commit: %s is not retried", typ)
			assert.Contains(t, res.Reason, "commit: "+typ)
		})
	}
}

// A 429's Retry-After lengthens the next delay when it is longer than the backoff, never shortens it.
func TestRetryAfterLengthensBackoff(t *testing.T) {
	for _, tc := range []struct {
		retryAfter time.Duration
		want       []time.Duration
	}{
		{7 * time.Second, []time.Duration{7 * time.Second, 9 * time.Second}}, // longer than 3s, shorter than 9s
		{20 * time.Second, []time.Duration{20 * time.Second, 20 * time.Second}},
		{time.Second, []time.Duration{3 * time.Second, 9 * time.Second}},
	} {
		t.Run(tc.retryAfter.String(), func(t *testing.T) {
			env, _ := newEnv(t)
			clock := &callClock{env: env}
			m := newCharMocks()
			m.equipment = func(ctx context.Context, in activities.FetchInput) (activities.FetchResult, error) {
				if clock.tick() < 3 {
					return activities.FetchResult{}, retry.AsTemporal(ctx, "fetch equipment",
						&battlenet.Error{Kind: battlenet.ErrRateLimited, Status: 429, RetryAfter: tc.retryAfter})
				}
				return activities.FetchResult{Status: activities.StatusFetched, LastModified: eqNew, Requests: 1}, nil
			}
			res := runCharacterWith(t, env, m, characterInput())

			assert.Len(t, m.eqIn, 3, "a 429 is still retried")
			assert.Equal(t, tc.want, clock.gaps())
			assert.Equal(t, workflows.OutcomeSynced, res.Outcome)
			assert.Len(t, m.commitIn, 1)
		})
	}
}
