package meta_test

import (
	"cmp"
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/pvpsync/pvpsync/gear"
	"github.com/pvpsync/pvpsync/meta"
	"github.com/pvpsync/pvpsync/meta/metatest"
)

// An independent count over the characters a test wrote (not over pvpsync's tables): what a report
// must say.

type counted struct {
	id int64
	n  int
}

type talentKey struct {
	tree         string
	node, talent int64
}

type expected struct {
	characters, withGear, withTalents int
	ratingMin, ratingMax              int
	levels                            []int
	items, enchants                   map[string]map[int64]int // slot → id → characters
	gems, hero, pvp, tier             map[int64]int            // tier: pieces (0: none)
	talents                           map[talentKey]int        // by talent; nil: compare nodes only
	nodes                             map[talentKey]int        // by node (talent 0)
	codes                             map[string]int
}

// expect applies the report's rules: the spec's characters with known gear or talents, in rank order,
// the top ones and those rated at least minRating; each counted once per choice.
func expect(chars []metatest.Character, specID, top, minRating int, slot string) expected {
	e := expected{items: map[string]map[int64]int{}, enchants: map[string]map[int64]int{}, gems: map[int64]int{},
		hero: map[int64]int{}, pvp: map[int64]int{}, tier: map[int64]int{}, talents: map[talentKey]int{}, nodes: map[talentKey]int{},
		codes: map[string]int{}}
	kept := slices.Clone(chars)
	slices.SortFunc(kept, func(a, b metatest.Character) int { return cmp.Compare(a.Rank, b.Rank) })
	place := 0
	for _, c := range kept {
		spec := cmp.Or(c.EntrySpecID, c.ActiveSpecID)
		lo := loadoutOf(c, spec)
		if spec != specID || (c.Gear == nil && lo == nil) {
			continue
		}
		place++
		if (top > 0 && place > top) || c.Rating < minRating {
			continue
		}
		e.characters++
		if e.characters == 1 || c.Rating < e.ratingMin {
			e.ratingMin = c.Rating
		}
		e.ratingMax = max(e.ratingMax, c.Rating)
		if g := c.Gear; g != nil {
			e.withGear++
			e.levels = append(e.levels, g.ItemLevel)
			pieces := 0
			if g.TierSet != nil {
				pieces = g.TierSet.Pieces
			}
			e.tier[int64(pieces)]++
			gemsWorn := map[int64]bool{}
			for _, s := range g.Slots {
				if slot != "" && s.Slot != slot {
					continue
				}
				add(e.items, s.Slot, s.ItemBlizzardID)
				seen := map[int64]bool{}
				for _, en := range s.EnchantmentIDs {
					if !seen[en] {
						seen[en] = true
						add(e.enchants, s.Slot, en)
					}
				}
				for _, gm := range s.GemItemIDs {
					gemsWorn[gm] = true
				}
			}
			for gm := range gemsWorn {
				e.gems[gm]++
			}
		}
		if lo != nil {
			e.withTalents++
			e.hero[lo.HeroTreeID]++
			if lo.Code != "" {
				e.codes[lo.Code]++
			}
			for tree, ts := range map[string][]gear.Talent{"class": lo.Class, "spec": lo.Spec, "hero": lo.Hero} {
				for _, t := range ts {
					e.talents[talentKey{tree, t.NodeID, t.TalentID}]++
					e.nodes[talentKey{tree, t.NodeID, 0}]++
				}
			}
			for _, p := range lo.Pvp {
				e.pvp[p.TalentID]++
			}
		}
	}
	slices.Sort(e.levels)
	return e
}

func loadoutOf(c metatest.Character, spec int) *gear.Loadout {
	for i := range c.Loadouts {
		if c.Loadouts[i].SpecID == spec {
			return &c.Loadouts[i]
		}
	}
	return nil
}

func add(m map[string]map[int64]int, slot string, id int64) {
	if m[slot] == nil {
		m[slot] = map[int64]int{}
	}
	m[slot][id]++
}

