package fakeblizzard

import (
	"math"
	"math/rand/v2"
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

// gearer builds one character's equipment for one gear generation.
type gearer struct {
	w     *world
	c     *character
	r     *rand.Rand
	base  int // item level the character's gear centres on
	items []*equipItem
}

func (w *world) equipmentDoc(c *character, gen int) *equipmentDoc {
	items, sets := w.gear(c, gen)
	return &equipmentDoc{
		Links:            battlenet.Links{Self: *w.h.profileLink(characterPath(c.Realm.Slug, c.Name) + "/equipment")},
		Character:        w.characterRef(c),
		EquippedItems:    items,
		EquippedItemSets: sets,
	}
}

// gear is deterministic in (seed, region, character, generation): a new generation is new gear, a
// little better on average (upgrades).
func (w *world) gear(c *character, gen int) ([]*equipItem, []battlenet.ItemSetState) {
	g := &gearer{w: w, c: c, r: newRand(derive(w.seed, strHash("gear"), hashInt(c.ID), hashInt(gen)))}
	g.base = min(660+int(c.Skill*24)+3*gen, 697)
	r := g.r

	// Which of the five set slots carry the class tier set (2 to 5 of them).
	nTier := 2 + r.IntN(4)
	tierOn := map[string]bool{}
	for _, i := range r.Perm(len(tierSlots))[:nTier] {
		tierOn[tierSlots[i].slot] = true
	}
	tier := g.tierState(tierOn, nTier)
	glad := g.gladiatorState()
	kit := pick(r, specKits[c.ActiveSpec.ID])

	armorPiece := func(s armorSlot) {
		switch {
		case tierOn[s.slot]:
			g.tierItem(s, tier)
		case (s == slotWaist || s == slotFeet || s == slotWrist) && chance(r, 0.6):
			g.craftedArmor(s)
		default:
			g.pvpArmor(s)
		}
	}
	armorPiece(slotHead)
	g.neck()
	armorPiece(slotShoulder)
	// A two-hander leaves 15 combat slots; the shirt keeps the count within Battle.net's usual 16-18.
	if kit.oh == nil || chance(r, 0.6) {
		g.cosmetic("SHIRT", "BODY", pick(r, shirts))
	}
	armorPiece(slotChest)
	armorPiece(slotWaist)
	armorPiece(slotLegs)
	armorPiece(slotFeet)
	armorPiece(slotWrist)
	armorPiece(slotHands)
	g.rings()
	g.trinkets(glad)
	g.back()
	g.weapons(kit)
	if chance(r, 0.4) {
		g.cosmetic("TABARD", "TABARD", pick(r, tabards))
	}
	return g.items, []battlenet.ItemSetState{*glad, *tier}
}

func (g *gearer) level(delta ...int) int {
	return min(max(g.base+pick(g.r, delta), 650), 700)
}

func (g *gearer) newItem(slot, inv string, id int64, name, quality string, class int64, sub int64, subName string, level, context int, bonus []int64) *equipItem {
	h := g.w.h
	className := "Armor"
	if class == itemClassWeapon {
		className = "Weapon"
	}
	it := &equipItem{EquippedItem: battlenet.EquippedItem{
		Item:          battlenet.KeyRef{Key: h.staticLink("/data/wow/item/" + itoa(id)), ID: id},
		Slot:          battlenet.TypeName{Type: slot, Name: slotNames[slot]},
		Quantity:      1,
		Context:       context,
		BonusList:     bonus,
		Quality:       battlenet.TypeName{Type: quality, Name: qualityNames[quality]},
		Name:          name,
		Media:         &battlenet.KeyRef{Key: h.staticLink("/data/wow/media/item/" + itoa(id)), ID: id},
		ItemClass:     battlenet.KeyRef{Key: h.staticLink("/data/wow/item-class/" + itoa(class)), Name: className, ID: class},
		ItemSubclass:  battlenet.KeyRef{Key: h.staticLink("/data/wow/item-class/" + itoa(class) + "/item-subclass/" + itoa(sub)), Name: subName, ID: sub},
		InventoryType: battlenet.TypeName{Type: inv, Name: invTypeNames[inv]},
		Binding:       &battlenet.TypeName{Type: "ON_ACQUIRE", Name: bindingNames["ON_ACQUIRE"]},
		Level:         battlenet.ItemLevel{Value: level, DisplayString: "Item Level " + strconv.Itoa(level)},
	}}
	if level > 1 {
		it.Requirements = &requirements{Level: battlenet.ItemLevel{Value: 80, DisplayString: "Requires Level 80"}}
		it.SellPrice = price(int64(level) * int64(900+g.r.IntN(900)))
	}
	g.items = append(g.items, it)
	return it
}

// stats rolls the item's stat lines: primary (with the other primaries greyed out on armor), stamina
// and two secondaries, scaled by item level the way the real values roughly are.
func (g *gearer) stats(it *equipItem, mult float64, primary bool) {
	budget := math.Pow(float64(it.Level.Value), 2) / 82.6 * mult
	prim := primaryStat(g.c.ActiveSpec.ID)
	if primary {
		it.Stats = append(it.Stats, stat(prim, int(budget), false, white))
	}
	it.Stats = append(it.Stats, stat("STAMINA", int(budget*7.4), false, white))
	secs := g.r.Perm(len(secondaryStats))[:2]
	share := 0.25 + g.r.Float64()*0.2
	if !primary {
		share *= 3 // jewellery puts its whole budget into secondaries
	}
	for i, s := range secs {
		v := int(budget * share)
		if i == 1 {
			v = int(budget*0.43) - v/3
		}
		st := stat(secondaryStats[s], max(v, 50), true, green)
		it.Stats = append(it.Stats, st)
	}
}

func stat(typ string, v int, bonus bool, color rgba) itemStat {
	return itemStat{
		Type: battlenet.TypeName{Type: typ, Name: statNames[typ]}, Value: v, IsEquipBonus: bonus,
		Display: display{DisplayString: "+" + thousands(v) + " " + statNames[typ], Color: color},
	}
}

func (g *gearer) armorValue(it *equipItem, s armorSlot, armorType int) {
	v := int(float64(it.Level.Value) * 6.4 * s.mult * armorFactor[armorType])
	it.Armor = &statValue{Value: v, Display: display{DisplayString: thousands(v) + " Armor", Color: white}}
	cur := s.dur/3 + g.r.IntN(s.dur-s.dur/3+1)
	it.Durability = &durability{Value: cur, DisplayString: "Durability " + strconv.Itoa(cur) + " / " + strconv.Itoa(s.dur)}
}

func (g *gearer) armorInv(s armorSlot) string {
	if s == slotChest && g.c.Class.Armor == cloth {
		return "ROBE"
	}
	return s.inv
}

func (g *gearer) pvpArmor(s armorSlot) *equipItem {
	a := g.c.Class.Armor
	id := 230400 + int64(a)*10 + int64(s.idx)
	name := "Astral Gladiator's " + armorTypeNames[a] + " " + armorWords[a][s.idx]
	it := g.newItem(s.slot, g.armorInv(s), id, name, "EPIC", itemClassArmor, int64(a), armorTypeNames[a], g.level(0, 0, 3, -3), 14, pvpBonus)
	it.ModifiedAppearanceID = id - 2000
	g.finishArmor(it, s)
	return it
}

func (g *gearer) craftedArmor(s armorSlot) *equipItem {
	a := g.c.Class.Armor
	id := 217100 + int64(a)*10 + int64(s.idx)
	name := "Algari Competitor's " + armorTypeNames[a] + " " + armorWords[a][s.idx]
	it := g.newItem(s.slot, g.armorInv(s), id, name, "EPIC", itemClassArmor, int64(a), armorTypeNames[a], g.level(-13, -6, -10), 13, craftedBonus)
	g.finishArmor(it, s)
	if s == slotWaist || s == slotWrist {
		g.sockets(it, 1+boolInt(chance(g.r, 0.3)))
	}
	return it
}

func (g *gearer) tierItem(s armorSlot, set *battlenet.ItemSetState) *equipItem {
	k := tierIndex(s)
	id, name := tierPiece(g.c.Class, k)
	it := g.newItem(s.slot, g.armorInv(s), id, name, "EPIC", itemClassArmor, int64(g.c.Class.Armor), armorTypeNames[g.c.Class.Armor], g.level(0, 3, 6), 14, tierBonus)
	it.ModifiedAppearanceID = 286000 + int64(g.c.Class.ID)*10 + int64(k)
	it.Set = set
	it.Requirements.PlayableClasses = &classRequirement{
		Links:         []battlenet.KeyRef{g.w.h.staticRef("/data/wow/playable-class/", g.c.Class.Name, int64(g.c.Class.ID))},
		DisplayString: "Classes: " + g.c.Class.Name,
	}
	g.finishArmor(it, s)
	return it
}

func (g *gearer) finishArmor(it *equipItem, s armorSlot) {
	g.stats(it, s.mult, true)
	g.armorValue(it, s, g.c.Class.Armor)
	switch s {
	case slotHead:
		if chance(g.r, 0.5) {
			g.sockets(it, 1)
		}
	case slotChest, slotLegs, slotFeet, slotWrist:
		g.enchant(it, s.slot)
	}
}

func tierIndex(s armorSlot) int {
	for i, t := range tierSlots {
		if t == s {
			return i
		}
	}
	return -1
}

func tierPiece(cls *classInfo, k int) (int64, string) {
	t := cls.Tier
	word := t.Pieces[k]
	if word == "" {
		word = armorWords[cls.Armor][tierSlots[k].idx]
	}
	id := t.IDs[k]
	if id == 0 {
		id = 237700 + int64(cls.ID)*10 + int64(k)
	}
	return id, t.Prefix + word + t.Suffix
}

// tierState is the "set" block shared by the tier pieces: every piece of the set listed, the worn ones
// flagged, and the 2- and 4-piece bonuses active according to the count.
func (g *gearer) tierState(on map[string]bool, n int) *battlenet.ItemSetState {
	cls := g.c.Class
	h := g.w.h
	st := &battlenet.ItemSetState{ItemSet: h.staticRef("/data/wow/item-set/", cls.Tier.Name, cls.Tier.ID)}
	// Battle.net lists the pieces chest, hands, head, legs, shoulder.
	for _, k := range []int{2, 3, 0, 4, 1} {
		id, name := tierPiece(cls, k)
		st.Items = append(st.Items, battlenet.ItemSetMember{Item: h.staticRef("/data/wow/item/", name, id), IsEquipped: on[tierSlots[k].slot]})
	}
	a := cls.Abilities
	spec := g.c.ActiveSpec.Name
	st.Effects = []battlenet.SetEffect{
		{DisplayString: "Set: " + a[0] + " deals 10% increased damage and has 4 sec increased duration.\r\n\r\n" + a[1] + " now grants " + spec + " mastery for 6 sec.", RequiredCount: 2, IsActive: n >= 2},
		{DisplayString: "(4) Set: Casting " + a[2] + " reduces the cooldown of " + a[3] + " by 15.0 sec and your next " + a[0] + " critically strikes.", RequiredCount: 4, IsActive: n >= 4},
	}
	st.DisplayString = cls.Tier.Name + " (" + strconv.Itoa(n) + "/5)"
	return st
}

func (g *gearer) gladiatorState() *battlenet.ItemSetState {
	h := g.w.h
	st := &battlenet.ItemSetState{ItemSet: h.staticRef("/data/wow/item-set/", "Gladiator's Distinction", 1458)}
	for _, i := range g.r.Perm(len(gladiatorTrinkets))[:2] {
		t := gladiatorTrinkets[i]
		st.Items = append(st.Items, battlenet.ItemSetMember{Item: h.staticRef("/data/wow/item/", t.name, t.id), IsEquipped: true})
	}
	prim := statNames[primaryStat(g.c.ActiveSpec.ID)]
	st.Effects = []battlenet.SetEffect{{
		DisplayString: "Set: Increases your " + prim + " by 12% and your Stamina by 5% when in Arenas, Battlegrounds, and War Mode.",
		RequiredCount: 2, IsActive: true,
	}}
	st.DisplayString = "Gladiator's Distinction (2/2)"
	return st
}

func (g *gearer) trinkets(glad *battlenet.ItemSetState) {
	for i, m := range glad.Items {
		it := g.newItem("TRINKET_"+strconv.Itoa(i+1), "TRINKET", m.Item.ID, m.Item.Name, "EPIC", itemClassArmor, 0, "Miscellaneous", g.level(0, 0, 3), 14, pvpBonus)
		it.ModifiedAppearanceID = m.Item.ID - 2000
		it.Set = glad
		it.Stats = append(it.Stats, stat("STAMINA", int(math.Pow(float64(it.Level.Value), 2)/82.6*2.2), false, white))
	}
}

func (g *gearer) neck() {
	var it *equipItem
	if chance(g.r, 0.7) {
		it = g.newItem("NECK", "NECK", 215144, "Algari Competitor's Amulet", "EPIC", itemClassArmor, 0, "Miscellaneous", g.level(-13, -10), 13, craftedBonus)
	} else {
		it = g.newItem("NECK", "NECK", 230631, "Astral Gladiator's Pendant", "EPIC", itemClassArmor, 0, "Miscellaneous", g.level(0, 3), 14, pvpBonus)
	}
	g.stats(it, 0.56, false)
	g.sockets(it, 2)
}

// rings: the crafted signet is often worn twice, as in the captures (same item id on both fingers).
func (g *gearer) rings() {
	same := chance(g.r, 0.5)
	ench := pick(g.r, enchantsBySlot["FINGER"])
	for i := 1; i <= 2; i++ {
		var it *equipItem
		slot := "FINGER_" + strconv.Itoa(i)
		if same || (i == 1 && chance(g.r, 0.5)) {
			it = g.newItem(slot, "FINGER", 215137, "Algari Competitor's Signet", "EPIC", itemClassArmor, 0, "Miscellaneous", g.level(-13, -10), 13, craftedBonus)
			g.sockets(it, 2)
		} else {
			id := int64(230633 + i)
			it = g.newItem(slot, "FINGER", id, "Astral Gladiator's "+[]string{"", "Band", "Ring"}[i], "EPIC", itemClassArmor, 0, "Miscellaneous", g.level(0, 3), 14, pvpBonus)
			if chance(g.r, 0.5) {
				g.sockets(it, 1)
			}
		}
		g.stats(it, 0.56, false)
		if !same {
			ench = pick(g.r, enchantsBySlot["FINGER"])
		}
		g.addEnchant(it, ench)
	}
}

func (g *gearer) back() {
	s := armorSlot{"BACK", "CLOAK", 0, 0.56, 0}
	var it *equipItem
	if chance(g.r, 0.6) {
		lvl := 700 + 5*g.r.IntN(7)
		it = g.newItem("BACK", "CLOAK", 235499, "Reshii Wraps", "ARTIFACT", itemClassArmor, 1, "Cloth", lvl, 0, reshiiBonus)
		g.socketWith(it, "FIBER", "Fiber Socket", fiberGem)
	} else {
		it = g.newItem("BACK", "CLOAK", 230637, "Astral Gladiator's Cloak", "EPIC", itemClassArmor, 1, "Cloth", g.level(0, 3), 14, pvpBonus)
		it.ModifiedAppearanceID = 230637 - 2000
	}
	g.stats(it, s.mult, true)
	v := int(float64(it.Level.Value) * 3.2 * s.mult)
	it.Armor = &statValue{Value: v, Display: display{DisplayString: thousands(v) + " Armor", Color: white}}
	g.enchant(it, "BACK")
}

func (g *gearer) weapons(kit weaponKit) {
	lvl := g.level(0, 3, 6)
	g.weapon("MAIN_HAND", kit.mh, kit.mh.id, "Astral Gladiator's "+kit.mh.noun, lvl)
	if kit.oh == nil {
		return
	}
	oh := *kit.oh
	id, name := oh.id, "Astral Gladiator's "+oh.noun
	if oh.alt != "" && chance(g.r, 0.3) {
		id, name = oh.id+1, "Astral Gladiator's "+oh.alt
	}
	g.weapon("OFF_HAND", oh, id, name, lvl)
}

func (g *gearer) weapon(slot string, wd weaponDef, id int64, name string, lvl int) *equipItem {
	it := g.newItem(slot, wd.inv, id, name, "EPIC", wd.class, wd.sub, wd.subName, lvl, 14, pvpBonus)
	it.ModifiedAppearanceID = id - 1620
	mult := 0.5
	if wd.twoHanded() {
		mult = 1
	}
	g.stats(it, mult, true)
	if wd.class == itemClassWeapon {
		g.enchant(it, "WEAPON")
		cur := 40 + g.r.IntN(41)
		it.Durability = &durability{Value: cur, DisplayString: "Durability " + strconv.Itoa(cur) + " / 80"}
	}
	return it
}

func (g *gearer) cosmetic(slot, inv string, s simpleItem) {
	it := g.newItem(slot, inv, s.id, s.name, s.quality, itemClassArmor, 0, "Miscellaneous", 1, 0, nil)
	it.Binding = &battlenet.TypeName{Type: s.binding, Name: bindingNames[s.binding]}
	if inv == "TABARD" {
		it.Context = 14
	}
}

// enchant puts the usual enchant on a slot; a few players forget one.
func (g *gearer) enchant(it *equipItem, slot string) {
	if chance(g.r, 0.1) {
		return
	}
	g.addEnchant(it, pick(g.r, enchantsBySlot[slot]))
}

func (g *gearer) addEnchant(it *equipItem, e enchantDef) {
	en := battlenet.Enchantment{
		DisplayString:   "Enchanted: " + e.name + " |A:Professions-ChatIcon-Quality-Tier3:20:20|a",
		EnchantmentID:   e.id,
		EnchantmentSlot: &battlenet.SlotKind{ID: 0, Type: "PERMANENT"},
	}
	if e.source != 0 {
		ref := g.w.h.staticRef("/data/wow/item/", sourceItemNames[e.source], e.source)
		en.SourceItem = &ref
	}
	it.Enchantments = append(it.Enchantments, en)
}

// sockets adds prismatic sockets, usually filled (one prime gem per character goes first).
func (g *gearer) sockets(it *equipItem, n int) {
	for i := 0; i < n; i++ {
		if chance(g.r, 0.05) {
			it.Sockets = append(it.Sockets, battlenet.Socket{SocketType: battlenet.TypeName{Type: "PRISMATIC", Name: "Prismatic Socket"}})
			continue
		}
		gem := pick(g.r, gems)
		if i == 0 && chance(g.r, 0.25) {
			gem = pick(g.r, primeGems)
		}
		g.socketWith(it, "PRISMATIC", "Prismatic Socket", gem)
	}
}

func (g *gearer) socketWith(it *equipItem, typ, name string, gem gemDef) {
	h := g.w.h
	ref := battlenet.KeyRef{Key: h.staticLink("/data/wow/item/" + itoa(gem.id)), Name: gem.name, ID: gem.id}
	it.Sockets = append(it.Sockets, battlenet.Socket{
		SocketType:    battlenet.TypeName{Type: typ, Name: name},
		Item:          &ref,
		DisplayString: gem.display,
		Media:         &battlenet.KeyRef{Key: h.staticLink("/data/wow/media/item/" + itoa(gem.id)), ID: gem.id},
	})
}

// equippedItemLevel is Battle.net's equipped_item_level: the mean over the 16 combat slots (shirt and
// tabard do not count), a two-hander counting for both hands, rounded down.
func equippedItemLevel(items []*equipItem) int {
	sum, twoHand, hasOff := 0, 0, false
	for _, it := range items {
		switch it.Slot.Type {
		case "SHIRT", "TABARD":
			continue
		case "OFF_HAND":
			hasOff = true
		case "MAIN_HAND":
			switch it.InventoryType.Type {
			case "TWOHWEAPON", "RANGED", "RANGEDRIGHT":
				twoHand = it.Level.Value
			}
		}
		sum += it.Level.Value
	}
	if !hasOff {
		sum += twoHand
	}
	return sum / 16
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
