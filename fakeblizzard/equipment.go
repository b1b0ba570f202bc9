package fakeblizzard

import (
	"strconv"

	"github.com/pvpsync/pvpsync/battlenet"
)

// equipItem is the model item plus the fields Battle.net sends that pvpsync ignores (stats, armor,
// price, requirements, durability). They make the payload as heavy as the real one, so decoding
// benchmarks against the fake mean something.
type equipItem struct {
	battlenet.EquippedItem
	Armor        *statValue    `json:"armor,omitempty"`
	Stats        []itemStat    `json:"stats,omitempty"`
	SellPrice    *sellPrice    `json:"sell_price,omitempty"`
	Requirements *requirements `json:"requirements,omitempty"`
	Durability   *durability   `json:"durability,omitempty"`
}

type rgba struct {
	R int     `json:"r"`
	G int     `json:"g"`
	B int     `json:"b"`
	A float64 `json:"a"`
}

type display struct {
	DisplayString string `json:"display_string"`
	Color         rgba   `json:"color"`
}

type statValue struct {
	Value   int     `json:"value"`
	Display display `json:"display"`
}

type itemStat struct {
	Type         battlenet.TypeName `json:"type"`
	Value        int                `json:"value"`
	IsNegated    bool               `json:"is_negated,omitempty"`
	IsEquipBonus bool               `json:"is_equip_bonus,omitempty"`
	Display      display            `json:"display"`
}

type sellPrice struct {
	Value          int64          `json:"value"`
	DisplayStrings sellPriceTexts `json:"display_strings"`
}

type sellPriceTexts struct {
	Header string `json:"header"`
	Gold   string `json:"gold"`
	Silver string `json:"silver"`
	Copper string `json:"copper"`
}

type requirements struct {
	Level           battlenet.ItemLevel `json:"level"`
	PlayableClasses *classRequirement   `json:"playable_classes,omitempty"`
}

type classRequirement struct {
	Links         []battlenet.KeyRef `json:"links"`
	DisplayString string             `json:"display_string"`
}

type durability struct {
	Value         int    `json:"value"`
	DisplayString string `json:"display_string"`
}

// equipmentDoc is battlenet.Equipment with the richer items.
type equipmentDoc struct {
	Links            battlenet.Links          `json:"_links"`
	Character        battlenet.CharacterRef   `json:"character"`
	EquippedItems    []*equipItem             `json:"equipped_items"`
	EquippedItemSets []battlenet.ItemSetState `json:"equipped_item_sets,omitempty"`
}

var (
	white = rgba{255, 255, 255, 1}
	green = rgba{0, 255, 0, 1}
)

func (w *world) characterRef(c *character) battlenet.CharacterRef {
	return battlenet.CharacterRef{
		Key: w.h.profileLink(characterPath(c.Realm.Slug, c.Name)), Name: c.Name, ID: c.ID,
		Realm: w.realmRef(c),
	}
}

func (w *world) realmRef(c *character) battlenet.Realm {
	return battlenet.Realm{Key: w.h.dynamicLink("/data/wow/realm/" + itoa(c.Realm.ID)), Name: c.Realm.Name, ID: c.Realm.ID, Slug: c.Realm.Slug}
}

func price(copper int64) *sellPrice {
	return &sellPrice{Value: copper, DisplayStrings: sellPriceTexts{
		Header: "Sell Price:", Gold: strconv.FormatInt(copper/10000, 10),
		Silver: strconv.FormatInt(copper/100%100, 10), Copper: strconv.FormatInt(copper%100, 10),
	}}
}

// thousands writes 41463 as "41,463", as Battle.net's display strings do.
func thousands(v int) string {
	s := strconv.Itoa(v)
	if len(s) <= 3 {
		return s
	}
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
