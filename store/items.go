package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
)

// Item is the catalog row of one Battle.net item, shared by every character wearing it.
type Item struct {
	BlizzardID                   int64
	Name, Quality, InventoryType string // Quality is the enum type, e.g. "EPIC"
	ItemClassID, ItemSubclassID  int
	MediaID                      int64 // 0 none
}

// EntryItem is what one slot of one entry holds.
type EntryItem struct {
	Slot                                  string
	ItemBlizzardID                        int64
	ItemLevel, Context                    int
	EnchantmentIDs, GemItemIDs, BonusList []int64
}

// Equipment is one processed equipment response: entry-level summary, the items seen and the slots.
type Equipment struct {
	ItemLevel     int
	TierSetID     int64
	TierSetName   string
	TierSetPieces int
	Tier4pActive  bool
	Items         []Item
	Slots         []EntryItem
}

const (
	itemParams      = 7
	entryItemParams = 8
)

// SaveEquipment stores one character's equipment onto all of its entries at snapshotAt, in one transaction:
// the items are upserted, the entries get the summary columns and processedAt, and their entry items are
// replaced. lastModified (when not empty) is recorded on the character for the next If-Modified-Since.
// Returns the number of entries updated.
func (s *Store) SaveEquipment(ctx context.Context, characterID int64, snapshotAt, processedAt time.Time, eq Equipment, lastModified string) (int, error) {
	items, slots, err := prepareEquipment(eq)
	if err != nil {
		return 0, fmt.Errorf("save equipment of character %d: %w", characterID, err)
	}
	var n int
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		itemIDs, err := upsertItems(ctx, tx, items)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `UPDATE pvp_leaderboard_entries SET
    item_level = $3, tier_set_id = $4, tier_set_name = $5, tier_set_pieces = $6, tier_4p_active = $7,
    equipment_processed_at = $8, updated_at = now()
WHERE character_id = $1 AND snapshot_at = $2
RETURNING id`, characterID, snapshotAt, zeroAsNull(eq.ItemLevel), zeroAsNull(eq.TierSetID), emptyAsNull(eq.TierSetName),
			tierPieces(eq), eq.Tier4pActive, processedAt)
		if err != nil {
			return fmt.Errorf("update entries: %w", err)
		}
		entryIDs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("update entries: %w", err)
		}
		n = len(entryIDs)
		if n == 0 {
			// No entry holds this equipment, so a Last-Modified must not be recorded either: the next
			// run's 304 would otherwise have nothing to copy from.
			return nil
		}
		sort.Slice(entryIDs, func(i, j int) bool { return entryIDs[i] < entryIDs[j] })
		if err := replaceEntryItems(ctx, tx, entryIDs, slots, itemIDs); err != nil {
			return err
		}
		if lastModified != "" {
			if _, err := tx.Exec(ctx, `UPDATE characters SET equipment_last_modified = $2, updated_at = now() WHERE id = $1`,
				characterID, lastModified); err != nil {
				return fmt.Errorf("record Last-Modified: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("save equipment of character %d: %w", characterID, err)
	}
	return n, nil
}

// prepareEquipment validates and normalises the input before a transaction starts: items deduplicated
// by Battle.net id (the same ring in both finger slots arrives twice) and sorted, slots deduplicated by
// name and sorted, and every slot's item present.
func prepareEquipment(eq Equipment) ([]Item, []EntryItem, error) {
	byID := make(map[int64]Item, len(eq.Items))
	for _, it := range eq.Items {
		if it.BlizzardID == 0 {
			return nil, nil, fmt.Errorf("item %q without a Battle.net id: %w", it.Name, ErrInvalidRow)
		}
		if _, seen := byID[it.BlizzardID]; !seen {
			byID[it.BlizzardID] = it
		}
	}
	items := make([]Item, 0, len(byID))
	for _, it := range byID {
		items = append(items, it)
	}
	sort.Slice(items, func(i, j int) bool { return items[i].BlizzardID < items[j].BlizzardID })

	bySlot := make(map[string]EntryItem, len(eq.Slots))
	for _, sl := range eq.Slots {
		if sl.Slot == "" {
			return nil, nil, fmt.Errorf("slot without a name (item %d): %w", sl.ItemBlizzardID, ErrInvalidRow)
		}
		if _, ok := byID[sl.ItemBlizzardID]; !ok {
			return nil, nil, fmt.Errorf("slot %s holds item %d, which is not among the items: %w", sl.Slot, sl.ItemBlizzardID, ErrInvalidRow)
		}
		if _, seen := bySlot[sl.Slot]; !seen {
			bySlot[sl.Slot] = sl
		}
	}
	slots := make([]EntryItem, 0, len(bySlot))
	for _, sl := range bySlot {
		slots = append(slots, sl)
	}
	sort.Slice(slots, func(i, j int) bool { return slots[i].Slot < slots[j].Slot })
	return items, slots, nil
}

// upsertItems writes the catalog rows and maps Battle.net ids to row ids from RETURNING. DO UPDATE is
// unconditional on purpose: DO NOTHING (or a WHERE on the update) would leave unchanged rows out of
// RETURNING and cost one lookup per item.
func upsertItems(ctx context.Context, tx pgx.Tx, items []Item) (map[int64]int64, error) {
	ids := make(map[int64]int64, len(items))
	for _, chunk := range chunks(items, chunkSize(itemParams)) {
		ins := psql.Insert("items").
			Columns("blizzard_id", "name", "quality", "inventory_type", "item_class_id", "item_subclass_id", "media_id")
		for _, it := range chunk {
			ins = ins.Values(it.BlizzardID, it.Name, emptyAsNull(it.Quality), emptyAsNull(it.InventoryType),
				it.ItemClassID, it.ItemSubclassID, zeroAsNull(it.MediaID))
		}
		q, args, err := ins.Suffix(`ON CONFLICT (blizzard_id) DO UPDATE SET
    name = EXCLUDED.name, quality = EXCLUDED.quality, inventory_type = EXCLUDED.inventory_type,
    item_class_id = EXCLUDED.item_class_id, item_subclass_id = EXCLUDED.item_subclass_id,
    media_id = EXCLUDED.media_id, updated_at = now()
RETURNING blizzard_id, id`).ToSql()
		if err != nil {
			return nil, fmt.Errorf("build item upsert: %w", err)
		}
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("upsert items: %w", err)
		}
		var bid, id int64
		if _, err := pgx.ForEachRow(rows, []any{&bid, &id}, func() error {
			ids[bid] = id
			return nil
		}); err != nil {
			return nil, fmt.Errorf("upsert items: %w", err)
		}
	}
	return ids, nil
}

