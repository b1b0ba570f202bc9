package fakeblizzard

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"

	"github.com/pvpsync/pvpsync/battlenet"
)

// The talent catalog is game data: the same for every seed, built once per region (hrefs carry the
// region) and shared read-only by every response, so building a specializations body allocates little
// beyond the slices of selected talents.

type talentNode struct {
	node    int64
	maxRank int
	u       float64 // tooltip cut-off: a node carries its tooltip when u < the response's tooltip share
	granted bool    // default_points 1 (a node the tree grants for free)
	tip     *battlenet.TalentTooltip
}

type heroCatalog struct {
	ref   battlenet.KeyRef
	nodes []talentNode
}

type classCatalog struct {
	classTree *battlenet.KeyRef
	class     []talentNode
	spec      map[int][]talentNode
	specTree  map[int]*battlenet.KeyRef
	heroes    []*heroCatalog // parallel to classInfo.Heroes
	pvp       []battlenet.PvpTalentSelection
}

type talentCatalog struct {
	byClass map[int]*classCatalog
}

var (
	catalogMu sync.Mutex
	catalogs  = map[string]*talentCatalog{}
)

func talentsFor(region string) *talentCatalog {
	catalogMu.Lock()
	defer catalogMu.Unlock()
	if c := catalogs[region]; c != nil {
		return c
	}
	c := buildTalentCatalog(newHrefs(region))
	catalogs[region] = c
	return c
}

var (
	talentAdjectives = []string{"Relentless", "Shadowed", "Swift", "Unbroken", "Searing", "Hollow", "Vicious", "Radiant",
		"Blessed", "Savage", "Tempered", "Fleeting", "Piercing", "Lingering", "Wicked", "Ancient", "Eternal", "Frozen",
		"Molten", "Brutal", "Cunning", "Grim", "Primal", "Fractured", "Harmonic", "Resounding", "Veiled", "Unyielding",
		"Fervent", "Volatile", "Quickened", "Deadly", "Hardened", "Bitter", "Restless"}
	talentNouns = []string{"Resolve", "Finesse", "Momentum", "Precision", "Onslaught", "Fury", "Reprisal", "Vigor",
		"Insight", "Tempest", "Cadence", "Ambush", "Bulwark", "Ferocity", "Clarity", "Dominion", "Echoes", "Embers",
		"Fortitude", "Grace", "Instinct", "Conviction", "Reflexes", "Torment", "Recovery", "Surge", "Exposure",
		"Ruin", "Focus", "Guile", "Wrath", "Veil", "Covenant", "Ascension", "Requiem"}
	talentStats = []string{"Haste", "Critical Strike", "Mastery", "Versatility", "Leech", "Avoidance", "movement speed"}
	castTimes   = []string{"Passive", "Passive", "Passive", "Instant", "Instant", "1.5 sec cast", "2 sec cast"}
)

// describe writes a tooltip description of 100-300 characters from a few templates.
func describe(r *rand.Rand, name string, ab []string) string {
	a, b := pick(r, ab), pick(r, ab)
	p, q, s := 5+r.IntN(30), 5+r.IntN(20), 1+r.IntN(20)
	st := pick(r, talentStats)
	switch r.IntN(6) {
	case 0:
		return fmt.Sprintf("%s deals %d%% increased damage and its cooldown is reduced by %d sec.", a, p, s)
	case 1:
		return fmt.Sprintf("Your %s has a %d%% chance to make your next %s cost no resources and deal %d%% additional damage.", a, p, b, q)
	case 2:
		return fmt.Sprintf("Increases your %s by %d%%.\r\n\r\nWhile %s is active, this bonus is increased by an additional %d%%.", st, q, a, p)
	case 3:
		return fmt.Sprintf("%s also applies %s to the target, reducing its movement speed by %d%% for %d sec. This effect cannot occur more than once every %d sec.", a, name, 20+p, 2+s%6, 10+s)
	case 4:
		return fmt.Sprintf("Damage taken is reduced by %d%% for %d sec after using %s. Critical strikes with %s extend this effect by %d sec, up to a maximum of %d sec.", q, 4+s%8, a, b, 1+s%3, 12+s)
	default:
		return fmt.Sprintf("Reduces the cooldown of %s by %d sec and grants %s, increasing healing received by %d%% and %s by %d%% for %d sec.", a, s, name, q, st, p/3+1, 6+s%10)
	}
}

