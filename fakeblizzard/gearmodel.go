package fakeblizzard

import (
	"math/rand/v2"
	"strconv"
)

// The gear model: what a character wears, slot by slot, as decisions (which item, which level, which
// enchants and gems, whether it is a tier piece). The equipment JSON is rendered from it, the ground
// truth read from it, and an upgrade replaces one slot's record, leaving the others untouched.

type itemKind int

const (
	kindArmor    itemKind = iota // the eight armor slots (pvp, crafted or tier)
	kindJewel                    // neck and rings: secondary stats only
	kindTrinket                  // a Gladiator's Distinction trinket
	kindBack                     // the cloak: armor value without durability
	kindWeapon                   // main and off hand (shields and off-hands included)
	kindCosmetic                 // shirt and tabard: level 1, no stats
)

// slotModel is one equipped slot. It is never changed once built (upgrades copy), so renders and
// truths can share it without locks.
type slotModel struct {
	kind       itemKind
	slot       string // HEAD, FINGER_1, ...
	inv        string // inventory type
	id         int64
	name       string
	quality    string
	class      int64 // item class (armor or weapon)
	sub        int64
	subName    string
	level      int
	context    int
	bonus      []int64
	appearance int64 // modified_appearance_id; 0 = none
	binding    string
	armor      armorSlot // the armor slot of kindArmor and kindBack (stat budget, durability)
	tier       bool      // a piece of the class tier set
	twoHand    bool      // a main-hand weapon that fills both hands
	mult       float64   // stat budget relative to a head piece
	primary    bool      // rolls the primary stat
	enchants   []enchantDef
	sockets    []socketModel
	seed       uint64 // the rolls of stats, sell price and durability
}

// socketModel is a socket and its gem; gem nil = empty.
type socketModel struct {
	typ  string
	name string
	gem  *gemDef
}

type gearModel struct {
	slots []slotModel // in Battle.net's slot order
}

// gearer builds one character's generated gear.
type gearer struct {
	c     *character
	r     *rand.Rand
	base  int // item level the character's gear centres on
	slots []slotModel
}

// baseGear is the gear a character is generated with: deterministic in (seed, region, character).
func (w *world) baseGear(c *character) *gearModel {
	g := &gearer{c: c, r: newRand(derive(w.seed, strHash("gear"), hashInt(c.ID), 0)), slots: make([]slotModel, 0, 18)}
	g.base = min(660+int(c.Skill*24), 697)
	r := g.r

	// Which of the five set slots carry the class tier set (2 to 5 of them).
	tierOn := map[string]bool{}
	for _, i := range r.Perm(len(tierSlots))[:2+r.IntN(4)] {
		tierOn[tierSlots[i].slot] = true
	}
	kit := pick(r, specKits[c.ActiveSpec.ID])
	armorPiece := func(s armorSlot) {
		var m slotModel
		switch {
		case tierOn[s.slot]:
			m = g.tierArmor(s, g.level(0, 3, 6))
		case (s == slotWaist || s == slotFeet || s == slotWrist) && chance(r, 0.6):
			m = g.craftedArmor(s, g.level(-13, -6, -10))
		default:
			m = g.pvpArmor(s, g.level(0, 0, 3, -3))
		}
		if s == slotChest || s == slotLegs || s == slotFeet || s == slotWrist {
			g.enchant(&m, s.slot)
		}
		g.add(m)
	}
	armorPiece(slotHead)
	g.add(g.neck(chance(r, 0.7)))
	armorPiece(slotShoulder)
	// A two-hander leaves 15 combat slots; the shirt keeps the count within Battle.net's usual 16-18.
	if kit.oh == nil || chance(r, 0.6) {
		g.add(g.cosmetic("SHIRT", "BODY", pick(r, shirts)))
	}
	for _, s := range []armorSlot{slotChest, slotWaist, slotLegs, slotFeet, slotWrist, slotHands} {
		armorPiece(s)
	}
	g.rings()
	for i, k := range r.Perm(len(gladiatorTrinkets))[:2] {
		g.add(g.trinket(i+1, k, g.level(0, 0, 3)))
	}
	back := g.back(chance(r, 0.6))
	g.enchant(&back, "BACK")
	g.add(back)
	g.weapons(kit)
	if chance(r, 0.4) {
		g.add(g.cosmetic("TABARD", "TABARD", pick(r, tabards)))
	}
	return &gearModel{slots: g.slots}
}

