package fakeblizzard

import (
	"math/rand/v2"
	"slices"
	"strconv"
)

// A gear change is what a player does between two sessions: one to three slots get better (a higher
// item level, a new item, another enchant, a gem) and every other slot stays as it was. Tier pieces
// are only ever added, so the set bonuses can only grow, as they do in the game.

// upgradeGear returns a copy of m with 1-3 slots upgraded, and which; it never changes m.
func upgradeGear(c *character, m *gearModel, r *rand.Rand) (*gearModel, []int) {
	out := &gearModel{slots: slices.Clone(m.slots)}
	g := &gearer{c: c, r: r, base: min(660+int(c.Skill*24), 697)}
	want := 1 + r.IntN(3)
	var changed []int
	for _, i := range r.Perm(len(out.slots)) {
		if len(changed) == want {
			break
		}
		if g.upgradeSlot(out, i) {
			changed = append(changed, i)
		}
	}
	return out, changed
}

// levelCap is the highest item level a slot can reach (the artifact cloak goes past the PvP cap).
func levelCap(s slotModel) int {
	if s.quality == "ARTIFACT" {
		return 730
	}
	return 700
}

// enchantSlot is the enchantsBySlot key of a slot that takes an enchant, "" for one that does not.
func enchantSlot(s slotModel) string {
	switch s.slot {
	case "CHEST", "LEGS", "FEET", "WRIST", "BACK":
		return s.slot
	case "FINGER_1", "FINGER_2":
		return "FINGER"
	case "MAIN_HAND", "OFF_HAND":
		if s.class == itemClassWeapon {
			return "WEAPON"
		}
	}
	return ""
}

// upgradeSlot applies one upgrade that fits slot i, if any does.
func (g *gearer) upgradeSlot(m *gearModel, i int) bool {
	s := m.slots[i]
	var moves []func() slotModel
	if s.kind == kindCosmetic {
		return false
	}
	if s.level < levelCap(s) {
		moves = append(moves, func() slotModel {
			step := pick(g.r, []int{3, 6, 7, 10, 13})
			if s.quality == "ARTIFACT" {
				step = 5 * (1 + g.r.IntN(2))
			}
			s.level = min(s.level+step, levelCap(s))
			return s
		})
	}
	if next := g.betterItem(m, s); next != nil {
		moves = append(moves, next)
	}
	if es := enchantSlot(s); es != "" {
		moves = append(moves, func() slotModel {
			defs := enchantsBySlot[es]
			e := pick(g.r, defs)
			for len(s.enchants) > 0 && e.id == s.enchants[0].id {
				e = pick(g.r, defs)
			}
			s.enchants = []enchantDef{e}
			return s
		})
	}
	if slices.ContainsFunc(s.sockets, func(so socketModel) bool { return so.typ == "PRISMATIC" }) {
		moves = append(moves, func() slotModel { return g.regem(s) })
	}
	if len(moves) == 0 {
		return false
	}
	m.slots[i] = pick(g.r, moves)()
	return true
}

// betterItem is the move to a better item in the slot, nil when there is none to go to.
func (g *gearer) betterItem(m *gearModel, s slotModel) func() slotModel {
	level := func() int { return min(max(s.level, g.level(0, 3))+pick(g.r, []int{0, 3, 6}), 700) }
	keep := func(n slotModel) slotModel {
		if enchantSlot(n) != "" {
			n.enchants = s.enchants // the player moves the enchant over
		}
		return n
	}
	switch {
	case s.kind == kindArmor && s.context == 13:
		return func() slotModel { return keep(g.pvpArmor(s.armor, level())) }
	case s.kind == kindArmor && !s.tier && tierIndex(s.armor) >= 0:
		return func() slotModel { return keep(g.tierArmor(s.armor, level())) }
	case s.slot == "NECK" && s.id == 215144:
		return func() slotModel { n := g.neck(false); n.level = level(); return n }
	case s.kind == kindJewel && s.id == 215137:
		return func() slotModel {
			finger, _ := strconv.Atoi(s.slot[len("FINGER_"):])
			return keep(g.pvpRing(finger, level()))
		}
	case s.kind == kindBack && s.quality != "ARTIFACT":
		return func() slotModel { return keep(g.back(true)) }
	case s.kind == kindTrinket:
		var free []int
		for k, t := range gladiatorTrinkets {
			if !slices.ContainsFunc(m.slots, func(o slotModel) bool { return o.kind == kindTrinket && o.id == t.id }) {
				free = append(free, k)
			}
		}
		if len(free) == 0 {
			return nil
		}
		return func() slotModel {
			n, _ := strconv.Atoi(s.slot[len("TRINKET_"):])
			return g.trinket(n, pick(g.r, free), max(s.level, g.level(0, 3)))
		}
	}
	return nil
}

// regem fills an empty prismatic socket, or swaps a gem for another.
func (g *gearer) regem(s slotModel) slotModel {
	s.sockets = slices.Clone(s.sockets)
	var prismatic, empty []int
	for j, so := range s.sockets {
		if so.typ == "PRISMATIC" {
			prismatic = append(prismatic, j)
			if so.gem == nil {
				empty = append(empty, j)
			}
		}
	}
	j := pick(g.r, prismatic)
	if len(empty) > 0 {
		j = empty[0]
	}
	all := slices.Concat(gems, primeGems)
	gem := pick(g.r, all)
	for old := s.sockets[j].gem; old != nil && gem.id == old.id; {
		gem = pick(g.r, all)
	}
	s.sockets[j].gem = &gem
	return s
}
