package gear

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/battlenet"
)

func slotByName(t *testing.T, g Gear, name string) Slot {
	t.Helper()
	i := slices.IndexFunc(g.Slots, func(s Slot) bool { return s.Slot == name })
	require.GreaterOrEqual(t, i, 0, "slot %s missing", name)
	return g.Slots[i]
}

func itemByID(t *testing.T, g Gear, id int64) Item {
	t.Helper()
	i := slices.IndexFunc(g.Items, func(it Item) bool { return it.BlizzardID == id })
	require.GreaterOrEqual(t, i, 0, "item %d missing", id)
	return g.Items[i]
}

func TestSummarizeJWSlots(t *testing.T) {
	g, err := Summarize(equipmentFixture(t, "jw"))
	require.NoError(t, err)

	waist := slotByName(t, g, "WAIST")
	assert.Equal(t, int64(217130), waist.ItemBlizzardID)
	assert.Equal(t, []int64{6904, 3729, 4223}, waist.EnchantmentIDs)
	assert.Equal(t, []int64{213500, 213500}, waist.GemItemIDs)
	assert.Equal(t, []int64{11318, 10835, 10834, 9627, 12039, 12033, 8794}, waist.BonusList)
	assert.Equal(t, 113, waist.ItemLevel)
	assert.Equal(t, 13, waist.Context)

	back := slotByName(t, g, "BACK")
	assert.Equal(t, []int64{7415, 4897}, back.EnchantmentIDs)
	assert.Equal(t, 170, back.ItemLevel)
	assert.Equal(t, 11, back.Context)

	shoulder := slotByName(t, g, "SHOULDER")
	assert.NotNil(t, shoulder.EnchantmentIDs, "arrays feed NOT NULL columns")
	assert.Empty(t, shoulder.EnchantmentIDs)
	assert.NotNil(t, shoulder.GemItemIDs)
	assert.Empty(t, shoulder.GemItemIDs)
}

func TestSummarizeDeduplicatesItems(t *testing.T) {
	for _, name := range []string{"egirlbooster", "jw"} {
		t.Run(name, func(t *testing.T) {
			e := equipmentFixture(t, name)
			g, err := Summarize(e)
			require.NoError(t, err)

			// All 18 slots (SHIRT and TABARD are stored, just not averaged), one each, sorted.
			require.Len(t, g.Slots, len(e.EquippedItems))
			names := make([]string, len(g.Slots))
			for i, s := range g.Slots {
				names[i] = s.Slot
			}
			assert.True(t, slices.IsSorted(names), "slots sorted: %v", names)
			assert.Len(t, slices.Compact(slices.Clone(names)), len(names))

			// Both rings are 215137 and both hands 230644: 18 slots, 16 items.
			assert.Equal(t, int64(215137), slotByName(t, g, "FINGER_1").ItemBlizzardID)
			assert.Equal(t, int64(215137), slotByName(t, g, "FINGER_2").ItemBlizzardID)
			assert.Equal(t, int64(230644), slotByName(t, g, "MAIN_HAND").ItemBlizzardID)
			assert.Equal(t, int64(230644), slotByName(t, g, "OFF_HAND").ItemBlizzardID)
			assert.Len(t, g.Items, len(e.EquippedItems)-2)

			ids := make([]int64, len(g.Items))
			for i, it := range g.Items {
				ids[i] = it.BlizzardID
			}
			assert.True(t, slices.IsSorted(ids), "items sorted: %v", ids)
			assert.Len(t, slices.Compact(slices.Clone(ids)), len(ids), "items unique")
			for _, s := range g.Slots {
				assert.Contains(t, ids, s.ItemBlizzardID)
			}
		})
	}
}

func TestSummarizeItemFields(t *testing.T) {
	g, err := Summarize(equipmentFixture(t, "jw"))
	require.NoError(t, err)

	waist := itemByID(t, g, 217130)
	assert.Equal(t, "EPIC", waist.Quality)
	assert.Equal(t, "WAIST", waist.InventoryType)
	assert.Equal(t, 4, waist.ItemClassID)
	assert.Equal(t, 2, waist.ItemSubclassID)
	assert.Equal(t, int64(217130), waist.MediaID)
	assert.NotEmpty(t, waist.Name)

	hands := itemByID(t, g, 237665)
	assert.Equal(t, "HAND", hands.InventoryType)

	weapon := itemByID(t, g, 230644)
	assert.Equal(t, "WEAPON", weapon.InventoryType)
	assert.Equal(t, 2, weapon.ItemClassID)
}

func TestSummarizeTierSet(t *testing.T) {
	cases := []struct {
		name   string
		pieces int
		four   bool
	}{
		{"egirlbooster", 2, false},
		{"jw", 4, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g, err := Summarize(equipmentFixture(t, tc.name))
			require.NoError(t, err)
			require.NotNil(t, g.TierSet)
			assert.Equal(t, TierSet{ID: 1928, Name: "Shroud of the Sudden Eclipse", Pieces: tc.pieces, FourPieceActive: tc.four}, *g.TierSet)
		})
	}
}

func TestSummarizeNoItems(t *testing.T) {
	_, err := Summarize(nil)
	require.ErrorIs(t, err, ErrNoItems)

	_, err = Summarize(&battlenet.Equipment{})
	require.ErrorIs(t, err, ErrNoItems)

	_, err = Summarize(&battlenet.Equipment{EquippedItems: []battlenet.EquippedItem{
		item("HEAD", 0, 600, "HEAD"), item("", 5, 600, "HEAD"),
	}})
	require.ErrorIs(t, err, ErrNoItems)
}

func TestSummarizeSkipsUnusableEntries(t *testing.T) {
	g, err := Summarize(&battlenet.Equipment{EquippedItems: []battlenet.EquippedItem{
		item("NECK", 7, 600, "NECK"),
		item("HEAD", 0, 600, "HEAD"),
		item("", 8, 600, "FEET"),
		item("NECK", 9, 650, "NECK"),
	}})
	require.NoError(t, err)
	require.Len(t, g.Slots, 1)
	assert.Equal(t, int64(7), g.Slots[0].ItemBlizzardID)
	require.Len(t, g.Items, 1)
	assert.Equal(t, int64(7), g.Items[0].BlizzardID)
	assert.Nil(t, g.TierSet)
	assert.Equal(t, 37, g.ItemLevel) // 600/16
}
