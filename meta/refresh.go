package meta

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// refreshSQL rebuilds meta_entries beside the old rows and applies the difference in one commit.
// CONCURRENTLY takes an EXCLUSIVE lock, which blocks another refresh but not readers (ACCESS SHARE):
// pages keep reading the previous snapshot until the new one is committed whole. Two region syncs
// ending together refresh one after the other.
const refreshSQL = `REFRESH MATERIALIZED VIEW CONCURRENTLY meta_entries`

// vacuumSQL follows a refresh: fresh statistics (a refresh changes every board's rows at once, and
// autovacuum would see it minutes later) and a visibility map that lets reports read meta_entries by
// index-only scans. VACUUM takes no lock readers wait for, but cannot run inside a transaction.
const vacuumSQL = `VACUUM (ANALYZE) meta_entries`

// Refresh brings meta_entries to the latest complete snapshot of every board, without blocking readers.
func Refresh(ctx context.Context, pool *pgxpool.Pool) error {
	if _, err := pool.Exec(ctx, refreshSQL); err != nil {
		return fmt.Errorf("refresh meta_entries: %w", err)
	}
	if _, err := pool.Exec(ctx, vacuumSQL); err != nil {
		return fmt.Errorf("vacuum meta_entries: %w", err)
	}
	return nil
}

// Coverage is what meta_entries holds for one region.
type Coverage struct {
	Boards     int `json:"boards"`     // boards with a complete snapshot
	Characters int `json:"characters"` // rows: ranked characters with known gear or talents, per board
}

// RegionCoverage counts meta_entries' boards and rows of a region (what a refresh made readable).
func RegionCoverage(ctx context.Context, pool *pgxpool.Pool, region string) (Coverage, error) {
	var c Coverage
	err := pool.QueryRow(ctx, `SELECT count(DISTINCT bracket), count(*) FROM meta_entries WHERE region = $1`, region).
		Scan(&c.Boards, &c.Characters)
	if err != nil {
		return Coverage{}, fmt.Errorf("count meta rows of region %s: %w", region, err)
	}
	return c, nil
}
