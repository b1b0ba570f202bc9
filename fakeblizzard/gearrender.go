package fakeblizzard

import (
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/pvpsync/pvpsync/battlenet"
)

// Rendering turns the gear model into the equipment payload. The rolls that pvpsync ignores (stat
// values, sell price, durability) come from each slot's own seed, so a slot renders the same bytes
// for as long as its record is the same, whatever happens to the other slots.

func (w *world) equipmentDoc(c *character, m *gearModel) *equipmentDoc {
	items, sets := w.renderGear(c, m)
	return &equipmentDoc{
		Links:            battlenet.Links{Self: *w.h.profileLink(characterPath(c.Realm.Slug, c.Name) + "/equipment")},
		Character:        w.characterRef(c),
		EquippedItems:    items,
		EquippedItemSets: sets,
	}
}

func (w *world) renderGear(c *character, m *gearModel) ([]*equipItem, []battlenet.ItemSetState) {
	tier := w.tierState(c, m)
	glad := w.gladiatorState(c, m)
	items := make([]*equipItem, 0, len(m.slots))
	for i := range m.slots {
		s := &m.slots[i]
		it := w.renderItem(c, s)
		switch {
		case s.tier:
			it.Set = tier
		case s.kind == kindTrinket:
			it.Set = glad
		}
		items = append(items, it)
	}
	return items, []battlenet.ItemSetState{*glad, *tier}
}

func (w *world) renderItem(c *character, s *slotModel) *equipItem {
	h := w.h
	r := newRand(s.seed)
	className := "Armor"
	if s.class == itemClassWeapon {
		className = "Weapon"
	}
	it := &equipItem{EquippedItem: battlenet.EquippedItem{
		Item:                 battlenet.KeyRef{Key: h.staticLink("/data/wow/item/" + itoa(s.id)), ID: s.id},
		Slot:                 battlenet.TypeName{Type: s.slot, Name: slotNames[s.slot]},
		Quantity:             1,
		Context:              s.context,
		BonusList:            s.bonus,
		Quality:              battlenet.TypeName{Type: s.quality, Name: qualityNames[s.quality]},
		Name:                 s.name,
		ModifiedAppearanceID: s.appearance,
		Media:                &battlenet.KeyRef{Key: h.staticLink("/data/wow/media/item/" + itoa(s.id)), ID: s.id},
		ItemClass:            battlenet.KeyRef{Key: h.staticLink("/data/wow/item-class/" + itoa(s.class)), Name: className, ID: s.class},
		ItemSubclass:         battlenet.KeyRef{Key: h.staticLink("/data/wow/item-class/" + itoa(s.class) + "/item-subclass/" + itoa(s.sub)), Name: s.subName, ID: s.sub},
		InventoryType:        battlenet.TypeName{Type: s.inv, Name: invTypeNames[s.inv]},
		Binding:              &battlenet.TypeName{Type: s.binding, Name: bindingNames[s.binding]},
		Level:                battlenet.ItemLevel{Value: s.level, DisplayString: "Item Level " + strconv.Itoa(s.level)},
	}}
	if s.level > 1 {
		it.Requirements = &requirements{Level: battlenet.ItemLevel{Value: 80, DisplayString: "Requires Level 80"}}
		it.SellPrice = price(int64(s.level) * int64(900+r.IntN(900)))
	}
	switch s.kind {
	case kindArmor:
		stats(it, r, c, s.mult, true)
		armorValue(it, r, s.armor, c.Class.Armor)
		if s.tier {
			it.Requirements.PlayableClasses = &classRequirement{
				Links:         []battlenet.KeyRef{h.staticRef("/data/wow/playable-class/", c.Class.Name, int64(c.Class.ID))},
				DisplayString: "Classes: " + c.Class.Name,
			}
		}
	case kindJewel:
		stats(it, r, c, s.mult, false)
	case kindTrinket:
		it.Stats = append(it.Stats, stat("STAMINA", int(math.Pow(float64(s.level), 2)/82.6*2.2), false, white))
	case kindBack:
		stats(it, r, c, s.mult, true)
		v := int(float64(s.level) * 3.2 * s.mult)
		it.Armor = &statValue{Value: v, Display: display{DisplayString: thousands(v) + " Armor", Color: white}}
	case kindWeapon:
		stats(it, r, c, s.mult, true)
		if s.class == itemClassWeapon {
			cur := 40 + r.IntN(41)
			it.Durability = &durability{Value: cur, DisplayString: "Durability " + strconv.Itoa(cur) + " / 80"}
		}
	}
	for _, e := range s.enchants {
		w.addEnchant(it, e)
	}
	for _, so := range s.sockets {
		w.addSocket(it, so)
	}
	return it
}

// stats rolls the item's stat lines: primary (with the other primaries greyed out on armor), stamina
// and two secondaries, scaled by item level the way the real values roughly are.
func stats(it *equipItem, r *rand.Rand, c *character, mult float64, primary bool) {
	budget := math.Pow(float64(it.Level.Value), 2) / 82.6 * mult
	if primary {
		it.Stats = append(it.Stats, stat(primaryStat(c.ActiveSpec.ID), int(budget), false, white))
	}
	it.Stats = append(it.Stats, stat("STAMINA", int(budget*7.4), false, white))
	secs := r.Perm(len(secondaryStats))[:2]
	share := 0.25 + r.Float64()*0.2
	if !primary {
		share *= 3 // jewellery puts its whole budget into secondaries
	}
	for i, s := range secs {
		v := int(budget * share)
		if i == 1 {
			v = int(budget*0.43) - v/3
		}
		it.Stats = append(it.Stats, stat(secondaryStats[s], max(v, 50), true, green))
	}
}

