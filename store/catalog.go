package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	sq "github.com/Masterminds/squirrel"
	"github.com/jackc/pgx/v5"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/gear"
)

// The catalogue tables hold the names the meta pages print (items, gems, enchantments, item sets,
// talents, PvP talents, specs), filled from what the API already returned: no extra request. Each upsert
// sends one statement of arrays, deduplicated and sorted by key, and rewrites a row only when a name
// changed, so meeting the same item a million times writes nothing.

// upsertItems stores the catalogue rows of items (gems included: gems are items).
func upsertItems(ctx context.Context, tx pgx.Tx, items []gear.Item) error {
	items = uniqueBy(items, func(it gear.Item) int64 { return it.BlizzardID })
	if len(items) == 0 {
		return nil
	}
	n := len(items)
	ids, names, qualities, invTypes := make([]int64, n), make([]string, n), make([]*string, n), make([]*string, n)
	classes, subclasses, media := make([]*int32, n), make([]*int32, n), make([]*int64, n)
	for i, it := range items {
		if it.BlizzardID <= 0 {
			return fmt.Errorf("item %q without a Battle.net id: %w", it.Name, ErrInvalidRow)
		}
		ids[i], names[i] = it.BlizzardID, it.Name
		qualities[i], invTypes[i] = emptyAsNull(it.Quality), emptyAsNull(it.InventoryType)
		// A gem seen only in a socket has no class, quality or media: keep what a fuller answer stored.
		if it.ItemClassID != 0 || it.ItemSubclassID != 0 || it.InventoryType != "" {
			classes[i], subclasses[i] = int32Ptr(it.ItemClassID), int32Ptr(it.ItemSubclassID)
		}
		media[i] = zeroAsNull(it.MediaID)
	}
	sql, args, err := psql.Insert("items").
		Columns("blizzard_id", "name", "quality", "inventory_type", "item_class_id", "item_subclass_id", "media_id").
		Select(sq.Select().
			Column("unnest(?::bigint[])", ids).Column("unnest(?::text[])", names).
			Column("unnest(?::text[])", qualities).Column("unnest(?::text[])", invTypes).
			Column("unnest(?::integer[])", classes).Column("unnest(?::integer[])", subclasses).
			Column("unnest(?::bigint[])", media)).
		Suffix(`ON CONFLICT (blizzard_id) DO UPDATE SET
    name = EXCLUDED.name,
    quality = COALESCE(EXCLUDED.quality, items.quality),
    inventory_type = COALESCE(EXCLUDED.inventory_type, items.inventory_type),
    item_class_id = COALESCE(EXCLUDED.item_class_id, items.item_class_id),
    item_subclass_id = COALESCE(EXCLUDED.item_subclass_id, items.item_subclass_id),
    media_id = COALESCE(EXCLUDED.media_id, items.media_id),
    updated_at = now()
WHERE (items.name, items.quality, items.inventory_type, items.item_class_id, items.item_subclass_id, items.media_id)
      IS DISTINCT FROM (EXCLUDED.name, COALESCE(EXCLUDED.quality, items.quality),
          COALESCE(EXCLUDED.inventory_type, items.inventory_type), COALESCE(EXCLUDED.item_class_id, items.item_class_id),
          COALESCE(EXCLUDED.item_subclass_id, items.item_subclass_id), COALESCE(EXCLUDED.media_id, items.media_id))`).
		ToSql()
	if err != nil {
		return fmt.Errorf("build item upsert: %w", err)
	}
	if _, err := tx.Exec(ctx, sql, args...); err != nil {
		return fmt.Errorf("upsert items: %w", err)
	}
	return nil
}

// upsertNames stores (id, name) catalogue rows of one table; an empty name never replaces a known one.
func upsertNames(ctx context.Context, tx pgx.Tx, table, idColumn string, rows []gear.Named) error {
	rows = uniqueBy(rows, func(n gear.Named) int64 { return n.ID })
	rows = slices.DeleteFunc(rows, func(n gear.Named) bool { return n.ID == 0 || n.Name == "" })
	if len(rows) == 0 {
		return nil
	}
	ids, names := make([]int64, len(rows)), make([]string, len(rows))
	for i, r := range rows {
		ids[i], names[i] = r.ID, r.Name
	}
	sql, args, err := psql.Insert(table).Columns(idColumn, "name").
		Select(sq.Select().Column("unnest(?::bigint[])", ids).Column("unnest(?::text[])", names)).
		Suffix(fmt.Sprintf(`ON CONFLICT (%[2]s) DO UPDATE SET name = EXCLUDED.name, updated_at = now()
WHERE %[1]s.name IS DISTINCT FROM EXCLUDED.name`, table, idColumn)).
		ToSql()
	if err != nil {
		return fmt.Errorf("build %s upsert: %w", table, err)
	}
	if _, err := tx.Exec(ctx, sql, args...); err != nil {
		return fmt.Errorf("upsert %s: %w", table, err)
	}
	return nil
}

