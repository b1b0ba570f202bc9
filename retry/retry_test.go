package retry_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/retry"
	"github.com/pvpsync/pvpsync/store"
)

func bnErr(kind error, status int) error {
	return &battlenet.Error{Kind: kind, Status: status, Endpoint: "/profile/wow/character/sargeras/egirlbooster/equipment"}
}

func TestAsTemporal(t *testing.T) {
	for _, tc := range []struct {
		name         string
		err          error
		typ          string
		nonRetryable bool
		delay        time.Duration
	}{
		{"not found", bnErr(battlenet.ErrNotFound, 404), retry.ErrTypeNotFound, true, 0},
		{"wrapped not found", fmt.Errorf("equipment: %w", bnErr(battlenet.ErrNotFound, 404)), retry.ErrTypeNotFound, true, 0},
		{"malformed JSON", bnErr(battlenet.ErrDecode, 200), retry.ErrTypeDecode, true, 0},
		{"too large", bnErr(battlenet.ErrTooLarge, 200), retry.ErrTypeDecode, true, 0},
		{"bad credentials", bnErr(battlenet.ErrBadCredentials, 401), retry.ErrTypeBadCredentials, true, 0},
		{"bad request", bnErr(battlenet.ErrBadRequest, 400), retry.ErrTypeBadRequest, true, 0},
		{"server error", bnErr(battlenet.ErrServer, 503), retry.ErrTypeTransient, false, 0},
		{"transport", bnErr(battlenet.ErrTransport, 0), retry.ErrTypeTransient, false, 0},
		{"revoked token", bnErr(battlenet.ErrUnauthorized, 401), retry.ErrTypeTransient, false, 0},
		{"rate limited", &battlenet.Error{Kind: battlenet.ErrRateLimited, Status: 429, RetryAfter: 7 * time.Second},
			retry.ErrTypeTransient, false, 7 * time.Second},
		{"short Retry-After never shortens the backoff", &battlenet.Error{Kind: battlenet.ErrRateLimited, Status: 429, RetryAfter: time.Second},
			retry.ErrTypeTransient, false, retry.BattlenetInitialInterval},
		{"rate limited without Retry-After", bnErr(battlenet.ErrRateLimited, 429), retry.ErrTypeTransient, false, 0},
		{"deadlock", &pgconn.PgError{Code: "40P01", Message: "deadlock detected"}, retry.ErrTypeDeadlock, false, 0},
		{"serialization failure", fmt.Errorf("save board: %w", &pgconn.PgError{Code: "40001"}), retry.ErrTypeDeadlock, false, 0},
		{"other SQLSTATE", &pgconn.PgError{Code: "23505"}, retry.ErrTypeDatabase, false, 0},
		{"invalid row", fmt.Errorf("%w: empty name", store.ErrInvalidRow), retry.ErrTypeInvalidInput, true, 0},
		{"no character", store.ErrNoCharacter, retry.ErrTypeInvalidInput, true, 0},
		{"anything else", errors.New("connection refused"), retry.ErrTypeDatabase, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := retry.AsTemporal(context.Background(), "store board", tc.err)
			var appErr *temporal.ApplicationError
			require.True(t, errors.As(err, &appErr), "want an ApplicationError, got %T: %v", err, err)
			assert.Equal(t, tc.typ, appErr.Type())
			assert.Equal(t, tc.nonRetryable, appErr.NonRetryable())
			assert.Equal(t, tc.delay, appErr.NextRetryDelay())
			assert.Equal(t, "store board: "+tc.err.Error(), appErr.Message(), "the message names the step and keeps the cause")
			assert.NotContains(t, appErr.Message(), "gave up", "attempt 1 is not the last")
		})
	}
}

func TestAsTemporalPassesThroughNilAndCancel(t *testing.T) {
	assert.NoError(t, retry.AsTemporal(context.Background(), "op", nil))
	canceled := fmt.Errorf("read board: %w", context.Canceled)
	assert.Same(t, canceled, retry.AsTemporal(context.Background(), "op", canceled), "cancellation is not a failure to classify")
}

func TestAsTemporalInsideActivityAtFirstAttempt(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	env := s.NewTestActivityEnvironment()
	probe := func(ctx context.Context) error {
		return retry.AsTemporal(ctx, "probe", bnErr(battlenet.ErrServer, 503))
	}
	env.RegisterActivityWithOptions(probe, activity.RegisterOptions{Name: "probe"})
	_, err := env.ExecuteActivity("probe")
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(err, &appErr), "%T: %v", err, err)
	assert.Equal(t, retry.ErrTypeTransient, appErr.Type())
	assert.False(t, appErr.NonRetryable())
}

// TestActivityEnvironment always runs attempt 1, so the cap is checked through a workflow environment,
// which retries for real: an activity allowed DatabaseAttempts still stops Battle.net errors at the third.
func TestAsTemporalCapsBattlenetAttempts(t *testing.T) {
	for _, tc := range []struct {
		name  string
		err   error
		calls int
	}{
		{"battlenet server error", bnErr(battlenet.ErrServer, 503), retry.BattlenetAttempts},
		{"deadlock", &pgconn.PgError{Code: "40P01"}, retry.DatabaseAttempts},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s testsuite.WorkflowTestSuite
			s.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
			env := s.NewTestWorkflowEnvironment()
			var mu sync.Mutex
			var attempts []int32
			var errs []error
			env.RegisterActivityWithOptions(func(ctx context.Context) error {
				err := retry.AsTemporal(ctx, "probe", tc.err)
				mu.Lock()
				defer mu.Unlock()
				attempts = append(attempts, activity.GetInfo(ctx).Attempt)
				errs = append(errs, err)
				return err
			}, activity.RegisterOptions{Name: "probe"})
			env.RegisterWorkflowWithOptions(func(ctx workflow.Context) error {
				ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
					StartToCloseTimeout: time.Minute,
					RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2,
						MaximumAttempts: retry.DatabaseAttempts, NonRetryableErrorTypes: retry.NonRetryableTypes()},
				})
				return workflow.ExecuteActivity(ctx, "probe").Get(ctx, nil)
			}, workflow.RegisterOptions{Name: "probeWorkflow"})
			env.ExecuteWorkflow("probeWorkflow")
			require.True(t, env.IsWorkflowCompleted())
			require.Error(t, env.GetWorkflowError())

			mu.Lock()
			defer mu.Unlock()
			require.Len(t, attempts, tc.calls)
			for i, a := range attempts {
				assert.Equal(t, int32(i+1), a)
			}
			last := errs[len(errs)-1]
			var appErr *temporal.ApplicationError
			require.True(t, errors.As(last, &appErr))
			if tc.calls == retry.BattlenetAttempts {
				assert.True(t, appErr.NonRetryable(), "the third Battle.net failure is final")
				assert.Contains(t, appErr.Message(), "gave up after 3 attempts")
				assert.Equal(t, retry.ErrTypeTransient, appErr.Type())
			}
			for _, e := range errs[:len(errs)-1] {
				require.True(t, errors.As(e, &appErr))
				assert.False(t, appErr.NonRetryable(), "earlier attempts are retried")
			}
		})
	}
}
