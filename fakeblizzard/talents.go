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