func buildTalentCatalog(h hrefs) *talentCatalog {
	tc := &talentCatalog{byClass: map[int]*classCatalog{}}
	r := newRand(strHash("talent-catalog"))
	spellID := int64(200000)
	talentID := int64(110000)
	for ci := range classes {
		cls := &classes[ci]
		used := map[string]bool{}
		name := func() string {
			for {
				var n string
				if len(used) < len(cls.Abilities) && chance(r, 0.5) {
					n = "Improved " + pick(r, cls.Abilities)
				} else {
					n = pick(r, talentAdjectives) + " " + pick(r, talentNouns)
				}
				if !used[n] {
					used[n] = true
					return n
				}
			}
		}
		nodes := func(first int64, n int) []talentNode {
			out := make([]talentNode, n)
			for i := range out {
				nm := name()
				talentID++
				spellID += 1 + int64(r.IntN(900))
				out[i] = talentNode{
					node: first + int64(i), maxRank: 1 + boolInt(chance(r, 0.2)), u: r.Float64(), granted: i < 3,
					tip: &battlenet.TalentTooltip{
						Talent: h.staticRef("/data/wow/talent/", nm, talentID),
						SpellTooltip: &battlenet.SpellTooltip{
							Spell:       h.staticRef("/data/wow/spell/", nm, spellID),
							Description: describe(r, nm, cls.Abilities),
							CastTime:    pick(r, castTimes),
						},
					},
				}
			}
			return out
		}
		cc := &classCatalog{
			classTree: &battlenet.KeyRef{Key: h.staticLink("/data/wow/talent-tree/" + itoa(cls.TreeID)), Name: cls.Name},
			spec:      map[int][]talentNode{},
			specTree:  map[int]*battlenet.KeyRef{},
		}
		base := 80000 + int64(cls.ID)*1000
		cc.class = nodes(base, 46)
		for si, s := range specsByClass[cls.ID] {
			cc.spec[s.ID] = nodes(base+100+int64(si)*100, 40)
			cc.specTree[s.ID] = &battlenet.KeyRef{Key: h.staticLink(fmt.Sprintf("/data/wow/talent-tree/%d/playable-specialization/%d", cls.TreeID, s.ID)), Name: s.Name}
		}
		for _, hd := range cls.Heroes {
			cc.heroes = append(cc.heroes, &heroCatalog{
				ref:   battlenet.KeyRef{Key: h.staticLink(fmt.Sprintf("/data/wow/talent-tree/%d/hero-talent/%d", cls.TreeID, hd.ID)), Name: hd.Name, ID: hd.ID},
				nodes: nodes(94000+hd.ID*30, 14),
			})
		}
		for i, nm := range cls.PvP {
			spellID += 1 + int64(r.IntN(900))
			cc.pvp = append(cc.pvp, battlenet.PvpTalentSelection{
				Talent: h.staticRef("/data/wow/pvp-talent/", nm, 5400+int64(cls.ID)*20+int64(i)),
				SpellTooltip: &battlenet.SpellTooltip{
					Spell: h.staticRef("/data/wow/spell/", nm, spellID), Description: describe(r, nm, cls.Abilities),
					CastTime: pick(r, castTimes),
				},
			})
		}
		tc.byClass[cls.ID] = cc
	}
	return tc
}

// tooltipBudget is about how many talents of a specializations response carry a tooltip; it keeps
// bodies in the 20-100 KB range whatever the number of loadouts (a real one with nine loadouts is 300 KB).
const tooltipBudget = 80

type loadoutPlan struct {
	hero     int // index into classCatalog.heroes, -1 = no hero tree yet
	nClass   int
	nSpec    int
	nHero    int
	active   bool
	nullCode bool
}

