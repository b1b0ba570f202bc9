package store

import (
	"context"
	"fmt"
	"time"
)

// deleteSnapshotBatchSQL removes one batch of old entries; their entry items go with them through
// ON DELETE CASCADE. Batches keep each transaction (and the locks and WAL it holds) short, so retention
// can run beside a sync without stalling it.
const deleteSnapshotBatchSQL = `DELETE FROM pvp_leaderboard_entries
WHERE id IN (SELECT id FROM pvp_leaderboard_entries WHERE snapshot_at < $1 ORDER BY id LIMIT $2)`

// DeleteSnapshotsBefore deletes entries with snapshot_at < before, at most batchSize per transaction,
// until none are left or ctx is done. It returns how many entries were deleted, also when it stops early.
func (s *Store) DeleteSnapshotsBefore(ctx context.Context, before time.Time, batchSize int) (int64, error) {
	if batchSize <= 0 {
		return 0, fmt.Errorf("delete snapshots before %s: batch size %d: %w", before.Format(time.RFC3339), batchSize, ErrInvalidRow)
	}
	var total int64
	for {
		if err := ctx.Err(); err != nil {
			return total, fmt.Errorf("delete snapshots before %s: stopped after %d entries: %w", before.Format(time.RFC3339), total, err)
		}
		// One statement outside an explicit transaction is its own transaction: each batch commits alone.
		tag, err := s.Pool.Exec(ctx, deleteSnapshotBatchSQL, before, batchSize)
		if err != nil {
			return total, fmt.Errorf("delete snapshots before %s: after %d entries: %w", before.Format(time.RFC3339), total, err)
		}
		total += tag.RowsAffected()
		if tag.RowsAffected() < int64(batchSize) {
			return total, nil
		}
	}
}

// CountSnapshotsBefore counts the entries DeleteSnapshotsBefore would remove.
func (s *Store) CountSnapshotsBefore(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	if err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM pvp_leaderboard_entries WHERE snapshot_at < $1`, before).Scan(&n); err != nil {
		return 0, fmt.Errorf("count snapshots before %s: %w", before.Format(time.RFC3339), err)
	}
	return n, nil
}
