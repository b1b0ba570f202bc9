package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// deleteSnapshotBatchSQL removes one batch of old entries (builds and loadouts they referenced are
// collected afterwards, see CollectGarbage). Batches keep each transaction (and the locks and WAL it holds) short, so retention
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

// Garbage counts what CollectGarbage deleted.
type Garbage struct {
	Builds, Loadouts, GearItems int64
}

// gearItemsLock serialises the garbage collection of gear items with the insertion of new builds:
// gear_builds references gear items from an array, which no foreign key guards, so a build inserted
// while the collector decides an item is unreferenced would be left pointing at nothing. Inserters
// take it shared (many at once), the collector exclusively, both for one transaction.
const gearItemsLock = 0x7076_7073_796e_6301 // "pvpsync" + 1

// Retention deletes builds and loadouts nothing references any more. A build or loadout met again by a
// fetch within the hour has a fresh seen_at (see lookupBuildSQL), and only those unseen since
// seenBefore are deleted: a running sync never loses the row it is about to reference. The seen_at
// condition sits on the DELETE's own row, so PostgreSQL rechecks it against a concurrent refresh.
const (
	deleteBuildsSQL = `DELETE FROM gear_builds AS b
WHERE b.seen_at < $1 AND b.id IN (
    SELECT g.id FROM gear_builds AS g
    WHERE g.seen_at < $1
      AND NOT EXISTS (SELECT 1 FROM pvp_leaderboard_entries AS e WHERE e.gear_build_id = g.id)
      AND NOT EXISTS (SELECT 1 FROM characters AS c WHERE c.gear_build_id = g.id)
    ORDER BY g.id LIMIT $2)`
	deleteLoadoutsSQL = `DELETE FROM talent_loadouts AS l
WHERE l.seen_at < $1 AND l.id IN (
    SELECT t.id FROM talent_loadouts AS t
    WHERE t.seen_at < $1
      AND NOT EXISTS (SELECT 1 FROM pvp_leaderboard_entries AS e WHERE e.talent_loadout_id = t.id)
      AND NOT EXISTS (SELECT 1 FROM character_loadouts AS c WHERE c.talent_loadout_id = t.id)
    ORDER BY t.id LIMIT $2)`
	deleteGearItemsSQL = `DELETE FROM gear_items WHERE id IN (
    SELECT id FROM (SELECT id FROM gear_items EXCEPT SELECT unnest(gear_item_ids) FROM gear_builds) AS unused
    ORDER BY id LIMIT $1)`
)

// CollectGarbage deletes, in batches of batchSize rows per transaction, the gear builds and talent
// loadouts no entry or character references and no fetch met since seenBefore, then the gear items no
// build references. It returns what it deleted, also when it stops early.
func (s *Store) CollectGarbage(ctx context.Context, seenBefore time.Time, batchSize int) (Garbage, error) {
	var g Garbage
	if batchSize <= 0 {
		return g, fmt.Errorf("collect garbage: batch size %d: %w", batchSize, ErrInvalidRow)
	}
	steps := []struct {
		what  string
		count *int64
		run   func() (int64, error)
	}{
		{"gear builds", &g.Builds, func() (int64, error) { return s.execCount(ctx, deleteBuildsSQL, seenBefore, batchSize) }},
		{"talent loadouts", &g.Loadouts, func() (int64, error) { return s.execCount(ctx, deleteLoadoutsSQL, seenBefore, batchSize) }},
		{"gear items", &g.GearItems, func() (int64, error) {
			var n int64
			err := s.inTx(ctx, func(tx pgx.Tx) error {
				if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(gearItemsLock)); err != nil {
					return err
				}
				tag, err := tx.Exec(ctx, deleteGearItemsSQL, batchSize)
				n = tag.RowsAffected()
				return err
			})
			return n, err
		}},
	}
	for _, st := range steps {
		for {
			if err := ctx.Err(); err != nil {
				return g, fmt.Errorf("collect garbage: %s: %w", st.what, err)
			}
			n, err := st.run()
			*st.count += n
			if err != nil {
				return g, fmt.Errorf("collect garbage: %s after %d rows: %w", st.what, *st.count, err)
			}
			if n < int64(batchSize) {
				break
			}
		}
	}
	return g, nil
}

// execCount runs one batch delete. A row that gained a reference after the batch chose it fails the
// whole statement with a foreign-key violation (23503); the batch is chosen anew, which now sees the
// reference and leaves that row alone.
func (s *Store) execCount(ctx context.Context, sql string, args ...any) (int64, error) {
	for try := 1; ; try++ {
		tag, err := s.Pool.Exec(ctx, sql, args...)
		var pgErr *pgconn.PgError
		if try < 5 && errors.As(err, &pgErr) && pgErr.Code == "23503" {
			continue
		}
		return tag.RowsAffected(), err
	}
}
