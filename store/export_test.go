package store

import (
	"context"
	"fmt"
	"time"
)

// CountSnapshotsBefore counts the entries DeleteSnapshotsBefore would remove.
func (s *Store) CountSnapshotsBefore(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	if err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM pvp_leaderboard_entries WHERE snapshot_at < $1`, before).Scan(&n); err != nil {
		return 0, fmt.Errorf("count snapshots before %s: %w", before.Format(time.RFC3339), err)
	}
	return n, nil
}