// replaceEntryItems deletes the entries' slots and inserts the new ones for every entry in bulk, rows
// sorted by (entry, slot).
func replaceEntryItems(ctx context.Context, tx pgx.Tx, entryIDs []int64, slots []EntryItem, itemIDs map[int64]int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM pvp_leaderboard_entry_items WHERE pvp_leaderboard_entry_id = ANY($1)`, entryIDs); err != nil {
		return fmt.Errorf("delete entry items: %w", err)
	}
	type row struct {
		entryID int64
		slot    EntryItem
	}
	rows := make([]row, 0, len(entryIDs)*len(slots))
	for _, e := range entryIDs {
		for _, sl := range slots {
			rows = append(rows, row{e, sl})
		}
	}
	for _, chunk := range chunks(rows, chunkSize(entryItemParams)) {
		ins := psql.Insert("pvp_leaderboard_entry_items").
			Columns("pvp_leaderboard_entry_id", "item_id", "slot", "item_level", "context",
				"enchantment_ids", "gem_item_ids", "bonus_list")
		for _, r := range chunk {
			itemID, ok := itemIDs[r.slot.ItemBlizzardID]
			if !ok {
				// prepareEquipment guarantees the item was upserted; a miss means RETURNING lost a row.
				return fmt.Errorf("item %d has no row id after upsert", r.slot.ItemBlizzardID)
			}
			ins = ins.Values(r.entryID, itemID, r.slot.Slot, zeroAsNull(r.slot.ItemLevel), r.slot.Context,
				nonNilIDs(r.slot.EnchantmentIDs), nonNilIDs(r.slot.GemItemIDs), nonNilIDs(r.slot.BonusList))
		}
		q, args, err := ins.ToSql()
		if err != nil {
			return fmt.Errorf("build entry item insert: %w", err)
		}
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("insert entry items: %w", err)
		}
	}
	return nil
}

// CopyEquipment reuses an earlier processed entry of the character: its summary columns, its
// equipment_processed_at (kept, so the reused data still ages out of the TTL) and its entry items are
// copied onto the character's other entries at snapshotAt. Re-running replaces, never duplicates.
// Returns the number of entries updated.
func (s *Store) CopyEquipment(ctx context.Context, sourceEntryID, characterID int64, snapshotAt time.Time) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		// FOR SHARE keeps retention from deleting the source (and cascading its items) mid-copy.
		var (
			owner     int64
			processed *time.Time
		)
		err := tx.QueryRow(ctx, `SELECT character_id, equipment_processed_at FROM pvp_leaderboard_entries WHERE id = $1 FOR SHARE`,
			sourceEntryID).Scan(&owner, &processed)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("source entry %d: %w", sourceEntryID, ErrNoEntry)
		}
		if err != nil {
			return fmt.Errorf("lock source entry %d: %w", sourceEntryID, err)
		}
		if owner != characterID {
			return fmt.Errorf("source entry %d belongs to character %d: %w", sourceEntryID, owner, ErrInvalidRow)
		}
		if processed == nil {
			return fmt.Errorf("source entry %d has no processed equipment: %w", sourceEntryID, ErrInvalidRow)
		}

		rows, err := tx.Query(ctx, `UPDATE pvp_leaderboard_entries AS t SET
    item_level = src.item_level, tier_set_id = src.tier_set_id, tier_set_name = src.tier_set_name,
    tier_set_pieces = src.tier_set_pieces, tier_4p_active = src.tier_4p_active,
    equipment_processed_at = src.equipment_processed_at, updated_at = now()
FROM pvp_leaderboard_entries AS src
WHERE src.id = $1 AND t.character_id = $2 AND t.snapshot_at = $3 AND t.id <> src.id
RETURNING t.id`, sourceEntryID, characterID, snapshotAt)
		if err != nil {
			return fmt.Errorf("update entries: %w", err)
		}
		targets, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("update entries: %w", err)
		}
		n = len(targets)
		if n == 0 {
			return nil
		}
		sort.Slice(targets, func(i, j int) bool { return targets[i] < targets[j] })
		if _, err := tx.Exec(ctx, `DELETE FROM pvp_leaderboard_entry_items WHERE pvp_leaderboard_entry_id = ANY($1)`, targets); err != nil {
			return fmt.Errorf("delete entry items: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO pvp_leaderboard_entry_items
    (pvp_leaderboard_entry_id, item_id, slot, item_level, context, enchantment_ids, gem_item_ids, bonus_list)
SELECT t.id, ei.item_id, ei.slot, ei.item_level, ei.context, ei.enchantment_ids, ei.gem_item_ids, ei.bonus_list
FROM unnest($2::bigint[]) AS t(id)
CROSS JOIN pvp_leaderboard_entry_items AS ei
WHERE ei.pvp_leaderboard_entry_id = $1
ORDER BY t.id, ei.slot`, sourceEntryID, targets); err != nil {
			return fmt.Errorf("copy entry items: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("copy equipment of entry %d to character %d: %w", sourceEntryID, characterID, err)
	}
	return n, nil
}

// zeroAsNull maps 0 (unknown) to NULL.
func zeroAsNull[T int | int64](v T) *T {
	if v == 0 {
		return nil
	}
	return &v
}

// emptyAsNull maps "" (unknown) to NULL.
func emptyAsNull(v string) *string {
	if v == "" {
		return nil
	}
	return &v
}

// tierPieces is NULL without a tier set, so "0 pieces of no set" is not confused with a set not worn.
func tierPieces(eq Equipment) *int {
	if eq.TierSetID == 0 && eq.TierSetName == "" {
		return nil
	}
	return &eq.TierSetPieces
}

// nonNilIDs keeps nil slices from being sent as NULL into the NOT NULL array columns.
func nonNilIDs(v []int64) []int64 {
	if v == nil {
		return []int64{}
	}
	return v
}
