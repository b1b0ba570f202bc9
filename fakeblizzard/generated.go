package fakeblizzard

import (
	"fmt"
	"sync"
	"time"

	"github.com/pvpsync/pvpsync/battlenet"
)

// generated serves the seeded world. Regions are built on first use.
type generated struct {
	seed  uint64
	opts  *Options
	cache *byteCache

	mu     sync.Mutex
	worlds map[string]*lazyWorld
}

type lazyWorld struct {
	once sync.Once
	w    *world
}

func newGenerated(o *Options) *generated {
	return &generated{
		seed: mix(hashInt(o.Seed)), opts: o, cache: newByteCache(profileCacheBytes),
		worlds: map[string]*lazyWorld{},
	}
}

func (g *generated) world(region string) *world {
	g.mu.Lock()
	lw := g.worlds[region]
	if lw == nil {
		lw = &lazyWorld{}
		g.worlds[region] = lw
	}
	g.mu.Unlock()
	lw.once.Do(func() { lw.w = newWorld(g.seed, region, g.opts) })
	return lw.w
}

func (g *generated) seasonIndex(region string) ([]byte, error) {
	return marshal("season index", seasonIndexDoc(newHrefs(region), g.opts.Season))
}

func (g *generated) season(region string, id int64) ([]byte, error) {
	if id < firstSeason(g.opts.Season) || id > g.opts.Season {
		return nil, errNotFound
	}
	return marshal("season", seasonDoc(newHrefs(region), id, g.opts.Season))
}

func (g *generated) leaderboardIndex(region string, season int64) ([]byte, error) {
	if season < firstSeason(g.opts.Season) || season > g.opts.Season {
		return nil, errNotFound
	}
	return marshal("leaderboard index", leaderboardIndexDoc(newHrefs(region), season, servedBrackets(g.opts)))
}

func (g *generated) leaderboard(region string, season int64, bracket string, empty bool) ([]byte, error) {
	v, err := g.world(region).board(season, bracket)
	if err != nil {
		return nil, err
	}
	if empty {
		return v.empty, nil
	}
	return v.body, nil
}

func (g *generated) entries(region string, season int64, bracket string) ([]battlenet.LeaderboardEntry, error) {
	v, err := g.world(region).board(season, bracket)
	if err != nil {
		return nil, err
	}
	return v.entries, nil
}

func (g *generated) character(region, realmSlug, name, _ string) (profileSource, error) {
	w := g.world(region)
	c := w.lookup(realmSlug, name)
	if c == nil || c.Private {
		return nil, errNotFound
	}
	return &genCharacter{g: g, w: w, s: w.snap(c)}, nil
}

func (g *generated) isPrivate(region string, id int64) bool {
	c := g.world(region).byID[id]
	return c != nil && c.Private
}

func (g *generated) brackets() []string { return servedBrackets(g.opts) }

func (g *generated) changeGear(region string, brackets []string, n int) ([]int64, error) {
	return g.world(region).changeGear(brackets, n)
}

func (g *generated) advance(active float64) AdvanceReport {
	var rep AdvanceReport
	for i, region := range battlenet.Regions {
		r := g.world(region).advance(active)
		if i == 0 {
			rep = r
		} else {
			rep.merge(r)
		}
	}
	return rep
}

func (g *generated) truth(region, realmSlug, name string) (CharacterTruth, error) {
	w := g.world(region)
	c := w.lookup(realmSlug, name)
	if c == nil {
		return CharacterTruth{}, fmt.Errorf("%s %s/%s: %w", region, realmSlug, name, ErrUnknownCharacter)
	}
	return w.characterTruth(c), nil
}

func (g *generated) boardTruth(region, bracket string) ([]EntryTruth, error) {
	return g.world(region).boardTruth(bracket)
}

// genCharacter pins the character's state at lookup time so Last-Modified and the body agree even if
// the world changes mid-request.
type genCharacter struct {
	g *generated
	w *world
	s charSnap
}

func (gc *genCharacter) lastModified(kind string) time.Time {
	switch kind {
	case kindEquipment:
		return gc.s.equipLM
	case kindSpecializations:
		return gc.s.specLM
	}
	return gc.s.profileLM()
}

func (gc *genCharacter) body(kind string) ([]byte, error) {
	k := cacheKey{kind: kind, region: gc.w.region, id: gc.s.c.ID, eq: gc.s.equipVer, sp: gc.s.specVer}
	switch kind {
	case kindEquipment:
		k.sp = -1
	case kindSpecializations:
		k.eq = -1
	}
	if b, ok := gc.g.cache.get(k); ok {
		return b, nil
	}
	var (
		b   []byte
		err error
	)
	switch kind {
	case kindProfile:
		b, err = marshal("profile", gc.w.profileDoc(gc.s))
	case kindEquipment:
		b, err = marshal("equipment", gc.w.equipmentDoc(gc.s.c, gc.s.gear))
	case kindSpecializations:
		b, err = marshal("specializations", gc.w.specializationsDoc(gc.s.c, gc.s.talents))
	default:
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	gc.g.cache.put(k, b)
	return b, nil
}