func stat(typ string, v int, bonus bool, color rgba) itemStat {
	return itemStat{
		Type: battlenet.TypeName{Type: typ, Name: statNames[typ]}, Value: v, IsEquipBonus: bonus,
		Display: display{DisplayString: "+" + thousands(v) + " " + statNames[typ], Color: color},
	}
}

func armorValue(it *equipItem, r *rand.Rand, s armorSlot, armorType int) {
	v := int(float64(it.Level.Value) * 6.4 * s.mult * armorFactor[armorType])
	it.Armor = &statValue{Value: v, Display: display{DisplayString: thousands(v) + " Armor", Color: white}}
	cur := s.dur/3 + r.IntN(s.dur-s.dur/3+1)
	it.Durability = &durability{Value: cur, DisplayString: "Durability " + strconv.Itoa(cur) + " / " + strconv.Itoa(s.dur)}
}

// tierState is the "set" block shared by the tier pieces: every piece of the set listed, the worn ones
// flagged, and the 2- and 4-piece bonuses active according to the count.
func (w *world) tierState(c *character, m *gearModel) *battlenet.ItemSetState {
	cls := c.Class
	h := w.h
	on := map[string]bool{}
	for _, s := range m.slots {
		if s.tier {
			on[s.slot] = true
		}
	}
	n := len(on)
	st := &battlenet.ItemSetState{ItemSet: h.staticRef("/data/wow/item-set/", cls.Tier.Name, cls.Tier.ID)}
	// Battle.net lists the pieces chest, hands, head, legs, shoulder.
	for _, k := range []int{2, 3, 0, 4, 1} {
		id, name := tierPiece(cls, k)
		st.Items = append(st.Items, battlenet.ItemSetMember{Item: h.staticRef("/data/wow/item/", name, id), IsEquipped: on[tierSlots[k].slot]})
	}
	a := cls.Abilities
	spec := c.ActiveSpec.Name
	st.Effects = []battlenet.SetEffect{
		{DisplayString: "Set: " + a[0] + " deals 10% increased damage and has 4 sec increased duration.\r\n\r\n" + a[1] + " now grants " + spec + " mastery for 6 sec.", RequiredCount: 2, IsActive: n >= 2},
		{DisplayString: "(4) Set: Casting " + a[2] + " reduces the cooldown of " + a[3] + " by 15.0 sec and your next " + a[0] + " critically strikes.", RequiredCount: 4, IsActive: n >= 4},
	}
	st.DisplayString = cls.Tier.Name + " (" + strconv.Itoa(n) + "/5)"
	return st
}

// gladiatorState is the PvP set of the two trinkets, both always worn.
func (w *world) gladiatorState(c *character, m *gearModel) *battlenet.ItemSetState {
	h := w.h
	st := &battlenet.ItemSetState{ItemSet: h.staticRef("/data/wow/item-set/", "Gladiator's Distinction", 1458)}
	for _, s := range m.slots {
		if s.kind == kindTrinket {
			st.Items = append(st.Items, battlenet.ItemSetMember{Item: h.staticRef("/data/wow/item/", s.name, s.id), IsEquipped: true})
		}
	}
	prim := statNames[primaryStat(c.ActiveSpec.ID)]
	st.Effects = []battlenet.SetEffect{{
		DisplayString: "Set: Increases your " + prim + " by 12% and your Stamina by 5% when in Arenas, Battlegrounds, and War Mode.",
		RequiredCount: 2, IsActive: true,
	}}
	st.DisplayString = "Gladiator's Distinction (2/2)"
	return st
}

func (w *world) addEnchant(it *equipItem, e enchantDef) {
	en := battlenet.Enchantment{
		DisplayString:   "Enchanted: " + e.name + " |A:Professions-ChatIcon-Quality-Tier3:20:20|a",
		EnchantmentID:   e.id,
		EnchantmentSlot: &battlenet.SlotKind{ID: 0, Type: "PERMANENT"},
	}
	if e.source != 0 {
		ref := w.h.staticRef("/data/wow/item/", sourceItemNames[e.source], e.source)
		en.SourceItem = &ref
	}
	it.Enchantments = append(it.Enchantments, en)
}

func (w *world) addSocket(it *equipItem, so socketModel) {
	s := battlenet.Socket{SocketType: battlenet.TypeName{Type: so.typ, Name: so.name}}
	if gem := so.gem; gem != nil {
		h := w.h
		s.Item = &battlenet.KeyRef{Key: h.staticLink("/data/wow/item/" + itoa(gem.id)), Name: gem.name, ID: gem.id}
		s.DisplayString = gem.display
		s.Media = &battlenet.KeyRef{Key: h.staticLink("/data/wow/media/item/" + itoa(gem.id)), ID: gem.id}
	}
	it.Sockets = append(it.Sockets, s)
}
