package store_test

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/store"
)

// chEquipmentFixture maps a captured equipment response to store.Equipment the plain way (items listed
// once per slot, duplicates included, as a naive caller would).
func chEquipmentFixture(t *testing.T, name string) store.Equipment {
	t.Helper()
	var resp battlenet.Equipment
	require.NoError(t, json.Unmarshal(chReadFixture(t, "equipment/"+name+".json"), &resp))
	require.NotEmpty(t, resp.EquippedItems)
	eq := store.Equipment{ItemLevel: 678, TierSetID: 1869, TierSetName: "Spellweaver's Immaculate Focus", TierSetPieces: 4, Tier4pActive: true}
	for _, it := range resp.EquippedItems {
		var media int64
		if it.Media != nil {
			media = it.Media.ID
		}
		eq.Items = append(eq.Items, store.Item{BlizzardID: it.Item.ID, Name: it.Name, Quality: it.Quality.Type,
			InventoryType: it.InventoryType.Type, ItemClassID: int(it.ItemClass.ID), ItemSubclassID: int(it.ItemSubclass.ID), MediaID: media})
		slot := store.EntryItem{Slot: it.Slot.Type, ItemBlizzardID: it.Item.ID, ItemLevel: it.Level.Value, Context: it.Context,
			BonusList: it.BonusList}
		for _, e := range it.Enchantments {
			slot.EnchantmentIDs = append(slot.EnchantmentIDs, e.EnchantmentID)
		}
		for _, s := range it.Sockets {
			if s.Item != nil {
				slot.GemItemIDs = append(slot.GemItemIDs, s.Item.ID)
			}
		}
		eq.Slots = append(eq.Slots, slot)
	}
	return eq
}

// chEntryItems reads an entry's slots back, joined to the Battle.net item ids, ordered by slot.
func chEntryItems(t *testing.T, s *store.Store, entryID int64) []store.EntryItem {
	t.Helper()
	rows, err := s.Pool.Query(t.Context(), `SELECT ei.slot, i.blizzard_id, COALESCE(ei.item_level, 0), COALESCE(ei.context, 0),
    ei.enchantment_ids, ei.gem_item_ids, ei.bonus_list
FROM pvp_leaderboard_entry_items AS ei JOIN items AS i ON i.id = ei.item_id
WHERE ei.pvp_leaderboard_entry_id = $1 ORDER BY ei.slot`, entryID)
	require.NoError(t, err)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.EntryItem, error) {
		var e store.EntryItem
		err := r.Scan(&e.Slot, &e.ItemBlizzardID, &e.ItemLevel, &e.Context, &e.EnchantmentIDs, &e.GemItemIDs, &e.BonusList)
		return e, err
	})
	require.NoError(t, err)
	return out
}

// chEntryEquipment is the equipment summary of one entry; nil for NULL.
type chEntryEquipment struct {
	ItemLevel     *int
	TierSetID     *int64
	TierSetName   *string
	TierSetPieces *int
	Tier4p        *bool
	ProcessedAt   *time.Time
}

func chReadEntryEquipment(t *testing.T, s *store.Store, entryID int64) chEntryEquipment {
	t.Helper()
	var e chEntryEquipment
	require.NoError(t, s.Pool.QueryRow(t.Context(), `SELECT item_level, tier_set_id, tier_set_name, tier_set_pieces,
    tier_4p_active, equipment_processed_at FROM pvp_leaderboard_entries WHERE id = $1`, entryID).Scan(
		&e.ItemLevel, &e.TierSetID, &e.TierSetName, &e.TierSetPieces, &e.Tier4p, &e.ProcessedAt))
	return e
}

// chSlotsOf is what SaveEquipment should have stored: one row per distinct slot, nil arrays as empty.
func chSlotsOf(eq store.Equipment) map[string]store.EntryItem {
	out := map[string]store.EntryItem{}
	norm := func(v []int64) []int64 {
		if v == nil {
			return []int64{}
		}
		return v
	}
	for _, s := range eq.Slots {
		s.EnchantmentIDs, s.GemItemIDs, s.BonusList = norm(s.EnchantmentIDs), norm(s.GemItemIDs), norm(s.BonusList)
		out[s.Slot] = s
	}
	return out
}

func chAsMap(items []store.EntryItem) map[string]store.EntryItem {
	out := map[string]store.EntryItem{}
	for _, it := range items {
		out[it.Slot] = it
	}
	return out
}