func (w *world) specializationsDoc(c *character, gen int) *battlenet.Specializations {
	cc := w.talents.byClass[c.Class.ID]
	r := newRand(derive(w.seed, strHash("talents"), hashInt(c.ID), hashInt(gen)))
	h := w.h

	// The active spec first, then the others in table order, as Battle.net lists them.
	specs := []battlenet.Spec{c.ActiveSpec}
	for _, s := range specsByClass[c.Class.ID] {
		if s.ID != c.ActiveSpec.ID {
			specs = append(specs, s)
		}
	}
	plans := make([][]loadoutPlan, len(specs))
	total := 0
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
		for j := 0; j < n; j++ {
			p := loadoutPlan{hero: preferred, active: j == active, nullCode: chance(r, 0.04)}
			if !p.active {
				p.hero = pair[r.IntN(2)]
				if chance(r, 0.08) {
					p.hero = -1 // a loadout saved while levelling, before hero talents
				}
			}
			if p.hero >= 0 {
				p.nClass, p.nSpec, p.nHero = 30+r.IntN(2), 26+r.IntN(3), 10+r.IntN(2)
			} else {
				p.nClass, p.nSpec = 20, 24
			}
			total += p.nClass + p.nSpec + p.nHero
			plans[i] = append(plans[i], p)
		}
	}
	share := min(0.9, float64(tooltipBudget)/float64(max(total, 1)))

	doc := &battlenet.Specializations{
		Links:     battlenet.Links{Self: *h.profileLink(characterPath(c.Realm.Slug, c.Name) + "/specializations")},
		Character: w.characterRef(c),
	}
	for i, s := range specs {
		sd := battlenet.SpecDetail{Specialization: specRef(h, s)}
		for slot, k := range r.Perm(len(cc.pvp))[:3] {
			sd.PvpTalentSlots = append(sd.PvpTalentSlots, battlenet.PvpTalentSlot{Selected: cc.pvp[k], SlotNumber: slot + 2})
		}
		for _, p := range plans[i] {
			lo := battlenet.Loadout{
				IsActive:                p.active,
				SelectedClassTalents:    selectTalents(r, cc.class, p.nClass, share),
				SelectedSpecTalents:     selectTalents(r, cc.spec[s.ID], p.nSpec, share),
				SelectedClassTalentTree: cc.classTree,
				SelectedSpecTalentTree:  cc.specTree[s.ID],
			}
			if !p.nullCode {
				lo.TalentLoadoutCode = ptr(loadoutCode(r, c.Class.ID, s.ID))
			}
			if p.hero >= 0 {
				hc := cc.heroes[p.hero]
				lo.SelectedHeroTalents = selectTalents(r, hc.nodes, p.nHero, share)
				lo.SelectedHeroTalentTree = &hc.ref
				if i == 0 && p.active {
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

// selectTalents picks n nodes in tree order (the granted ones always), some at rank 2.
func selectTalents(r *rand.Rand, nodes []talentNode, n int, share float64) []battlenet.SelectedTalent {
	n = min(n, len(nodes))
	out := make([]battlenet.SelectedTalent, 0, n)
	left := n
	for i, nd := range nodes {
		remaining := len(nodes) - i
		if left == 0 {
			break
		}
		if !nd.granted && r.IntN(remaining) >= left {
			continue
		}
		left--
		st := battlenet.SelectedTalent{ID: nd.node, Rank: 1}
		if nd.maxRank > 1 && chance(r, 0.7) {
			st.Rank = 2
		}
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

const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// loadoutCode imitates an export string: a per-spec header, a per-class block, then the node bits,
// which in real codes are dominated by a handful of characters.
func loadoutCode(r *rand.Rand, classID, specID int) string {
	var b strings.Builder
	b.Grow(110)
	b.WriteByte('C')
	b.WriteByte(b64[specID%64])
	b.WriteString("QA")
	hc := newRand(hashInt(classID) * 7919)
	for range 20 {
		b.WriteByte(b64[hc.IntN(64)])
	}
	const body = "AAAAAAMMMZZYYGGjjxwmsDzbhWMzMAgZ2mxYw"
	for range 70 + r.IntN(20) {
		b.WriteByte(body[r.IntN(len(body))])
	}
	return b.String()
}