func (g *gearer) add(m slotModel) { g.slots = append(g.slots, m) }

func (g *gearer) level(delta ...int) int {
	return min(max(g.base+pick(g.r, delta), 650), 700)
}

func (g *gearer) item(kind itemKind, slot, inv string, id int64, name string, class, sub int64, subName string, level, context int, bonus []int64) slotModel {
	return slotModel{
		kind: kind, slot: slot, inv: inv, id: id, name: name, quality: "EPIC", class: class, sub: sub, subName: subName,
		level: level, context: context, bonus: bonus, binding: "ON_ACQUIRE", seed: g.r.Uint64(), primary: true, mult: 1,
	}
}

func (g *gearer) armorInv(s armorSlot) string {
	if s == slotChest && g.c.Class.Armor == cloth {
		return "ROBE"
	}
	return s.inv
}

func (g *gearer) armorItem(s armorSlot, id int64, name string, level, context int, bonus []int64) slotModel {
	a := g.c.Class.Armor
	m := g.item(kindArmor, s.slot, g.armorInv(s), id, name, itemClassArmor, int64(a), armorTypeNames[a], level, context, bonus)
	m.armor, m.mult = s, s.mult
	if s == slotHead && chance(g.r, 0.5) {
		g.sockets(&m, 1)
	}
	return m
}

func (g *gearer) pvpArmor(s armorSlot, level int) slotModel {
	a := g.c.Class.Armor
	id := 230400 + int64(a)*10 + int64(s.idx)
	m := g.armorItem(s, id, "Astral Gladiator's "+armorTypeNames[a]+" "+armorWords[a][s.idx], level, 14, pvpBonus)
	m.appearance = id - 2000
	return m
}

func (g *gearer) craftedArmor(s armorSlot, level int) slotModel {
	a := g.c.Class.Armor
	id := 217100 + int64(a)*10 + int64(s.idx)
	m := g.armorItem(s, id, "Algari Competitor's "+armorTypeNames[a]+" "+armorWords[a][s.idx], level, 13, craftedBonus)
	if s == slotWaist || s == slotWrist {
		g.sockets(&m, 1+boolInt(chance(g.r, 0.3)))
	}
	return m
}

func (g *gearer) tierArmor(s armorSlot, level int) slotModel {
	k := tierIndex(s)
	id, name := tierPiece(g.c.Class, k)
	m := g.armorItem(s, id, name, level, 14, tierBonus)
	m.appearance = 286000 + int64(g.c.Class.ID)*10 + int64(k)
	m.tier = true
	return m
}

func (g *gearer) neck(crafted bool) slotModel {
	var m slotModel
	if crafted {
		m = g.item(kindJewel, "NECK", "NECK", 215144, "Algari Competitor's Amulet", itemClassArmor, 0, "Miscellaneous", g.level(-13, -10), 13, craftedBonus)
	} else {
		m = g.item(kindJewel, "NECK", "NECK", 230631, "Astral Gladiator's Pendant", itemClassArmor, 0, "Miscellaneous", g.level(0, 3), 14, pvpBonus)
	}
	m.mult, m.primary = 0.56, false
	g.sockets(&m, 2)
	return m
}

// rings: the crafted signet is often worn twice, as in the captures (same item id on both fingers).
func (g *gearer) rings() {
	same := chance(g.r, 0.5)
	ench := pick(g.r, enchantsBySlot["FINGER"])
	for i := 1; i <= 2; i++ {
		var m slotModel
		if same || (i == 1 && chance(g.r, 0.5)) {
			m = g.signet(i)
		} else {
			m = g.pvpRing(i, g.level(0, 3))
			if chance(g.r, 0.5) {
				g.sockets(&m, 1)
			}
		}
		if !same {
			ench = pick(g.r, enchantsBySlot["FINGER"])
		}
		m.enchants = []enchantDef{ench}
		g.add(m)
	}
}

func (g *gearer) signet(finger int) slotModel {
	m := g.item(kindJewel, "FINGER_"+strconv.Itoa(finger), "FINGER", 215137, "Algari Competitor's Signet", itemClassArmor, 0, "Miscellaneous", g.level(-13, -10), 13, craftedBonus)
	m.mult, m.primary = 0.56, false
	g.sockets(&m, 2)
	return m
}

