package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	sq "github.com/Masterminds/squirrel"
	"github.com/jackc/pgx/v5"

	"github.com/pvpsync/pvpsync/gear"
)

// Side names one of the two per-character resources whose raw JSON is kept.
type Side string

const (
	SideEquipment       Side = "equipment"
	SideSpecializations Side = "specializations"
)

func (sd Side) valid() bool { return sd == SideEquipment || sd == SideSpecializations }

// lookupBuildSQL finds a build by content and refreshes seen_at when it is over an hour old, so
// retention (which spares builds seen within a day) never deletes a build a running sync just met, while
// the common case of an unchanged build writes nothing.
//
// The refreshed id comes from the UPDATE's RETURNING, not from the read: if the garbage collector is
// deleting that very row, the update finds nothing and the build is inserted anew rather than returned
// dangling.
const lookupBuildSQL = `WITH hit AS (SELECT id, seen_at FROM gear_builds WHERE hash = $1),
touch AS (
    UPDATE gear_builds SET seen_at = now()
    WHERE id = (SELECT id FROM hit) AND (SELECT seen_at FROM hit) < now() - interval '1 hour'
    RETURNING id
)
SELECT id FROM hit WHERE seen_at >= now() - interval '1 hour'
UNION ALL
SELECT id FROM touch`

// SaveEquipment keeps one equipment response: the raw JSON as the character's latest payload, and its
// summary as a content-addressed gear build (catalogue rows, distinct gear items, the build), in one
// transaction. It returns the build id; a build already stored costs two statements and no write.
// The character's current state is not changed here: CommitCharacter does that once both sides are in.
func (s *Store) SaveEquipment(ctx context.Context, characterID int64, raw []byte, lastModified string, g gear.Gear) (int64, error) {
	if err := validateGear(g); err != nil {
		return 0, fmt.Errorf("save equipment of character %d: %w", characterID, err)
	}
	hash := gear.BuildHash(g)
	var buildID int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := savePayload(ctx, tx, characterID, SideEquipment, raw, lastModified); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, lookupBuildSQL, hash).Scan(&buildID)
		if err == nil {
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("look up gear build: %w", err)
		}
		buildID, err = insertBuild(ctx, tx, g, hash)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("save equipment of character %d: %w", characterID, err)
	}
	return buildID, nil
}

// validateGear rejects a summary the tables cannot hold, before a transaction starts.
func validateGear(g gear.Gear) error {
	if len(g.Slots) == 0 {
		return fmt.Errorf("no equipped slot: %w", ErrInvalidRow)
	}
	// int4 columns: a value out of range would wrap in the conversion and no longer match its hash.
	if !fitsInt32(g.ItemLevel) {
		return fmt.Errorf("item level %d out of range: %w", g.ItemLevel, ErrInvalidRow)
	}
	if g.TierSet != nil && !fitsInt32(g.TierSet.Pieces) {
		return fmt.Errorf("tier pieces %d out of range: %w", g.TierSet.Pieces, ErrInvalidRow)
	}
	items := map[int64]bool{}
	for _, it := range g.Items {
		items[it.BlizzardID] = true
	}
	seen := map[string]bool{}
	for _, sl := range g.Slots {
		switch {
		case sl.Slot == "":
			return fmt.Errorf("slot without a name (item %d): %w", sl.ItemBlizzardID, ErrInvalidRow)
		case seen[sl.Slot]:
			return fmt.Errorf("slot %s listed twice: %w", sl.Slot, ErrInvalidRow)
		case !fitsInt32(sl.ItemLevel) || !fitsInt32(sl.Context):
			return fmt.Errorf("slot %s: item level %d or context %d out of range: %w", sl.Slot, sl.ItemLevel, sl.Context, ErrInvalidRow)
		case !items[sl.ItemBlizzardID]:
			return fmt.Errorf("slot %s holds item %d, which is not among the items: %w", sl.Slot, sl.ItemBlizzardID, ErrInvalidRow)
		}
		seen[sl.Slot] = true
	}
	return nil
}