func TestItemsSaveEquipmentDedupsAndWritesEveryEntry(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	c := f.character(t, 1001, "Egirlbooster")
	other := f.character(t, 1002, "Jw")
	e3 := f.entry(t, "3v3", c, chBase, 0)
	eShuffle := f.entry(t, "shuffle-mage-frost", c, chBase, 64)
	older := f.entry(t, "3v3", c, chBase.Add(-time.Hour), 0)
	foreign := f.entry(t, "3v3", other, chBase, 0)

	eq := chEquipmentFixture(t, "egirlbooster")
	slotCount := map[int64]int{}
	for _, s := range eq.Slots {
		slotCount[s.ItemBlizzardID]++
	}
	// The capture wears the same ring in both finger slots and the same weapon in both hands.
	require.Equal(t, 2, slotCount[215137])
	require.Equal(t, 2, slotCount[230644])

	processed := chBase.Add(2 * time.Minute)
	f.rec.reset()
	n, err := f.s.SaveEquipment(ctx, c, chBase, processed, eq, `Wed, 01 Oct 2025 10:00:00 GMT`)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, 1, f.rec.matching("INSERT INTO items"), "one upsert maps every item, no per-item query")
	assert.Equal(t, 1, f.rec.matching("INSERT INTO pvp_leaderboard_entry_items"), "one bulk insert for both entries")

	assert.Equal(t, len(slotCount), f.count(t, `SELECT count(*) FROM items`), "items deduplicated by Battle.net id")
	var quality, name string
	require.NoError(t, f.s.Pool.QueryRow(ctx, `SELECT quality, name FROM items WHERE blizzard_id = 235499`).Scan(&quality, &name))
	assert.Equal(t, "ARTIFACT", quality)
	require.NoError(t, f.s.Pool.QueryRow(ctx, `SELECT quality FROM items WHERE blizzard_id = 215137`).Scan(&quality))
	assert.Equal(t, "EPIC", quality)

	want := chSlotsOf(eq)
	for _, entry := range []int64{e3, eShuffle} {
		got := chEntryItems(t, f.s, entry)
		assert.Len(t, got, len(eq.Slots))
		assert.Equal(t, want, chAsMap(got))
		assert.Equal(t, 2, f.count(t, `SELECT count(*) FROM pvp_leaderboard_entry_items AS ei JOIN items AS i ON i.id = ei.item_id
WHERE ei.pvp_leaderboard_entry_id = $1 AND i.blizzard_id = 215137`, entry), "ring in both finger slots")
		assert.Equal(t, 2, f.count(t, `SELECT count(*) FROM pvp_leaderboard_entry_items AS ei JOIN items AS i ON i.id = ei.item_id
WHERE ei.pvp_leaderboard_entry_id = $1 AND i.blizzard_id = 230644`, entry), "weapon in both hands")

		sum := chReadEntryEquipment(t, f.s, entry)
		require.NotNil(t, sum.ItemLevel)
		assert.Equal(t, eq.ItemLevel, *sum.ItemLevel)
		assert.Equal(t, eq.TierSetID, *sum.TierSetID)
		assert.Equal(t, eq.TierSetName, *sum.TierSetName)
		assert.Equal(t, eq.TierSetPieces, *sum.TierSetPieces)
		assert.True(t, *sum.Tier4p)
		require.NotNil(t, sum.ProcessedAt)
		assert.True(t, sum.ProcessedAt.Equal(processed))
	}
	for _, untouched := range []int64{older, foreign} {
		assert.Empty(t, chEntryItems(t, f.s, untouched))
		assert.Nil(t, chReadEntryEquipment(t, f.s, untouched).ProcessedAt)
	}
	ch, err := f.s.Character(ctx, c)
	require.NoError(t, err)
	assert.Equal(t, `Wed, 01 Oct 2025 10:00:00 GMT`, ch.EquipmentLastModified)

	t.Run("re-running replaces", func(t *testing.T) {
		eq2 := chEquipmentFixture(t, "jw")
		eq2.Items[0].Name = "Renamed Helm"
		eq2.Slots = eq2.Slots[:5]
		n, err := f.s.SaveEquipment(ctx, c, chBase, processed.Add(time.Minute), eq2, "")
		require.NoError(t, err)
		assert.Equal(t, 2, n)
		for _, entry := range []int64{e3, eShuffle} {
			assert.Equal(t, chSlotsOf(eq2), chAsMap(chEntryItems(t, f.s, entry)))
		}
		assert.Equal(t, 10, f.count(t, `SELECT count(*) FROM pvp_leaderboard_entry_items`))
		require.NoError(t, f.s.Pool.QueryRow(ctx, `SELECT name FROM items WHERE blizzard_id = $1`, eq2.Items[0].BlizzardID).Scan(&name))
		assert.Equal(t, "Renamed Helm", name, "catalog rows are updated by the upsert")
		ch, err := f.s.Character(ctx, c)
		require.NoError(t, err)
		assert.Equal(t, `Wed, 01 Oct 2025 10:00:00 GMT`, ch.EquipmentLastModified, "empty Last-Modified keeps the stored one")
	})
}

func TestItemsSaveEquipmentRejectsMissingItem(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	c := f.character(t, 1001, "Egirlbooster")
	e := f.entry(t, "3v3", c, chBase, 0)

	eq := chEquipmentFixture(t, "egirlbooster")
	eq.Slots = append(eq.Slots, store.EntryItem{Slot: "RANGED", ItemBlizzardID: 999999})
	_, err := f.s.SaveEquipment(ctx, c, chBase, chBase, eq, `Wed, 01 Oct 2025 10:00:00 GMT`)
	require.ErrorIs(t, err, store.ErrInvalidRow)
	assert.Contains(t, err.Error(), "999999")

	assert.Zero(t, f.count(t, `SELECT count(*) FROM items`))
	assert.Zero(t, f.count(t, `SELECT count(*) FROM pvp_leaderboard_entry_items`))
	assert.Nil(t, chReadEntryEquipment(t, f.s, e).ProcessedAt)
	ch, err := f.s.Character(ctx, c)
	require.NoError(t, err)
	assert.Empty(t, ch.EquipmentLastModified)
}

