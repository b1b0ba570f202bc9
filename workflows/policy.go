package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/pvpsync/pvpsync/retry"
)

// Activity options, one function per kind of step. The retry policies themselves (attempts, backoffs,
// final error types) live in package retry.

// battlenetCtx runs one Battle.net request on a credential's rate-limited queue. StartToClose covers the
// client's 15 s request timeout plus the writes after it; kept short because it is also how long a task
// lost between a stopping worker and the server waits before it is retried.
func battlenetCtx(ctx workflow.Context, queue, summary string) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue:              queue,
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: 10 * time.Minute,
		RetryPolicy:            retry.Battlenet(),
		Summary:                summary,
	})
}

// boardCtx is for fetching and storing a whole board: one request, one big transaction. Retried as a
// Battle.net request (its backoff rides out a short outage; AsTemporal caps API errors at
// BattlenetAttempts, database errors get DatabaseAttempts).
func boardCtx(ctx workflow.Context, queue, summary string) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue:              queue,
		StartToCloseTimeout:    2 * time.Minute,
		ScheduleToCloseTimeout: 15 * time.Minute,
		RetryPolicy:            retry.Battlenet(),
		Summary:                summary,
	})
}

// localFetchCtx is battlenetCtx for a Battle.net request made as a local activity (local_fetch).
func localFetchCtx(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: 10 * time.Minute,
		RetryPolicy:            retry.Battlenet(),
	})
}

// localCtx runs the PostgreSQL steps (planning a page, preparing and committing a character) as local
// activities on the workflow worker: the payloads are already in PostgreSQL, and skipping a task-queue
// round trip per step is what keeps orchestration from limiting throughput. They keep the database
// retry budget.
func localCtx(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout:    time.Minute,
		ScheduleToCloseTimeout: 10 * time.Minute,
		RetryPolicy:            retry.Database(),
	})
}

// processingCtx: database-only work on the processing queue, retried as the database is.
func processingCtx(ctx workflow.Context, timeout time.Duration, summary string) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue:           TaskQueueProcessing,
		StartToCloseTimeout: timeout,
		RetryPolicy:         retry.Database(),
		Summary:             summary,
	})
}

// purgeCtx: retention is long and batched.
func purgeCtx(ctx workflow.Context) workflow.Context {
	return processingCtx(ctx, time.Hour, "delete old snapshots")
}

// forecastCtx reads every board of a snapshot once (no writes): seconds for a real region.
func forecastCtx(ctx workflow.Context) workflow.Context {
	return processingCtx(ctx, 5*time.Minute, "forecast the cost of the run")
}

// refreshMetaCtx: one materialized view refresh, seconds to a minute on a full region; the timeout
// leaves room for a busy database.
func refreshMetaCtx(ctx workflow.Context) workflow.Context {
	return processingCtx(ctx, 15*time.Minute, "refresh the meta pages")
}
