package fakeblizzard

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pvpsync/pvpsync/battlenet"
)

// character is one generated player. Everything but the gear generation is fixed at world creation.
type character struct {
	ID         int64
	Name       string
	Realm      *realmInfo
	Class      *classInfo
	MainSpec   battlenet.Spec // the spec they queue shuffle with first
	ActiveSpec battlenet.Spec // the spec the profile shows right now
	Race       raceInfo
	Gender     string
	Skill      float64 // 0..1, drives ratings and item level
	Private    bool
	lmBase     time.Time // Last-Modified at gear generation 0
}

// world is the generated population of one region.
type world struct {
	seed   uint64
	region string
	h      hrefs
	opts   *Options

	chars   []*character
	byID    map[int64]*character
	byKey   map[string]*character // realm slug + "/" + lowercased name
	byClass map[int][]*character

	talents *talentCatalog

	mu          sync.Mutex
	boards      map[boardKey]*boardCache
	gens        map[int64]int
	changeRound int
}

func charKey(realmSlug, name string) string {
	return strings.ToLower(realmSlug) + "/" + strings.ToLower(name)
}

// idBase gives each region its own id range: Battle.net ids are per region, but distinct ranges keep
// an id returned by ChangeGear or IsPrivate unambiguous.
var idBase = map[string]int64{"us": 100_000_000, "eu": 200_000_000, "kr": 300_000_000, "tw": 400_000_000}

// poolSize leaves room for boards to be a selection rather than everybody: each class needs more
// players than a spec board holds, and 2v2/3v3 pick their top out of a larger pool, so the boards
// overlap heavily without being identical.
func poolSize(o *Options) int {
	perClass := int(math.Ceil(float64(o.SpecCharacters)*1.3)) + 1
	return max(int(math.Ceil(float64(o.Characters)*1.5)), perClass*len(classes), 50)
}

func newWorld(seed uint64, region string, o *Options) *world {
	w := &world{
		seed: derive(seed, strHash("world"), strHash(region)), region: region, h: newHrefs(region), opts: o,
		byID: map[int64]*character{}, byKey: map[string]*character{}, byClass: map[int][]*character{},
		boards: map[boardKey]*boardCache{}, gens: map[int64]int{}, talents: talentsFor(region),
	}
	r := newRand(w.seed)
	n := poolSize(o)
	// Classes round-robin over a shuffled order: every class gets n/13 players, enough for its spec boards.
	order := r.Perm(n)
	realms := realmsByRegion[region]
	start := seasonStart(o.Season)
	ids := map[int64]bool{}
	for i := 0; i < n; i++ {
		cls := &classes[order[i]%len(classes)]
		specs := specsByClass[cls.ID]
		c := &character{Class: cls, Gender: pick(r, []string{"MALE", "FEMALE"})}
		for {
			c.ID = idBase[region] + r.Int64N(100_000_000)
			if !ids[c.ID] {
				ids[c.ID] = true
				break
			}
		}
		c.Race = races[pick(r, cls.Races)]
		c.MainSpec = pick(r, specs)
		c.ActiveSpec = c.MainSpec
		if chance(r, 0.2) {
			c.ActiveSpec = pick(r, specs)
		}
		c.Skill = r.Float64()
		// Realm popularity falls off geometrically.
		ri := 0
		for ri < len(realms)-1 && chance(r, 0.75) {
			ri++
		}
		ri = (ri + r.IntN(3)) % len(realms)
		c.Realm = &realms[ri]
		for {
			c.Name = genName(r, region, i)
			k := charKey(c.Realm.Slug, c.Name)
			if _, taken := w.byKey[k]; !taken {
				w.byKey[k] = c
				break
			}
		}
		c.Private = unit(derive(w.seed, strHash("private"), hashInt(c.ID))) < o.PrivateFraction
		// Gear last changed some time in the first weeks of the season.
		off := time.Duration(derive(w.seed, strHash("lm"), hashInt(c.ID))%(60*24*3600)) * time.Second
		c.lmBase = start.Add(24*time.Hour + off)
		w.chars = append(w.chars, c)
		w.byID[c.ID] = c
		w.byClass[cls.ID] = append(w.byClass[cls.ID], c)
	}
	return w
}

