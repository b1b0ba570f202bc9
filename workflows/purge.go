package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/pvpsync/pvpsync/activities"
)

// PurgeSnapshotsInput sets the retention (0 = the worker's PVP_SNAPSHOT_RETENTION_DAYS).
type PurgeSnapshotsInput = activities.PurgeInput

// PurgeSnapshotsResult says how many entry snapshots were deleted.
type PurgeSnapshotsResult = activities.PurgeResult

// PurgeSnapshots deletes entry snapshots (and their items) older than the retention, in short batches.
func PurgeSnapshots(ctx workflow.Context, in PurgeSnapshotsInput) (PurgeSnapshotsResult, error) {
	if in.RetentionDays < 0 || in.BatchSize < 0 {
		return PurgeSnapshotsResult{}, invalidInput("retention_days and batch_size must not be negative")
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue:           TaskQueueProcessing,
		StartToCloseTimeout: time.Hour,
		RetryPolicy:         DatabaseRetryPolicy,
		Summary:             "delete old snapshots",
	})
	var res PurgeSnapshotsResult
	err := workflow.ExecuteActivity(ctx, a.PurgeSnapshots, in).Get(ctx, &res)
	return res, err
}
