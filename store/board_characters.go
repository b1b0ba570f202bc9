package store

import (
	"context"
	"fmt"

	sq "github.com/Masterminds/squirrel"
	"github.com/jackc/pgx/v5"
)

// upsertBoardCharacters upserts rows (sorted, unique by blizzard id) and maps blizzard id to our id.
func upsertBoardCharacters(ctx context.Context, tx pgx.Tx, region string, rows []BoardEntry) (map[int64]int64, error) {
	ids := make(map[int64]int64, len(rows))
	// Two parameters beyond the rows: the region and the id array of the unchanged-rows branch.
	for _, chunk := range chunks(rows, boardRowsPerStatement) {
		n := len(chunk)
		chunkIDs, names, realms, factions := make([]int64, n), make([]string, n), make([]string, n), make([]*string, n)
		for i, r := range chunk {
			chunkIDs[i], names[i], realms[i] = r.BlizzardID, r.Name, r.RealmSlug
			if r.Faction != "" {
				factions[i] = &chunk[i].Faction
			}
		}
		// Set-returning functions in one select list advance in lockstep: row i of every array.
		rowsSel := sq.Select().
			Column(sq.Expr("unnest(?::bigint[])", chunkIDs)).
			Column(sq.Expr("?::text", region)).
			Column(sq.Expr("unnest(?::text[])", names)).
			Column(sq.Expr("unnest(?::text[])", realms)).
			Column(sq.Expr("unnest(?::text[])", factions)).
			Column("now()")
		// Unchanged characters (the common case on a re-sync) are not rewritten: no dead tuples, no WAL,
		// shorter row locks between concurrent boards. Their ids come from the second branch, which reads
		// the statement's starting snapshot; rows inserted or updated here come from RETURNING.
		// A new name or realm (rename, transfer) is a new API address: what the old one answered — a 404
		// that made the character private or put it on cooldown, Last-Modified values — no longer holds,
		// and keeping it would skip a ranked character forever.
		q := psql.Insert("characters").Columns("blizzard_id", "region", "name", "realm_slug", "faction", "updated_at").
			Select(rowsSel).
			Prefix("WITH ins AS (").Suffix(`ON CONFLICT (blizzard_id, region) DO UPDATE SET
    name = EXCLUDED.name,
    realm_slug = EXCLUDED.realm_slug,
    faction = COALESCE(EXCLUDED.faction, characters.faction),
    is_private = characters.is_private AND `+sameAddress+`,
    unavailable_until = CASE WHEN `+sameAddress+` THEN characters.unavailable_until END,
    unreadable_at = CASE WHEN `+sameAddress+` THEN characters.unreadable_at END,
    equipment_last_modified = CASE WHEN `+sameAddress+` THEN characters.equipment_last_modified END,
    specializations_last_modified = CASE WHEN `+sameAddress+` THEN characters.specializations_last_modified END,
    updated_at = now()
WHERE (characters.name, characters.realm_slug, characters.faction)
      IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.realm_slug, COALESCE(EXCLUDED.faction, characters.faction))
RETURNING blizzard_id, id
)
SELECT blizzard_id, id FROM ins
UNION ALL
SELECT c.blizzard_id, c.id FROM characters AS c
WHERE c.region = ? AND c.blizzard_id = ANY(?::bigint[])
  AND NOT EXISTS (SELECT 1 FROM ins WHERE ins.blizzard_id = c.blizzard_id)`, region, chunkIDs)
		sql, args, err := q.ToSql()
		if err != nil {
			return nil, fmt.Errorf("build character upsert: %w", err)
		}
		res, err := tx.Query(ctx, sql, append([]any{boardExecMode}, args...)...)
		if err != nil {
			return nil, fmt.Errorf("upsert characters: %w", err)
		}
		var blizzardID, id int64
		_, err = pgx.ForEachRow(res, []any{&blizzardID, &id}, func() error {
			ids[blizzardID] = id
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("upsert characters: %w", err)
		}
	}
	return ids, readRacedIDs(ctx, tx, region, rows, ids)
}

// readRacedIDs reads the ids the upsert could not see: a character another board inserted after the
// upsert's snapshot was taken and before its conflicting insert, with nothing to change, is neither
// returned nor visible to the second branch. A new statement sees the other board's commit. Only
// concurrent boards sharing new characters get here, so the usual save stays at two statements.
func readRacedIDs(ctx context.Context, tx pgx.Tx, region string, rows []BoardEntry, ids map[int64]int64) error {
	var missing []int64
	for _, r := range rows {
		if _, ok := ids[r.BlizzardID]; !ok {
			missing = append(missing, r.BlizzardID)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	res, err := tx.Query(ctx, `SELECT blizzard_id, id FROM characters WHERE region = $1 AND blizzard_id = ANY($2::bigint[])`, region, missing)
	if err != nil {
		return fmt.Errorf("read ids of characters another board inserted: %w", err)
	}
	var blizzardID, id int64
	_, err = pgx.ForEachRow(res, []any{&blizzardID, &id}, func() error {
		ids[blizzardID] = id
		return nil
	})
	if err != nil {
		return fmt.Errorf("read ids of characters another board inserted: %w", err)
	}
	return nil
}

// sameAddress: the character is still asked for at the realm and name it had.
const sameAddress = `(characters.name, characters.realm_slug) = (EXCLUDED.name, EXCLUDED.realm_slug)`