// insertBuild writes what a new build needs: catalogue rows, its distinct gear items (new ones
// inserted, known ones looked up in the same statement) and the build row.
func insertBuild(ctx context.Context, tx pgx.Tx, g gear.Gear, hash []byte) (int64, error) {
	// Shared with other inserters, exclusive with the garbage collector of gear items (gearItemsLock).
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock_shared($1)`, int64(gearItemsLock)); err != nil {
		return 0, fmt.Errorf("lock gear items: %w", err)
	}
	if err := upsertItems(ctx, tx, append(slices.Clone(g.Items), g.Gems...)); err != nil {
		return 0, err
	}
	if err := upsertNames(ctx, tx, "enchantments", "id", g.Enchantments); err != nil {
		return 0, err
	}
	var tierID *int64
	var pieces *int32
	var four *bool
	if ts := g.TierSet; ts != nil {
		if err := upsertNames(ctx, tx, "item_sets", "id", []gear.Named{{ID: ts.ID, Name: ts.Name}}); err != nil {
			return 0, err
		}
		if ts.Name == "" {
			// A set the response did not name still needs its catalogue row (the build references it);
			// a later response with the name fills it in.
			if _, err := tx.Exec(ctx, `INSERT INTO item_sets (id, name) VALUES ($1, '') ON CONFLICT DO NOTHING`, ts.ID); err != nil {
				return 0, fmt.Errorf("store item set %d: %w", ts.ID, err)
			}
		}
		tierID, pieces, four = &ts.ID, int32Ptr(ts.Pieces), &ts.FourPieceActive
	}
	itemIDs, err := upsertGearItems(ctx, tx, g.Slots)
	if err != nil {
		return 0, err
	}
	slots := slices.Clone(g.Slots)
	slices.SortFunc(slots, func(a, b gear.Slot) int { return strings.Compare(a.Slot, b.Slot) })
	names, refs := make([]string, len(slots)), make([]int64, len(slots))
	for i, sl := range slots {
		names[i], refs[i] = sl.Slot, itemIDs[string(gear.SlotHash(sl))]
	}
	sql, args, err := psql.Insert("gear_builds").
		Columns("hash", "item_level", "tier_set_id", "tier_set_pieces", "tier_4p_active", "slots", "gear_item_ids").
		Values(hash, g.ItemLevel, tierID, pieces, four, names, refs).
		Suffix("ON CONFLICT (hash) DO UPDATE SET seen_at = now() RETURNING id").
		ToSql()
	if err != nil {
		return 0, fmt.Errorf("build gear build insert: %w", err)
	}
	var id int64
	if err := tx.QueryRow(ctx, sql, args...).Scan(&id); err != nil {
		return 0, fmt.Errorf("insert gear build: %w", err)
	}
	return id, nil
}

// upsertGearItems stores the distinct items of the slots and maps each content hash to its row id.
// Known rows are not rewritten; their ids come from the second branch, which reads the statement's
// starting snapshot, and inserted rows from RETURNING.
func upsertGearItems(ctx context.Context, tx pgx.Tx, slots []gear.Slot) (map[string]int64, error) {
	byHash := map[string]gear.Slot{}
	for _, sl := range slots {
		byHash[string(gear.SlotHash(sl))] = sl
	}
	keys := make([]string, 0, len(byHash))
	for k := range byHash {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	n := len(keys)
	hashes, items, levels, contexts := make([][]byte, n), make([]int64, n), make([]int32, n), make([]int32, n)
	enchants, gems, bonus := make([]string, n), make([]string, n), make([]string, n)
	for i, k := range keys {
		sl := byHash[k]
		hashes[i], items[i] = []byte(k), sl.ItemBlizzardID
		levels[i], contexts[i] = *int32Ptr(sl.ItemLevel), *int32Ptr(sl.Context)
		// Arrays of arrays must be rectangular in PostgreSQL: each id list travels as its text form.
		enchants[i], gems[i], bonus[i] = arrayText(sl.EnchantmentIDs), arrayText(sl.GemItemIDs), arrayText(sl.BonusList)
	}
	sql, args, err := psql.Insert("gear_items").
		Columns("hash", "item_id", "item_level", "context", "enchantment_ids", "gem_item_ids", "bonus_list").
		Select(sq.Select().
			Column("unnest(?::bytea[])", hashes).Column("unnest(?::bigint[])", items).
			Column("unnest(?::integer[])", levels).Column("unnest(?::integer[])", contexts).
			Column("unnest(?::text[])::bigint[]", enchants).Column("unnest(?::text[])::bigint[]", gems).
			Column("unnest(?::text[])::bigint[]", bonus)).
		Prefix("WITH ins AS (").
		Suffix(`ON CONFLICT (hash) DO NOTHING RETURNING hash, id)
SELECT hash, id FROM ins
UNION ALL
SELECT hash, id FROM gear_items WHERE hash = ANY(?::bytea[])`, hashes).
		ToSql()
	if err != nil {
		return nil, fmt.Errorf("build gear item upsert: %w", err)
	}
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("upsert gear items: %w", err)
	}
	ids := make(map[string]int64, n)
	var h []byte
	var id int64
	if _, err := pgx.ForEachRow(rows, []any{&h, &id}, func() error {
		ids[string(h)] = id
		return nil
	}); err != nil {
		return nil, fmt.Errorf("upsert gear items: %w", err)
	}
	if len(ids) < n {
		// A concurrent transaction inserted some of them after this statement's snapshot was taken (its
		// insert made ours do nothing): a new statement sees them committed.
		var missing [][]byte
		for _, k := range keys {
			if _, ok := ids[k]; !ok {
				missing = append(missing, []byte(k))
			}
		}
		rows, err := tx.Query(ctx, `SELECT hash, id FROM gear_items WHERE hash = ANY($1::bytea[])`, missing)
		if err != nil {
			return nil, fmt.Errorf("look up gear items: %w", err)
		}
		if _, err := pgx.ForEachRow(rows, []any{&h, &id}, func() error {
			ids[string(h)] = id
			return nil
		}); err != nil {
			return nil, fmt.Errorf("look up gear items: %w", err)
		}
	}
	if len(ids) != n {
		return nil, fmt.Errorf("upsert gear items: %d of %d rows have an id", len(ids), n)
	}
	return ids, nil
}

// arrayText is PostgreSQL's text form of a bigint array ("{1,2}").
func arrayText(ids []int64) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprint(&b, id)
	}
	b.WriteByte('}')
	return b.String()
}

func fitsInt32(v int) bool { return v >= math.MinInt32 && v <= math.MaxInt32 }
