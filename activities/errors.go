package activities

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/store"
)

// Error types carried by Temporal application errors. The workflows' retry policies list the
// non-retryable ones; these replace the old job rules (retry_on API errors 3×, deadlocks 5×; discard_on
// not-found and bad payloads).
const (
	ErrTypeNotFound       = "NotFound"       // 404: unavailable, never retried
	ErrTypeDecode         = "Decode"         // malformed payload: retrying gets the same bytes
	ErrTypeInvalidInput   = "InvalidInput"   // bad workflow/activity input or row
	ErrTypeBadRequest     = "BadRequest"     // other 4xx
	ErrTypeBadCredentials = "BadCredentials" // OAuth refused the client id/secret
	ErrTypeTransient      = "Transient"      // 5xx, transport, 429, revoked token: retried
	ErrTypeDeadlock       = "Deadlock"       // SQLSTATE 40P01/40001: retried
	ErrTypeDatabase       = "Database"       // PostgreSQL unreachable or failing: retried
)

// NonRetryableTypes are final on the first failure.
var NonRetryableTypes = []string{ErrTypeNotFound, ErrTypeDecode, ErrTypeInvalidInput, ErrTypeBadRequest, ErrTypeBadCredentials}

// Attempt budgets, as the job rules had them: Battle.net errors 3 attempts, database errors 5.
const (
	BattlenetAttempts = 3
	DatabaseAttempts  = 5
)

// The Battle.net retry backoff (workflows.BattlenetRetryPolicy uses these): AsTemporal needs them to
// make a 429's Retry-After lengthen the next delay rather than shorten it.
const (
	BattlenetInitialInterval = 3 * time.Second
	BattlenetBackoff         = 3.0
)

// AsTemporal is the one place where Battle.net and PostgreSQL errors become Temporal errors: their kind
// decides whether they are retried, and a 429's Retry-After becomes the next retry delay. An activity
// whose policy allows DatabaseAttempts (because it also writes PostgreSQL) still stops Battle.net errors
// after BattlenetAttempts.
func AsTemporal(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	msg := op + ": " + err.Error()
	switch {
	case errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, battlenet.ErrNotFound):
		return temporal.NewNonRetryableApplicationError(msg, ErrTypeNotFound, nil)
	case errors.Is(err, battlenet.ErrDecode), errors.Is(err, battlenet.ErrTooLarge):
		return temporal.NewNonRetryableApplicationError(msg, ErrTypeDecode, nil)
	case errors.Is(err, battlenet.ErrBadCredentials):
		return temporal.NewNonRetryableApplicationError(msg, ErrTypeBadCredentials, nil)
	case errors.Is(err, battlenet.ErrBadRequest):
		return temporal.NewNonRetryableApplicationError(msg, ErrTypeBadRequest, nil)
	case errors.Is(err, store.ErrInvalidRow), errors.Is(err, store.ErrNoCharacter):
		return temporal.NewNonRetryableApplicationError(msg, ErrTypeInvalidInput, nil)
	case battlenet.Retryable(err):
		if attempt(ctx) >= BattlenetAttempts {
			return temporal.NewNonRetryableApplicationError(msg+" (gave up after 3 attempts)", ErrTypeTransient, nil)
		}
		opts := temporal.ApplicationErrorOptions{}
		if d, ok := battlenet.RetryAfter(err); ok {
			opts.NextRetryDelay = max(d, backoff(attempt(ctx)))
		}
		warn(ctx, msg, ErrTypeTransient)
		return temporal.NewApplicationErrorWithOptions(msg, ErrTypeTransient, opts)
	case store.IsDeadlock(err):
		warn(ctx, msg, ErrTypeDeadlock)
		return temporal.NewApplicationError(msg, ErrTypeDeadlock)
	default:
		warn(ctx, msg, ErrTypeDatabase)
		return temporal.NewApplicationError(msg, ErrTypeDatabase)
	}
}

// backoff is the policy's delay after the given attempt: initial × coefficient^(attempt-1).
func backoff(attempt int32) time.Duration {
	d := BattlenetInitialInterval
	for i := int32(1); i < attempt; i++ {
		d = time.Duration(float64(d) * BattlenetBackoff)
	}
	return d
}

// warn logs a retryable failure: the SDK does not log failed local activities (prepare, process), and a
// deadlock or an outage should be visible in the worker's log, not only in workflow histories.
func warn(ctx context.Context, msg, kind string) {
	if activity.IsActivity(ctx) {
		info := activity.GetInfo(ctx)
		activity.GetLogger(ctx).Warn("activity failed, will retry", "error_type", kind, "error", msg,
			"activity", info.ActivityType.Name, "attempt", info.Attempt, "workflow_id", info.WorkflowExecution.ID)
	}
}

// attempt is the current attempt (1-based) inside an activity, 1 elsewhere (tests, local calls).
func attempt(ctx context.Context) int32 {
	if !activity.IsActivity(ctx) {
		return 1
	}
	return activity.GetInfo(ctx).Attempt
}
