package gear

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/battlenet"
)

func TestItemLevelMatchesProfile(t *testing.T) {
	for _, name := range []string{"egirlbooster", "jw"} {
		t.Run(name, func(t *testing.T) {
			want := profileFixture(t, name).EquippedItemLevel
			require.NotZero(t, want, "profile fixture lacks equipped_item_level")
			g, err := Summarize(equipmentFixture(t, name))
			require.NoError(t, err)
			assert.Equal(t, want, g.ItemLevel)
			assert.Equal(t, want, ItemLevel(equipmentFixture(t, name).EquippedItems))
		})
	}
	// The fixtures' own values, so a fixture swap cannot silently pass.
	assert.Equal(t, 677, profileFixture(t, "egirlbooster").EquippedItemLevel)
	assert.Equal(t, 134, profileFixture(t, "jw").EquippedItemLevel)
}

// fourteenOthers are the 16 averaged slots minus the two hands.
var fourteenOthers = []string{
	"HEAD", "NECK", "SHOULDER", "BACK", "CHEST", "WRIST", "HANDS", "WAIST",
	"LEGS", "FEET", "FINGER_1", "FINGER_2", "TRINKET_1", "TRINKET_2",
}

func synthetic(level int, hands ...battlenet.EquippedItem) []battlenet.EquippedItem {
	items := []battlenet.EquippedItem{item("SHIRT", 1, 1, "BODY"), item("TABARD", 2, 1, "TABARD")}
	for i, s := range fourteenOthers {
		items = append(items, item(s, int64(100+i), level, s))
	}
	return append(items, hands...)
}

func TestItemLevelTwoHander(t *testing.T) {
	cases := []struct {
		name  string
		hands []battlenet.EquippedItem
		want  int
	}{
		{"two-hander counts in both hands", []battlenet.EquippedItem{item("MAIN_HAND", 9, 700, "TWOHWEAPON")}, 700},
		{"ranged counts in both hands", []battlenet.EquippedItem{item("MAIN_HAND", 9, 700, "RANGED")}, 700},
		{"rangedright counts in both hands", []battlenet.EquippedItem{item("MAIN_HAND", 9, 700, "RANGEDRIGHT")}, 700},
		// 15*700 + 0 = 10500 / 16 = 656.25
		{"one-hander alone leaves the off hand at 0", []battlenet.EquippedItem{item("MAIN_HAND", 9, 700, "WEAPON")}, 656},
		// Titan's Grip: both hands hold two-handers, each counted once: (14*700 + 700 + 684) / 16 = 699
		{"two-hander with an off hand counts once", []battlenet.EquippedItem{
			item("MAIN_HAND", 9, 700, "TWOHWEAPON"), item("OFF_HAND", 10, 684, "TWOHWEAPON"),
		}, 699},
		// 14*700 / 16 = 612.5
		{"empty hands count 0", nil, 612},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, ItemLevel(synthetic(700, tc.hands...)))
		})
	}
}

func TestItemLevelIgnoresShirtAndTabard(t *testing.T) {
	base := synthetic(700, item("MAIN_HAND", 9, 700, "TWOHWEAPON"))
	for i := range base {
		if s := base[i].Slot.Type; s == "SHIRT" || s == "TABARD" {
			base[i].Level.Value = 10000
		}
	}
	assert.Equal(t, 700, ItemLevel(base))
}

func TestItemLevelMissingSlotsAndBadEntries(t *testing.T) {
	items := []battlenet.EquippedItem{
		item("HEAD", 1, 640, "HEAD"),
		item("HEAD", 2, 9999, "HEAD"), // duplicate slot: the first entry wins
		item("NECK", 0, 9999, "NECK"), // no item id: skipped
		item("", 3, 9999, "FEET"),     // no slot: skipped
		item("CHEST", 4, 641, "CHEST"),
	}
	// (640 + 641) / 16 = 80.06
	assert.Equal(t, 80, ItemLevel(items))
	assert.Equal(t, 0, ItemLevel(nil))
}

func TestItemLevelRoundsDown(t *testing.T) {
	items := synthetic(700, item("MAIN_HAND", 9, 700, "WEAPON"), item("OFF_HAND", 10, 715, "WEAPON"))
	// (15*700 + 715) / 16 = 700.94
	assert.Equal(t, 700, ItemLevel(items))
}

func TestItemLevelDoesNotOverflow(t *testing.T) {
	huge := int(^uint(0) >> 1)
	items := synthetic(huge, item("MAIN_HAND", 9, huge, "TWOHWEAPON"))
	assert.Positive(t, ItemLevel(items))
}
