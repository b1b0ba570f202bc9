package gear

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/battlenet"
)

func setItem(slot string, id int64, setID int64, setName string) battlenet.EquippedItem {
	it := item(slot, id, 600, slot)
	it.Set = &battlenet.ItemSetState{ItemSet: battlenet.KeyRef{ID: setID, Name: setName}}
	return it
}

func TestClassTierSetFixtures(t *testing.T) {
	ts, ok := ClassTierSet(equipmentFixture(t, "egirlbooster"))
	require.True(t, ok)
	assert.Equal(t, TierSet{ID: 1928, Name: "Shroud of the Sudden Eclipse", Pieces: 2}, ts)

	ts, ok = ClassTierSet(equipmentFixture(t, "jw"))
	require.True(t, ok)
	assert.Equal(t, TierSet{ID: 1928, Name: "Shroud of the Sudden Eclipse", Pieces: 4, FourPieceActive: true}, ts)
}

func TestClassTierSetIgnoresGladiatorSets(t *testing.T) {
	// Two trinkets of a PvP set and a single class piece: the class set still wins.
	e := &battlenet.Equipment{EquippedItems: []battlenet.EquippedItem{
		setItem("TRINKET_1", 1, 1458, "Gladiator's Distinction"),
		setItem("TRINKET_2", 2, 1458, "Gladiator's Distinction"),
		setItem("HEAD", 3, 1928, "Shroud of the Sudden Eclipse"),
	}}
	ts, ok := ClassTierSet(e)
	require.True(t, ok)
	assert.Equal(t, int64(1928), ts.ID)
	assert.Equal(t, 1, ts.Pieces)

	// Only PvP sets: no class set.
	_, ok = ClassTierSet(&battlenet.Equipment{EquippedItems: e.EquippedItems[:2]})
	assert.False(t, ok)
}

func TestClassTierSetTieGoesToLowerID(t *testing.T) {
	items := []battlenet.EquippedItem{
		setItem("HEAD", 1, 2000, "B"),
		setItem("CHEST", 2, 2000, "B"),
		setItem("LEGS", 3, 1999, "A"),
		setItem("HANDS", 4, 1999, "A"),
	}
	ts, ok := ClassTierSet(&battlenet.Equipment{EquippedItems: items})
	require.True(t, ok)
	assert.Equal(t, int64(1999), ts.ID)

	// Order must not matter.
	reversed := []battlenet.EquippedItem{items[3], items[2], items[1], items[0]}
	ts, ok = ClassTierSet(&battlenet.Equipment{EquippedItems: reversed})
	require.True(t, ok)
	assert.Equal(t, int64(1999), ts.ID)

	// One more piece beats the lower id.
	items = append(items, setItem("SHOULDER", 5, 2000, "B"))
	ts, ok = ClassTierSet(&battlenet.Equipment{EquippedItems: items})
	require.True(t, ok)
	assert.Equal(t, TierSet{ID: 2000, Name: "B", Pieces: 3}, ts)
}

func TestClassTierSetFallsBackToEquippedItemSets(t *testing.T) {
	e := &battlenet.Equipment{
		EquippedItems: []battlenet.EquippedItem{item("HEAD", 11, 600, "HEAD")},
		EquippedItemSets: []battlenet.ItemSetState{
			{ItemSet: battlenet.KeyRef{ID: 1458, Name: "Gladiator's Distinction"}, Items: []battlenet.ItemSetMember{
				{Item: battlenet.KeyRef{ID: 1}, IsEquipped: true}, {Item: battlenet.KeyRef{ID: 2}, IsEquipped: true},
			}},
			{ItemSet: battlenet.KeyRef{ID: 1928, Name: "Shroud"}, Items: []battlenet.ItemSetMember{
				{Item: battlenet.KeyRef{ID: 11}, IsEquipped: true}, {Item: battlenet.KeyRef{ID: 12}},
				{Item: battlenet.KeyRef{ID: 13}, IsEquipped: true},
			}, Effects: []battlenet.SetEffect{{RequiredCount: 2, IsActive: true}, {RequiredCount: 4}}},
		},
	}
	ts, ok := ClassTierSet(e)
	require.True(t, ok)
	assert.Equal(t, TierSet{ID: 1928, Name: "Shroud", Pieces: 2}, ts)
}

func TestClassTierSetFourPieceFromEffect(t *testing.T) {
	// Three worn pieces but the API says the 4-piece bonus is active (a bonus that needs one piece less).
	e := &battlenet.Equipment{
		EquippedItems: []battlenet.EquippedItem{
			setItem("HEAD", 1, 1928, "Shroud"), setItem("CHEST", 2, 1928, "Shroud"), setItem("LEGS", 3, 1928, "Shroud"),
		},
		EquippedItemSets: []battlenet.ItemSetState{{
			ItemSet: battlenet.KeyRef{ID: 1928, Name: "Shroud"},
			Effects: []battlenet.SetEffect{{RequiredCount: 2, IsActive: true}, {RequiredCount: 4, IsActive: true}},
		}},
	}
	ts, ok := ClassTierSet(e)
	require.True(t, ok)
	assert.Equal(t, 3, ts.Pieces)
	assert.True(t, ts.FourPieceActive)

	e.EquippedItemSets[0].Effects[1].IsActive = false
	ts, ok = ClassTierSet(e)
	require.True(t, ok)
	assert.False(t, ts.FourPieceActive)
}

func TestClassTierSetNone(t *testing.T) {
	_, ok := ClassTierSet(nil)
	assert.False(t, ok)
	_, ok = ClassTierSet(&battlenet.Equipment{EquippedItems: []battlenet.EquippedItem{item("HEAD", 1, 600, "HEAD")}})
	assert.False(t, ok)
}