// ranked orders counts as reports do (most common first, then by id) and keeps the first limit.
func ranked(m map[int64]int, limit int) []counted {
	out := make([]counted, 0, len(m))
	for id, n := range m {
		out = append(out, counted{id, n})
	}
	slices.SortFunc(out, func(a, b counted) int { return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.id, b.id)) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

func usages(us []meta.Usage) []counted {
	out := make([]counted, len(us))
	for i, u := range us {
		out[i] = counted{u.ID, u.Count}
	}
	return out
}

// percentileDisc is PostgreSQL's percentile_disc: the first value whose cumulative share reaches p.
func percentileDisc(sorted []int, p float64) int {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(i, 0)]
}

// assertReport compares a report with the independent count, list by list.
func assertReport(t *testing.T, want expected, got meta.Report, limit int) {
	t.Helper()
	assert.Equal(t, want.characters, got.Characters, "characters")
	assert.Equal(t, want.withGear, got.WithGear, "with gear")
	assert.Equal(t, want.withTalents, got.WithTalents, "with talents")
	assert.Equal(t, meta.Range{Min: want.ratingMin, Max: want.ratingMax}, got.Rating)
	il := got.ItemLevel
	for _, p := range []struct {
		at   float64
		have int
	}{{0, il.Min}, {0.1, il.P10}, {0.25, il.P25}, {0.5, il.Median}, {0.75, il.P75}, {0.9, il.P90}, {1, il.Max}} {
		assert.Equal(t, percentileDisc(want.levels, p.at), p.have, "item level percentile %.2f", p.at)
	}
	var slots []string
	for _, s := range got.Slots {
		slots = append(slots, s.Slot)
		assert.Equal(t, ranked(want.items[s.Slot], limit), usages(s.Items), "items in %s", s.Slot)
		assert.Equal(t, ranked(want.enchants[s.Slot], limit), usages(s.Enchants), "enchants in %s", s.Slot)
		for _, u := range s.Items {
			assert.InDelta(t, 100*float64(u.Count)/float64(want.withGear), u.Percent, 0.005, "percent of item %d", u.ID)
		}
	}
	assert.Len(t, slots, len(want.items), "one entry per slot worn: %v", slots)
	assert.Equal(t, ranked(want.gems, limit), usages(got.Gems), "gems")
	assert.Equal(t, ranked(want.pvp, limit), usages(got.PvpTalents), "pvp talents")
	assert.Equal(t, ranked(want.hero, 0), usages(got.HeroTrees), "hero trees")
	tiers := map[int64]int{}
	for _, tr := range got.TierSets {
		tiers[int64(tr.Pieces)] += tr.Count
	}
	assert.Equal(t, want.tier, tiers, "tier set pieces")
	talents, nodes := map[talentKey]int{}, map[talentKey]int{}
	for _, tl := range got.Talents {
		talents[talentKey{tl.Tree, tl.NodeID, tl.TalentID}] = tl.Count
		nodes[talentKey{tl.Tree, tl.NodeID, 0}] = tl.NodeCount
		assert.InDelta(t, 100*float64(tl.Count)/float64(want.withTalents), tl.Percent, 0.005)
		assert.InDelta(t, 100*float64(tl.NodeCount)/float64(want.withTalents), tl.NodePercent, 0.005)
	}
	if want.talents != nil {
		assert.Equal(t, want.talents, talents, "talents")
	}
	assert.Equal(t, want.nodes, nodes, "talent nodes")
	codes := map[string]int{}
	for _, l := range got.Loadouts {
		codes[l.Code] = l.Count
	}
	if len(want.codes) <= limit {
		assert.Equal(t, want.codes, codes, "loadout codes")
	} else {
		assert.Len(t, codes, limit)
		for code, n := range codes {
			assert.Equal(t, want.codes[code], n, "loadout code %s", code)
		}
	}
	for _, l := range got.Loadouts {
		assert.InDelta(t, 100*float64(l.Count)/float64(want.withTalents), l.Percent, 0.005)
	}
}
