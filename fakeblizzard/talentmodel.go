package fakeblizzard

import (
	"math/rand/v2"
	"slices"

	"github.com/pvpsync/pvpsync/battlenet"
)

// The talent model: per specialization, the three PvP talents and the saved loadouts with the nodes
// they select. The specializations JSON is rendered from it and the ground truth read from it.

// talentPick is one selected node: its index in the catalog tree and its rank.
type talentPick struct {
	idx  int
	rank int
}

type loadoutModel struct {
	active bool
	code   *string // nil = null, as Battle.net sends for some loadouts
	hero   int     // index into classCatalog.heroes; -1 = none yet
	class  []talentPick
	spec   []talentPick
	heroes []talentPick
}

type specModel struct {
	spec     battlenet.Spec
	pvp      []int // indexes into classCatalog.pvp, in slot order
	loadouts []loadoutModel
}

// talentModel lists the specs as Battle.net does: the active one first, then the others in table
// order. Like the gear model it is never changed once built.
type talentModel struct {
	specs []specModel
}

// tooltipBudget is about how many talents of a specializations response carry a tooltip; it keeps
// bodies in the 20-100 KB range whatever the number of loadouts (a real one with nine loadouts is 300 KB).
const tooltipBudget = 80

// baseTalents is the generated talent state: deterministic in (seed, region, character).
func (w *world) baseTalents(c *character) *talentModel {
	cc := w.talents.byClass[c.Class.ID]
	r := newRand(derive(w.seed, strHash("talents"), hashInt(c.ID), 0))
	specs := []battlenet.Spec{c.ActiveSpec}
	for _, s := range specsByClass[c.Class.ID] {
		if s.ID != c.ActiveSpec.ID {
			specs = append(specs, s)
		}
	}
	m := &talentModel{}
	for i, s := range specs {
		n := 1 + r.IntN(2)
		if i == 0 {
			n = 1 + r.IntN(4)
		} else if chance(r, 0.15) {
			n = 3
		}
		active := r.IntN(n)
		pair := specHeroes[s.ID]
		preferred := pair[int(derive(w.seed, strHash("hero"), hashInt(c.ID), hashInt(s.ID))%2)]
		sm := specModel{spec: s, pvp: r.Perm(len(cc.pvp))[:3]}
		for j := 0; j < n; j++ {
			lo := loadoutModel{hero: preferred, active: j == active}
			if !lo.active {
				lo.hero = pair[r.IntN(2)]
				if chance(r, 0.08) {
					lo.hero = -1 // a loadout saved while levelling, before hero talents
				}
			}
			nClass, nSpec, nHero := 20, 24, 0
			if lo.hero >= 0 {
				nClass, nSpec, nHero = 30+r.IntN(2), 26+r.IntN(3), 10+r.IntN(2)
			}
			lo.class = pickTalents(r, cc.class, nClass)
			lo.spec = pickTalents(r, cc.spec[s.ID], nSpec)
			if lo.hero >= 0 {
				lo.heroes = pickTalents(r, cc.heroes[lo.hero].nodes, nHero)
			}
			if !chance(r, 0.04) {
				lo.code = ptr(loadoutCode(r, c.Class.ID, s.ID))
			}
			sm.loadouts = append(sm.loadouts, lo)
		}
		m.specs = append(m.specs, sm)
	}
	return m
}

// pickTalents picks n nodes in tree order (the granted ones always), some at rank 2.
func pickTalents(r *rand.Rand, nodes []talentNode, n int) []talentPick {
	n = min(n, len(nodes))
	out := make([]talentPick, 0, n)
	left := n
	for i, nd := range nodes {
		if left == 0 {
			break
		}
		if !nd.granted && r.IntN(len(nodes)-i) >= left {
			continue
		}
		left--
		out = append(out, talentPick{idx: i, rank: rankFor(r, nd)})
	}
	return out
}

func rankFor(r *rand.Rand, nd talentNode) int {
	if nd.maxRank > 1 && chance(r, 0.7) {
		return 2
	}
	return 1
}

