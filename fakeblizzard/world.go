package fakeblizzard

import (
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pvpsync/pvpsync/battlenet"
)

// character is one generated player. Its identity is fixed at world creation; what changes as the
// world advances (ratings, gear, talents) lives in the ladders and in world.states.
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
	lmBase     time.Time // Last-Modified of the generated gear and talents
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

	// mu guards what moves: the current season's ladders, the characters' changes, the counters.
	// Readers copy what they need under RLock and render outside it.
	mu          sync.RWMutex
	ladders     map[ladderKey]*ladder // current season, built at creation, changed by advance
	states      map[int64]*charState  // characters whose gear or talents changed; absent = as generated
	cycle       int                   // advances applied
	changeRound int                   // ChangeGear calls so far

	boardMu sync.Mutex
	boards  map[boardKey]*boardCache
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
		boards: map[boardKey]*boardCache{}, states: map[int64]*charState{}, talents: talentsFor(region),
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
	w.ladders = map[ladderKey]*ladder{}
	for _, k := range laddersFor(o, servableBrackets(o)) {
		w.ladders[k] = w.buildLadder(o.Season, k)
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
