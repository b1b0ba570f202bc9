package gear

import (
	"math"

	"github.com/pvpsync/pvpsync/battlenet"
)

// itemLevelSlots are the slots Battle.net averages for equipped_item_level: everything but SHIRT and
// TABARD. An empty slot still counts, as 0.
var itemLevelSlots = []string{
	"HEAD", "NECK", "SHOULDER", "BACK", "CHEST", "WRIST", "HANDS", "WAIST",
	"LEGS", "FEET", "FINGER_1", "FINGER_2", "TRINKET_1", "TRINKET_2", "MAIN_HAND", "OFF_HAND",
}

// twoHanded are the main-hand inventory types that occupy both hands.
var twoHanded = map[string]bool{"TWOHWEAPON": true, "RANGED": true, "RANGEDRIGHT": true}

// ItemLevel computes the character's equipped item level exactly as the profile's equipped_item_level:
// the 16 slots summed, a two-hander with nothing in the off hand counted in both hands, divided by 16
// and rounded down. Entries are filtered as in Summarize.
func ItemLevel(items []battlenet.EquippedItem) int {
	return itemLevel(equipped(items))
}

func itemLevel(worn []battlenet.EquippedItem) int {
	bySlot := make(map[string]battlenet.EquippedItem, len(worn))
	for _, it := range worn {
		bySlot[it.Slot.Type] = it
	}
	sum := 0
	for _, slot := range itemLevelSlots {
		if it, ok := bySlot[slot]; ok {
			sum = addSat(sum, it.Level.Value)
		}
	}
	if mh, ok := bySlot["MAIN_HAND"]; ok && twoHanded[mh.InventoryType.Type] {
		if _, ok := bySlot["OFF_HAND"]; !ok {
			sum = addSat(sum, mh.Level.Value)
		}
	}
	return floorDiv(sum, len(itemLevelSlots))
}

// addSat adds without wrapping, so absurd levels cannot turn a sum of positives negative.
func addSat(a, b int) int {
	s := a + b
	switch {
	case b > 0 && s < a:
		return math.MaxInt
	case b < 0 && s > a:
		return math.MinInt
	}
	return s
}

// floorDiv rounds toward minus infinity (Go's / truncates toward zero); d > 0.
func floorDiv(n, d int) int {
	q := n / d
	if n%d != 0 && n < 0 {
		q--
	}
	return q
}