func (g *gearer) pvpRing(finger, level int) slotModel {
	m := g.item(kindJewel, "FINGER_"+strconv.Itoa(finger), "FINGER", int64(230633+finger), "Astral Gladiator's "+[]string{"", "Band", "Ring"}[finger], itemClassArmor, 0, "Miscellaneous", level, 14, pvpBonus)
	m.mult, m.primary = 0.56, false
	return m
}

func (g *gearer) trinket(n, k, level int) slotModel {
	t := gladiatorTrinkets[k]
	m := g.item(kindTrinket, "TRINKET_"+strconv.Itoa(n), "TRINKET", t.id, t.name, itemClassArmor, 0, "Miscellaneous", level, 14, pvpBonus)
	m.appearance = t.id - 2000
	return m
}

func (g *gearer) back(reshii bool) slotModel {
	var m slotModel
	if reshii {
		m = g.item(kindBack, "BACK", "CLOAK", 235499, "Reshii Wraps", itemClassArmor, 1, "Cloth", 700+5*g.r.IntN(7), 0, reshiiBonus)
		m.quality = "ARTIFACT"
		m.sockets = []socketModel{{typ: "FIBER", name: "Fiber Socket", gem: &fiberGem}}
	} else {
		m = g.item(kindBack, "BACK", "CLOAK", 230637, "Astral Gladiator's Cloak", itemClassArmor, 1, "Cloth", g.level(0, 3), 14, pvpBonus)
		m.appearance = 230637 - 2000
	}
	m.armor = armorSlot{"BACK", "CLOAK", 0, 0.56, 0}
	m.mult = 0.56
	return m
}

func (g *gearer) weapons(kit weaponKit) {
	lvl := g.level(0, 3, 6)
	g.add(g.weapon("MAIN_HAND", kit.mh, kit.mh.id, "Astral Gladiator's "+kit.mh.noun, lvl))
	if kit.oh == nil {
		return
	}
	oh := *kit.oh
	id, name := oh.id, "Astral Gladiator's "+oh.noun
	if oh.alt != "" && chance(g.r, 0.3) {
		id, name = oh.id+1, "Astral Gladiator's "+oh.alt
	}
	g.add(g.weapon("OFF_HAND", oh, id, name, lvl))
}

func (g *gearer) weapon(slot string, wd weaponDef, id int64, name string, lvl int) slotModel {
	m := g.item(kindWeapon, slot, wd.inv, id, name, wd.class, wd.sub, wd.subName, lvl, 14, pvpBonus)
	m.appearance = id - 1620
	m.mult = 0.5
	if wd.twoHanded() {
		m.mult, m.twoHand = 1, true
	}
	if wd.class == itemClassWeapon {
		g.enchant(&m, "WEAPON")
	}
	return m
}

func (g *gearer) cosmetic(slot, inv string, s simpleItem) slotModel {
	m := slotModel{
		kind: kindCosmetic, slot: slot, inv: inv, id: s.id, name: s.name, quality: s.quality, class: itemClassArmor,
		subName: "Miscellaneous", level: 1, binding: s.binding, seed: g.r.Uint64(),
	}
	if inv == "TABARD" {
		m.context = 14
	}
	return m
}

// enchant puts the usual enchant on a slot; a few players forget one.
func (g *gearer) enchant(m *slotModel, slot string) {
	if chance(g.r, 0.1) {
		return
	}
	m.enchants = []enchantDef{pick(g.r, enchantsBySlot[slot])}
}

// sockets adds prismatic sockets, usually filled (one prime gem per character goes first).
func (g *gearer) sockets(m *slotModel, n int) {
	for i := 0; i < n; i++ {
		s := socketModel{typ: "PRISMATIC", name: "Prismatic Socket"}
		if !chance(g.r, 0.05) {
			gem := pick(g.r, gems)
			if i == 0 && chance(g.r, 0.25) {
				gem = pick(g.r, primeGems)
			}
			s.gem = &gem
		}
		m.sockets = append(m.sockets, s)
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

// itemLevel is equipped_item_level computed on the model: the mean over the 16 combat slots (shirt
// and tabard do not count), a two-hander counting for both hands, rounded down.
func (m *gearModel) itemLevel() int {
	sum, twoHand, hasOff := 0, 0, false
	for _, s := range m.slots {
		switch {
		case s.kind == kindCosmetic:
			continue
		case s.slot == "OFF_HAND":
			hasOff = true
		case s.slot == "MAIN_HAND" && s.twoHand:
			twoHand = s.level
		}
		sum += s.level
	}
	if !hasOff {
		sum += twoHand
	}
	return sum / 16
}
