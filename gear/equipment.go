package gear

import (
	"cmp"
	"errors"
	"slices"
	"strings"

	"github.com/pvpsync/pvpsync/battlenet"
)

// ErrNoItems means the equipment response had nothing to store (nil, empty, or only unusable entries).
var ErrNoItems = errors.New("gear: equipment has no equipped items")

// Item is the catalogue row of one item, shared by every character wearing it.
type Item struct {
	BlizzardID     int64
	Name           string
	Quality        string // "EPIC": the enum type, not the localized name
	InventoryType  string // "HEAD", "TWOHWEAPON", ...
	ItemClassID    int
	ItemSubclassID int
	MediaID        int64
}

// Slot is what one character wears in one slot. The slices are never nil: the columns they feed are
// NOT NULL arrays, and a nil slice would be sent as NULL.
type Slot struct {
	Slot           string // "HEAD", "FINGER_1", ...
	ItemBlizzardID int64
	ItemLevel      int
	Context        int
	EnchantmentIDs []int64
	GemItemIDs     []int64
	BonusList      []int64
}

// Gear is the summary of one equipment response.
type Gear struct {
	ItemLevel int
	TierSet   *TierSet // nil: no class tier set equipped
	Items     []Item   // deduplicated by BlizzardID, sorted by it
	Slots     []Slot   // one per equipped slot, sorted by slot name
}

// Summarize computes everything pvpsync keeps from an equipment response. Entries without an item id
// or a slot type are skipped; when a slot appears twice the first entry wins, matching what ItemLevel
// and ClassTierSet count.
func Summarize(e *battlenet.Equipment) (Gear, error) {
	if e == nil {
		return Gear{}, ErrNoItems
	}
	worn := equipped(e.EquippedItems)
	if len(worn) == 0 {
		return Gear{}, ErrNoItems
	}

	g := Gear{ItemLevel: itemLevel(worn)}
	if ts, ok := classTierSet(worn, e.EquippedItemSets); ok {
		g.TierSet = &ts
	}

	seen := make(map[int64]bool, len(worn))
	g.Slots = make([]Slot, 0, len(worn))
	for _, it := range worn {
		g.Slots = append(g.Slots, slotOf(it))
		// Rings and one-handers are often the same item twice: one catalogue row, two slots.
		if !seen[it.Item.ID] {
			seen[it.Item.ID] = true
			g.Items = append(g.Items, itemOf(it))
		}
	}
	slices.SortFunc(g.Slots, func(a, b Slot) int { return strings.Compare(a.Slot, b.Slot) })
	slices.SortFunc(g.Items, func(a, b Item) int { return cmp.Compare(a.BlizzardID, b.BlizzardID) })
	return g, nil
}

// equipped keeps the usable entries, the first one per slot, in response order.
func equipped(items []battlenet.EquippedItem) []battlenet.EquippedItem {
	out := make([]battlenet.EquippedItem, 0, len(items))
	seen := make(map[string]bool, len(items))
	for _, it := range items {
		slot := it.Slot.Type
		if it.Item.ID == 0 || slot == "" || seen[slot] {
			continue
		}
		seen[slot] = true
		out = append(out, it)
	}
	return out
}

func itemOf(it battlenet.EquippedItem) Item {
	item := Item{
		BlizzardID:     it.Item.ID,
		Name:           it.Name,
		Quality:        it.Quality.Type,
		InventoryType:  it.InventoryType.Type,
		ItemClassID:    int(it.ItemClass.ID),
		ItemSubclassID: int(it.ItemSubclass.ID),
	}
	if item.Name == "" {
		// Some responses name the item only inside the reference.
		item.Name = it.Item.Name
	}
	if it.Media != nil {
		item.MediaID = it.Media.ID
	}
	return item
}

func slotOf(it battlenet.EquippedItem) Slot {
	s := Slot{
		Slot:           it.Slot.Type,
		ItemBlizzardID: it.Item.ID,
		ItemLevel:      it.Level.Value,
		Context:        it.Context,
		EnchantmentIDs: []int64{},
		GemItemIDs:     []int64{},
		BonusList:      []int64{},
	}
	for _, en := range it.Enchantments {
		if en.EnchantmentID != 0 {
			s.EnchantmentIDs = append(s.EnchantmentIDs, en.EnchantmentID)
		}
	}
	for _, so := range it.Sockets {
		// An empty socket has no item; it is not a gem.
		if so.Item != nil && so.Item.ID != 0 {
			s.GemItemIDs = append(s.GemItemIDs, so.Item.ID)
		}
	}
	s.BonusList = append(s.BonusList, it.BonusList...)
	return s
}