// retalent is a respec of the active spec's active loadout: one to three class or spec nodes swapped,
// now and then a PvP talent or the hero tree changed, and a new export code.
func (w *world) retalent(c *character, m *talentModel, r *rand.Rand) *talentModel {
	cc := w.talents.byClass[c.Class.ID]
	out := &talentModel{specs: slices.Clone(m.specs)}
	sm := out.specs[0]
	sm.loadouts = slices.Clone(sm.loadouts)
	a := slices.IndexFunc(sm.loadouts, func(lo loadoutModel) bool { return lo.active })
	lo := sm.loadouts[a]
	for range 1 + r.IntN(3) {
		if chance(r, 0.5) {
			lo.class = swapTalent(r, cc.class, lo.class)
		} else {
			lo.spec = swapTalent(r, cc.spec[sm.spec.ID], lo.spec)
		}
	}
	if chance(r, 0.3) {
		sm.pvp = slices.Clone(sm.pvp)
		var free []int
		for k := range cc.pvp {
			if !slices.Contains(sm.pvp, k) {
				free = append(free, k)
			}
		}
		sm.pvp[r.IntN(len(sm.pvp))] = pick(r, free)
	}
	if pair := specHeroes[sm.spec.ID]; chance(r, 0.15) {
		lo.hero = pair[0] + pair[1] - lo.hero
		lo.heroes = pickTalents(r, cc.heroes[lo.hero].nodes, 10+r.IntN(2))
	}
	if lo.code != nil {
		lo.code = ptr(loadoutCode(r, c.Class.ID, sm.spec.ID))
	}
	sm.loadouts[a] = lo
	out.specs[0] = sm
	return out
}

// swapTalent drops one chosen node that the tree does not grant and takes an unchosen one instead.
func swapTalent(r *rand.Rand, nodes []talentNode, picks []talentPick) []talentPick {
	chosen := map[int]bool{}
	var droppable []int
	for j, p := range picks {
		chosen[p.idx] = true
		if !nodes[p.idx].granted {
			droppable = append(droppable, j)
		}
	}
	var free []int
	for i := range nodes {
		if !chosen[i] {
			free = append(free, i)
		}
	}
	if len(droppable) == 0 || len(free) == 0 {
		return picks
	}
	add, drop := pick(r, free), pick(r, droppable)
	out := slices.Delete(slices.Clone(picks), drop, drop+1)
	out = append(out, talentPick{idx: add, rank: rankFor(r, nodes[add])})
	slices.SortFunc(out, func(a, b talentPick) int { return a.idx - b.idx })
	return out
}

func (w *world) specializationsDoc(c *character, m *talentModel) *battlenet.Specializations {
	cc := w.talents.byClass[c.Class.ID]
	h := w.h
	total := 0
	for _, sm := range m.specs {
		for _, lo := range sm.loadouts {
			total += len(lo.class) + len(lo.spec) + len(lo.heroes)
		}
	}
	share := min(0.9, float64(tooltipBudget)/float64(max(total, 1)))
	doc := &battlenet.Specializations{
		Links:     battlenet.Links{Self: *h.profileLink(characterPath(c.Realm.Slug, c.Name) + "/specializations")},
		Character: w.characterRef(c),
	}
	for i, sm := range m.specs {
		sd := battlenet.SpecDetail{Specialization: specRef(h, sm.spec)}
		for slot, k := range sm.pvp {
			sd.PvpTalentSlots = append(sd.PvpTalentSlots, battlenet.PvpTalentSlot{Selected: cc.pvp[k], SlotNumber: slot + 2})
		}
		for _, lm := range sm.loadouts {
			lo := battlenet.Loadout{
				IsActive:                lm.active,
				TalentLoadoutCode:       lm.code,
				SelectedClassTalents:    renderTalents(cc.class, lm.class, share),
				SelectedSpecTalents:     renderTalents(cc.spec[sm.spec.ID], lm.spec, share),
				SelectedClassTalentTree: cc.classTree,
				SelectedSpecTalentTree:  cc.specTree[sm.spec.ID],
			}
			if lm.hero >= 0 {
				hc := cc.heroes[lm.hero]
				lo.SelectedHeroTalents = renderTalents(hc.nodes, lm.heroes, share)
				lo.SelectedHeroTalentTree = &hc.ref
				if i == 0 && lm.active {
					doc.ActiveHeroTalentTree = &hc.ref
				}
			}
			sd.Loadouts = append(sd.Loadouts, lo)
		}
		doc.Specializations = append(doc.Specializations, sd)
	}
	doc.ActiveSpecialization = ptr(specRef(h, c.ActiveSpec))
	return doc
}

func renderTalents(nodes []talentNode, picks []talentPick, share float64) []battlenet.SelectedTalent {
	out := make([]battlenet.SelectedTalent, 0, len(picks))
	for _, p := range picks {
		nd := nodes[p.idx]
		st := battlenet.SelectedTalent{ID: nd.node, Rank: p.rank}
		if nd.u < share {
			st.Tooltip = nd.tip
		}
		if nd.granted {
			st.DefaultPoints = 1
		}
		out = append(out, st)
	}
	return out
}
