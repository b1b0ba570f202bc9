package activities

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/pvpsync/pvpsync/retry"
)

// Retention defaults: the batch bounds each transaction (and the locks and WAL it holds) so retention
// runs beside a sync without stalling it; builds and loadouts unseen for this long may go.
const (
	defaultPurgeBatch = 1000
	buildGrace        = 24 * time.Hour
)

// PurgeSnapshots deletes entry snapshots older than the retention, in short batches, then the gear
// builds, loadouts and gear items nothing references any more.
func (a *Activities) PurgeSnapshots(ctx context.Context, in PurgeInput) (PurgeResult, error) {
	days := in.RetentionDays
	if days == 0 {
		days = a.Config.RetentionDays
	}
	if days <= 0 {
		days = 30
	}
	batch := in.BatchSize
	if batch == 0 {
		batch = defaultPurgeBatch
	}
	now := a.now()
	before := now.Add(-time.Duration(days) * 24 * time.Hour)
	res := PurgeResult{Before: before}
	var err error
	if res.Deleted, err = a.Store.DeleteSnapshotsBefore(ctx, before, batch); err != nil {
		return res, retry.AsTemporal(ctx, "delete old snapshots", err)
	}
	g, err := a.Store.CollectGarbage(ctx, now.Add(-buildGrace), batch)
	res.Builds, res.Loadouts, res.GearItems = g.Builds, g.Loadouts, g.GearItems
	if err != nil {
		return res, retry.AsTemporal(ctx, "delete unreferenced builds and loadouts", err)
	}
	a.log().Info("old snapshots deleted", zap.Int64("entries", res.Deleted), zap.Time("before", before),
		zap.Int64("gear_builds", g.Builds), zap.Int64("talent_loadouts", g.Loadouts), zap.Int64("gear_items", g.GearItems))
	return res, nil
}
