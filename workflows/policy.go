package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/pvpsync/pvpsync/activities"
)

// Attempt budgets and error types are defined beside the code that produces the errors
// (activities.AsTemporal); the policies here apply them.
const (
	BattlenetAttempts = activities.BattlenetAttempts
	DatabaseAttempts  = activities.DatabaseAttempts
)

var nonRetryable = activities.NonRetryableTypes

// BattlenetRetryPolicy governs activities that make one Battle.net request and store its answer in
// PostgreSQL: exponential from 3 s ×3, so the three Battle.net attempts span 3+9 s — a short API outage
// is ridden out. Battle.net errors stop after BattlenetAttempts (activities.AsTemporal makes the third
// one final); the policy allows DatabaseAttempts so that the write after the request is retried like any
// database work: a PostgreSQL restart is waited out instead of failing the character. A 429's Retry-After
// lengthens the next delay, never shortens it (NextRetryDelay set by the activity).
var BattlenetRetryPolicy = &temporal.RetryPolicy{
	InitialInterval:        activities.BattlenetInitialInterval,
	BackoffCoefficient:     activities.BattlenetBackoff,
	MaximumInterval:        30 * time.Second,
	MaximumAttempts:        DatabaseAttempts,
	NonRetryableErrorTypes: nonRetryable,
}

// DatabaseRetryPolicy governs PostgreSQL work: 5 attempts, exponential, so a deadlock or a restarting
// server is waited out. Activities that also call Battle.net cap API errors at BattlenetAttempts
// themselves (activities.AsTemporal), so one policy serves both rules.
var DatabaseRetryPolicy = &temporal.RetryPolicy{
	InitialInterval:        time.Second,
	BackoffCoefficient:     2,
	MaximumInterval:        20 * time.Second,
	MaximumAttempts:        DatabaseAttempts,
	NonRetryableErrorTypes: nonRetryable,
}

// ChildRetryPolicy: a character or board workflow is not re-run as a whole; its activities retry.
var ChildRetryPolicy = &temporal.RetryPolicy{MaximumAttempts: 1}

func battlenetCtx(ctx workflow.Context, summary string) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue:              TaskQueueSync,
		StartToCloseTimeout:    45 * time.Second,
		ScheduleToCloseTimeout: 10 * time.Minute,
		RetryPolicy:            BattlenetRetryPolicy,
		Summary:                summary,
	})
}

// boardCtx is for fetching and storing a whole board: one request, one big transaction.
func boardCtx(ctx workflow.Context, summary string) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue:              TaskQueueSync,
		StartToCloseTimeout:    2 * time.Minute,
		ScheduleToCloseTimeout: 15 * time.Minute,
		RetryPolicy:            DatabaseRetryPolicy,
		Summary:                summary,
	})
}

// processingCtx runs the processing step (PostgreSQL writes and JSON parsing, tens of milliseconds) as a
// local activity on the workflow worker: the payloads are already in PostgreSQL, and skipping a task
// queue round trip per character is what keeps orchestration from limiting throughput (see README,
// "What a character costs"). It keeps the database retry budget.
func processingCtx(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout:    time.Minute,
		ScheduleToCloseTimeout: 10 * time.Minute,
		RetryPolicy:            DatabaseRetryPolicy,
	})
}

// localFetchCtx is battlenetCtx for a Battle.net request made as a local activity.
func localFetchCtx(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout:    45 * time.Second,
		ScheduleToCloseTimeout: 10 * time.Minute,
		RetryPolicy:            BattlenetRetryPolicy,
	})
}

// localCtx runs short PostgreSQL reads/writes as local activities on the workflow worker: they cost no
// extra history events beyond a marker, which keeps the per-character overhead low.
func localCtx(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: 5 * time.Minute,
		RetryPolicy:            DatabaseRetryPolicy,
	})
}
