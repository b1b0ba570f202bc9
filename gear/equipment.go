package gear

import (
	"cmp"
	"errors"
	"regexp"
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
	ItemLevel    int
	TierSet      *TierSet // nil: no class tier set equipped
	Items        []Item   // deduplicated by BlizzardID, sorted by it
	Slots        []Slot   // one per equipped slot, sorted by slot name
	Enchantments []Named  // the enchantments worn, deduplicated, sorted by id: the catalogue's names
	Gems         []Item   // the gems socketed (gems are items), deduplicated, sorted by id
}

// Named is a catalogue entry: an id and its display name.
type Named struct {
	ID   int64
	Name string
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
	g.Enchantments, g.Gems = catalogueOf(worn)
	return g, nil
}

// catalogueOf collects the names of the enchantments and gems worn, so meta pages can print names
// without another request.
func catalogueOf(worn []battlenet.EquippedItem) ([]Named, []Item) {
	enchants := map[int64]string{}
	gems := map[int64]string{}
	for _, it := range worn {
		for _, en := range it.Enchantments {
			if en.EnchantmentID != 0 && enchants[en.EnchantmentID] == "" {
				enchants[en.EnchantmentID] = enchantName(en)
			}
		}
		for _, so := range it.Sockets {
			if so.Item != nil && so.Item.ID != 0 && gems[so.Item.ID] == "" {
				gems[so.Item.ID] = so.Item.Name
			}
		}
	}
	outE := make([]Named, 0, len(enchants))
	for id, name := range enchants {
		outE = append(outE, Named{ID: id, Name: name})
	}
	slices.SortFunc(outE, func(a, b Named) int { return cmp.Compare(a.ID, b.ID) })
	outG := make([]Item, 0, len(gems))
	for id, name := range gems {
		outG = append(outG, Item{BlizzardID: id, Name: name})
	}
	slices.SortFunc(outG, func(a, b Item) int { return cmp.Compare(a.BlizzardID, b.BlizzardID) })
	return outE, outG
}

// enchantName is the display string without the "Enchanted: " prefix Battle.net puts on permanent
// enchants, else the name of the item that applied it.
func enchantName(en battlenet.Enchantment) string {
	if s := stripMarkup(en.DisplayString); s != "" {
		name, _ := strings.CutPrefix(s, "Enchanted: ")
		return name
	}
	if en.SourceItem != nil {
		return en.SourceItem.Name
	}
	return ""
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

// Display strings carry the game client's UI markup: atlas icons ("|A:Professions-ChatIcon-Quality-
// Tier3:20:20|a", the crafting quality) and colour escapes ("|cnIQ4:Incandescent Essence|r",
// "|cff00ff00text|r"). A catalogue name keeps the words only.
var (
	atlasMarkup  = regexp.MustCompile(`\|A:[^|]*\|a`)
	colourMarkup = regexp.MustCompile(`\|c(?:n[^:|]*:|[0-9A-Fa-f]{8})([^|]*)\|r`)
)

func stripMarkup(s string) string {
	s = atlasMarkup.ReplaceAllString(s, "")
	s = colourMarkup.ReplaceAllString(s, "$1")
	return strings.TrimSpace(s)
}
