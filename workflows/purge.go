package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/pvpsync/pvpsync/activities"
)

// PurgeSnapshotsInput sets the retention (0 = the worker's PVP_SNAPSHOT_RETENTION_DAYS) and the rows
// deleted per transaction (0 = 1,000).
type PurgeSnapshotsInput struct {
	RetentionDays int `json:"retention_days,omitempty"`
	BatchSize     int `json:"batch_size,omitempty"`

	inputProblem string // an unknown JSON field, reported by validation
}

// PurgeSnapshotsResult says how many entry snapshots, builds, loadouts and gear items were deleted.
type PurgeSnapshotsResult = activities.PurgeResult

// PurgeSnapshots deletes entry snapshots older than the retention, then the gear builds and loadouts no
// entry references any more, in short batches so a running sync is never blocked for long, and then
// refreshes the meta pages when it deleted anything.
func PurgeSnapshots(ctx workflow.Context, in PurgeSnapshotsInput) (PurgeSnapshotsResult, error) {
	if err := in.Validate(); err != nil {
		return PurgeSnapshotsResult{}, invalid(err)
	}
	var res PurgeSnapshotsResult
	if err := workflow.ExecuteActivity(purgeCtx(ctx), a.PurgeSnapshots,
		activities.PurgeInput{RetentionDays: in.RetentionDays, BatchSize: in.BatchSize}).Get(ctx, &res); err != nil {
		return res, err
	}
	// The meta pages' view may hold a snapshot just deleted, and builds just collected: derive it again
	// from what is left.
	if res.Deleted > 0 && workflow.GetVersion(ctx, changeRefreshMetaPurge, workflow.DefaultVersion, 1) >= 1 {
		runRefreshMeta(ctx, "")
	}
	return res, nil
}