func TestItemsRoundTripInt64EdgesAndNames(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	c := f.character(t, 1001, "Egirlbooster")
	e := f.entry(t, "3v3", c, chBase, 0)

	names := []string{`Ring of "Doom" – ∞ \ '; DROP TABLE items; --`, "Ä\u00a0ß 指輪 🗡"}
	eq := store.Equipment{
		Items: []store.Item{
			{BlizzardID: math.MaxInt64, Name: names[0], Quality: "LEGENDARY", InventoryType: "FINGER", ItemClassID: 4, MediaID: math.MaxInt64},
			{BlizzardID: 1, Name: names[1], Quality: "POOR", InventoryType: "HEAD", ItemClassID: 4, ItemSubclassID: 1},
		},
		Slots: []store.EntryItem{
			{Slot: "FINGER_1", ItemBlizzardID: math.MaxInt64, ItemLevel: 700, Context: 13,
				EnchantmentIDs: []int64{math.MinInt64, -1, 0, math.MaxInt64}, GemItemIDs: []int64{math.MaxInt64}, BonusList: []int64{math.MinInt64}},
			{Slot: "HEAD", ItemBlizzardID: 1},
		},
	}
	n, err := f.s.SaveEquipment(ctx, c, chBase, chBase, eq, "")
	require.NoError(t, err)
	require.Equal(t, 1, n)

	assert.Equal(t, chSlotsOf(eq), chAsMap(chEntryItems(t, f.s, e)))
	for _, it := range eq.Items {
		var (
			name  string
			media *int64
		)
		require.NoError(t, f.s.Pool.QueryRow(ctx, `SELECT name, media_id FROM items WHERE blizzard_id = $1`, it.BlizzardID).Scan(&name, &media))
		assert.Equal(t, it.Name, name)
		if it.MediaID == 0 {
			assert.Nil(t, media)
		} else {
			require.NotNil(t, media)
			assert.Equal(t, it.MediaID, *media)
		}
	}
	sum := chReadEntryEquipment(t, f.s, e)
	assert.Nil(t, sum.ItemLevel, "unknown item level is NULL")
	assert.Nil(t, sum.TierSetID)
	assert.Nil(t, sum.TierSetPieces, "no tier set, no piece count")
}

func TestItemsCopyEquipment(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	c := f.character(t, 1001, "Egirlbooster")
	other := f.character(t, 1002, "Jw")
	old := chBase.Add(-2 * time.Hour)
	source := f.entry(t, "3v3", c, old, 0)
	t3 := f.entry(t, "3v3", c, chBase, 0)
	tShuffle := f.entry(t, "shuffle-mage-frost", c, chBase, 64)
	foreign := f.entry(t, "3v3", other, chBase, 0)

	eq := chEquipmentFixture(t, "egirlbooster")
	processed := old.Add(90 * time.Second)
	_, err := f.s.SaveEquipment(ctx, c, old, processed, eq, "")
	require.NoError(t, err)
	srcItems := chEntryItems(t, f.s, source)
	srcSum := chReadEntryEquipment(t, f.s, source)
	require.Len(t, srcItems, len(eq.Slots))

	for run := 0; run < 2; run++ {
		n, err := f.s.CopyEquipment(ctx, source, c, chBase)
		require.NoError(t, err)
		assert.Equal(t, 2, n, "run %d", run)
		for _, target := range []int64{t3, tShuffle} {
			assert.Equal(t, srcItems, chEntryItems(t, f.s, target), "run %d entry %d", run, target)
			sum := chReadEntryEquipment(t, f.s, target)
			assert.Equal(t, srcSum, sum)
			require.NotNil(t, sum.ProcessedAt)
			assert.True(t, sum.ProcessedAt.Equal(processed), "source's processed_at is kept")
		}
		assert.Equal(t, 3*len(eq.Slots), f.count(t, `SELECT count(*) FROM pvp_leaderboard_entry_items`), "no duplicates on re-run")
	}
	assert.Empty(t, chEntryItems(t, f.s, foreign))
	assert.Equal(t, srcItems, chEntryItems(t, f.s, source), "source untouched")

	_, err = f.s.CopyEquipment(ctx, source, other, chBase)
	assert.ErrorIs(t, err, store.ErrInvalidRow, "source of another character")
	_, err = f.s.CopyEquipment(ctx, t3+1000, c, chBase)
	assert.ErrorIs(t, err, store.ErrNoEntry)
	_, err = f.s.CopyEquipment(ctx, foreign, other, chBase.Add(time.Hour))
	assert.ErrorIs(t, err, store.ErrInvalidRow, "unprocessed source")
}