// genName makes a WoW-legal-looking name. The first characters of the us and eu pools carry the
// special accented names, so those regions have some whatever the seed (kr and tw use Hangul and Han).
func genName(r *rand.Rand, region string, i int) string {
	if i < len(specialNames) && (region == "us" || region == "eu") {
		return specialNames[i]
	}
	switch {
	case region == "kr" && chance(r, 0.7):
		return syllables(r, hangul, 2+r.IntN(3))
	case region == "tw" && chance(r, 0.7):
		return syllables(r, hanzi, 2+r.IntN(3))
	}
	var b strings.Builder
	b.WriteString(pick(r, nameStarts))
	for k := r.IntN(3); k > 0; k-- {
		b.WriteString(pick(r, nameMids))
		b.WriteString(pick(r, []string{"a", "e", "i", "o", "u", "y", "ae", "ia"}))
	}
	b.WriteString(pick(r, nameMids))
	b.WriteString(pick(r, nameEnds))
	name := b.String()
	if utf8.RuneCountInString(name) > 12 {
		name = string([]rune(name)[:12])
	}
	if chance(r, 0.08) {
		// Replace one vowel past the first letter with an accented one.
		for j := 1 + r.IntN(len(name)-1); j < len(name); j++ {
			if alts, ok := accented[name[j]]; ok {
				name = name[:j] + pick(r, alts) + name[j+1:]
				break
			}
		}
	}
	return capitalize(name)
}

func syllables(r *rand.Rand, set []string, n int) string {
	var b strings.Builder
	for ; n > 0; n-- {
		b.WriteString(pick(r, set))
	}
	return b.String()
}

func capitalize(s string) string {
	first, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(first)) + strings.ToLower(s[size:])
}

// seasonStart anchors season 42 at its captured start and spaces the others 16 weeks apart.
func seasonStart(season int64) time.Time {
	const s42 = 1787065200000
	return time.UnixMilli(s42).UTC().Add(time.Duration(season-42) * 16 * 7 * 24 * time.Hour)
}

func (w *world) lookup(realmSlug, name string) *character {
	return w.byKey[charKey(realmSlug, name)]
}

func (w *world) gen(id int64) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.gens[id]
}

// lastModified moves forward by a few hours per gear generation, so a client holding the old value
// gets a 200 with the new gear and everybody else keeps getting 304s.
func (c *character) lastModified(gen int) time.Time {
	return c.lmBase.Add(time.Duration(gen) * 6 * time.Hour)
}

// changeGear bumps the gear generation of n public characters ranked on the given boards of the
// current season, chosen deterministically from the seed and how many times it was called before.
func (w *world) changeGear(brackets []string, n int) ([]int64, error) {
	seen := map[int64]bool{}
	var pool []int64
	for _, b := range brackets {
		bc, err := w.board(w.opts.Season, b)
		if err != nil {
			return nil, err
		}
		for _, e := range bc.entries {
			if c := w.byID[e.Character.ID]; c != nil && !c.Private && !seen[c.ID] {
				seen[c.ID] = true
				pool = append(pool, c.ID)
			}
		}
	}
	slices.Sort(pool)
	w.mu.Lock()
	defer w.mu.Unlock()
	r := newRand(derive(w.seed, strHash("change-gear"), hashInt(w.changeRound)))
	w.changeRound++
	n = min(n, len(pool))
	picked := make([]int64, 0, n)
	for _, i := range r.Perm(len(pool))[:n] {
		picked = append(picked, pool[i])
		w.gens[pool[i]]++
	}
	return picked, nil
}