// talentRow is one talents catalogue row.
type talentRow struct {
	TalentID, NodeID int64
	Name, Tree       string
}

func upsertTalents(ctx context.Context, tx pgx.Tx, rows []talentRow) error {
	rows = uniqueBy(rows, func(r talentRow) int64 { return r.TalentID })
	rows = slices.DeleteFunc(rows, func(r talentRow) bool { return r.TalentID == 0 || r.Name == "" })
	if len(rows) == 0 {
		return nil
	}
	n := len(rows)
	ids, nodes, names, trees := make([]int64, n), make([]int64, n), make([]string, n), make([]string, n)
	for i, r := range rows {
		ids[i], nodes[i], names[i], trees[i] = r.TalentID, r.NodeID, r.Name, r.Tree
	}
	sql, args, err := psql.Insert("talents").Columns("talent_id", "node_id", "name", "tree").
		Select(sq.Select().Column("unnest(?::bigint[])", ids).Column("unnest(?::bigint[])", nodes).
			Column("unnest(?::text[])", names).Column("unnest(?::text[])", trees)).
		Suffix(`ON CONFLICT (talent_id) DO UPDATE SET node_id = EXCLUDED.node_id, name = EXCLUDED.name,
    tree = EXCLUDED.tree, updated_at = now()
WHERE (talents.node_id, talents.name, talents.tree) IS DISTINCT FROM (EXCLUDED.node_id, EXCLUDED.name, EXCLUDED.tree)`).
		ToSql()
	if err != nil {
		return fmt.Errorf("build talent upsert: %w", err)
	}
	if _, err := tx.Exec(ctx, sql, args...); err != nil {
		return fmt.Errorf("upsert talents: %w", err)
	}
	return nil
}

// SaveSpecs writes the 40-spec table (ids, classes, names, roles) into the specs catalogue, so SQL
// readers need no copy of it. Unchanged rows are not rewritten.
func (s *Store) SaveSpecs(ctx context.Context, specs []battlenet.Spec) error {
	n := len(specs)
	ids, classes, classNames, names, roles := make([]int32, n), make([]int32, n), make([]string, n), make([]string, n), make([]string, n)
	for i, sp := range specs {
		ids[i], classes[i] = int32(sp.ID), int32(sp.ClassID) // #nosec G115 -- the static spec table holds small ids
		classNames[i], names[i], roles[i] = sp.ClassName, sp.Name, battlenet.SpecRole(sp.ID)
	}
	sql, args, err := psql.Insert("specs").Columns("id", "class_id", "class_name", "name", "role").
		Select(sq.Select().Column("unnest(?::integer[])", ids).Column("unnest(?::integer[])", classes).
			Column("unnest(?::text[])", classNames).Column("unnest(?::text[])", names).Column("unnest(?::text[])", roles)).
		Suffix(`ON CONFLICT (id) DO UPDATE SET class_id = EXCLUDED.class_id, class_name = EXCLUDED.class_name,
    name = EXCLUDED.name, role = EXCLUDED.role
WHERE (specs.class_id, specs.class_name, specs.name, specs.role)
      IS DISTINCT FROM (EXCLUDED.class_id, EXCLUDED.class_name, EXCLUDED.name, EXCLUDED.role)`).
		ToSql()
	if err != nil {
		return fmt.Errorf("build spec upsert: %w", err)
	}
	if _, err := s.Pool.Exec(ctx, sql, args...); err != nil {
		return fmt.Errorf("save specs: %w", err)
	}
	return nil
}

// uniqueBy keeps the first row per key and sorts by key: one statement must not touch a key twice, and
// sorted keys make concurrent writers lock rows in the same order.
func uniqueBy[T any](rows []T, key func(T) int64) []T {
	seen := make(map[int64]bool, len(rows))
	out := make([]T, 0, len(rows))
	for _, r := range rows {
		if k := key(r); !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b T) int { return cmp.Compare(key(a), key(b)) })
	return out
}

func int32Ptr(v int) *int32 {
	x := int32(v) // #nosec G115 -- item class ids are small enums
	return &x
}
