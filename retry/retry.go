// Package retry holds everything pvpsync knows about retrying, in one place: the error types Temporal
// sees, which of them are final, the attempt budgets and backoffs, the retry policies the workflows use,
// and AsTemporal, the one function where Battle.net and PostgreSQL errors become Temporal errors. These
// replace the old job rules (retry_on API errors 3×, deadlocks 5×; discard_on not-found and bad payloads).
package retry

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/store"
)

// Error types carried by Temporal application errors.
const (
	ErrTypeNotFound       = "NotFound"       // 404: unavailable, never retried
	ErrTypeDecode         = "Decode"         // malformed payload: retrying gets the same bytes
	ErrTypeInvalidInput   = "InvalidInput"   // bad workflow/activity input or row
	ErrTypeBadRequest     = "BadRequest"     // other 4xx
	ErrTypeBadCredentials = "BadCredentials" // OAuth refused the client id/secret
	ErrTypeNoCredential   = "NoCredential"   // #nosec G101 -- an error type name, not a credential; no configured credential may serve the region
	ErrTypeTransient      = "Transient"      // 5xx, transport, 429, revoked token: retried
	ErrTypeDeadlock       = "Deadlock"       // SQLSTATE 40P01/40001: retried
	ErrTypeDatabase       = "Database"       // PostgreSQL unreachable or failing: retried
)

// NonRetryableTypes are final on the first failure.
func NonRetryableTypes() []string {
	return []string{ErrTypeNotFound, ErrTypeDecode, ErrTypeInvalidInput, ErrTypeBadRequest, ErrTypeBadCredentials, ErrTypeNoCredential}
}

// Attempt budgets, as the job rules had them: Battle.net errors 3 attempts, database errors 5.
const (
	BattlenetAttempts = 3
	DatabaseAttempts  = 5
)

// Backoffs. Battle.net: 3 s ×3, so the three attempts span 3+9 s and a short API outage is ridden out.
// Database: 1 s ×2, five attempts over 1+2+4+8 = 15 s: a deadlock or a restarting server is waited out.
const (
	BattlenetInitialInterval = 3 * time.Second
	BattlenetBackoff         = 3.0
	BattlenetMaxInterval     = 30 * time.Second
	DatabaseInitialInterval  = time.Second
	DatabaseBackoff          = 2.0
	DatabaseMaxInterval      = 20 * time.Second
)

// Battlenet governs activities that make one Battle.net request and store its answer in PostgreSQL.
// Battle.net errors stop after BattlenetAttempts (AsTemporal makes the last one final); the policy allows
// DatabaseAttempts so that the write after the request is retried like any database work. A 429's
// Retry-After lengthens the next delay, never shortens it (NextRetryDelay, set by AsTemporal).
func Battlenet() *temporal.RetryPolicy {
	return &temporal.RetryPolicy{
		InitialInterval:        BattlenetInitialInterval,
		BackoffCoefficient:     BattlenetBackoff,
		MaximumInterval:        BattlenetMaxInterval,
		MaximumAttempts:        DatabaseAttempts,
		NonRetryableErrorTypes: NonRetryableTypes(),
	}
}

// Database governs PostgreSQL work. Activities that also call Battle.net cap API errors at
// BattlenetAttempts themselves (AsTemporal), so one policy serves both rules.
func Database() *temporal.RetryPolicy {
	return &temporal.RetryPolicy{
		InitialInterval:        DatabaseInitialInterval,
		BackoffCoefficient:     DatabaseBackoff,
		MaximumInterval:        DatabaseMaxInterval,
		MaximumAttempts:        DatabaseAttempts,
		NonRetryableErrorTypes: NonRetryableTypes(),
	}
}

// Child: a character or board workflow is not re-run as a whole; its activities retry.
func Child() *temporal.RetryPolicy { return &temporal.RetryPolicy{MaximumAttempts: 1} }

// AsTemporal turns Battle.net and PostgreSQL errors into Temporal errors: their kind decides whether
// they are retried, and a 429's Retry-After becomes the next retry delay. An activity whose policy allows
// DatabaseAttempts still stops Battle.net errors after BattlenetAttempts.
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
			return temporal.NewNonRetryableApplicationError(fmt.Sprintf("%s (gave up after %d attempts)", msg, BattlenetAttempts), ErrTypeTransient, nil)
		}
		opts := temporal.ApplicationErrorOptions{}
		if d, ok := battlenet.RetryAfter(err); ok {
			opts.NextRetryDelay = max(d, BattlenetDelay(attempt(ctx)))
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

// InvalidInput is a final error for input that cannot succeed however often it is retried.
func InvalidInput(format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError("invalid input: "+fmt.Sprintf(format, args...), ErrTypeInvalidInput, nil)
}

// BattlenetDelay is the Battlenet policy's delay after the given attempt: initial × coefficient^(attempt-1),
// capped at the policy's maximum interval.
func BattlenetDelay(attempt int32) time.Duration {
	d := BattlenetInitialInterval
	for i := int32(1); i < attempt; i++ {
		d = time.Duration(float64(d) * BattlenetBackoff)
	}
	return min(d, BattlenetMaxInterval)
}

// BattlenetRetryWindow is how long the Battlenet policy keeps retrying a failing request before it
// gives up: the sum of the delays between its BattlenetAttempts attempts (3 s + 9 s). An outage
// shorter than this is ridden out; a longer one fails the character.
func BattlenetRetryWindow() time.Duration {
	var total time.Duration
	for a := int32(1); a < BattlenetAttempts; a++ {
		total += BattlenetDelay(a)
	}
	return total
}

// warn logs a retryable failure: the SDK does not log failed local activities, and a deadlock or an
// outage should be visible in the worker's log, not only in workflow histories.
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
