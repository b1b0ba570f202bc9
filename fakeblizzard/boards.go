package fakeblizzard

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/pvpsync/pvpsync/battlenet"
)

// errNotFound turns into the Battle.net 404 body.
var errNotFound = errors.New("not found")

// bracketInfo describes a board: its name, the bracket block it answers with and how it is filled.
type bracketInfo struct {
	Name    string
	IndexID *int64 // id in the leaderboard index; nil for the overall boards
	ID      int64  // bracket.id of the board
	Type    string // bracket.type of the board
	Kind    string // "2v2", "3v3", "rbg", "shuffle", "blitz"
	Spec    *battlenet.Spec
	Overall bool
}

func ptr[T any](v T) *T { return &v }

func bracketInfoFor(name string) (bracketInfo, bool) {
	switch name {
	case "2v2":
		return bracketInfo{Name: name, IndexID: ptr[int64](0), ID: 0, Type: "ARENA_2v2", Kind: "2v2"}, true
	case "3v3":
		return bracketInfo{Name: name, IndexID: ptr[int64](1), ID: 1, Type: "ARENA_3v3", Kind: "3v3"}, true
	case "rbg":
		return bracketInfo{Name: name, IndexID: ptr[int64](3), ID: 3, Type: "BATTLEGROUNDS", Kind: "rbg"}, true
	case "shuffle-overall":
		return bracketInfo{Name: name, ID: 7, Type: "SHUFFLE", Kind: "shuffle", Overall: true}, true
	case "blitz-overall":
		return bracketInfo{Name: name, ID: 9, Type: "BLITZ", Kind: "blitz", Overall: true}, true
	}
	id, ok := battlenet.BracketSpecID(name)
	if !ok {
		return bracketInfo{}, false
	}
	spec, _ := battlenet.SpecByID(id)
	if strings.HasPrefix(name, "shuffle-") {
		return bracketInfo{Name: name, IndexID: ptr(int64(spec.ID)), ID: 7, Type: "SHUFFLE", Kind: "shuffle", Spec: &spec}, true
	}
	return bracketInfo{Name: name, IndexID: ptr(int64(1000 + spec.ID)), ID: 9, Type: "BLITZ", Kind: "blitz", Spec: &spec}, true
}

// defaultIndex is the leaderboard index in Battle.net's order: 2v2, the overall boards, 3v3, rbg, then
// one shuffle board per spec. Per-spec blitz boards are served when asked for by name but, as the brief
// for this fake says, not listed unless Options.Brackets names them.
func defaultIndex() []string {
	out := []string{"2v2", "blitz-overall", "shuffle-overall", "3v3", "rbg"}
	for _, s := range battlenet.Specs {
		out = append(out, battlenet.BracketName("shuffle", s))
	}
	return out
}

// servedBrackets is the index: Options.Brackets in canonical order when given, else defaultIndex.
func servedBrackets(o *Options) []string {
	if len(o.Brackets) == 0 {
		return defaultIndex()
	}
	canon := defaultIndex()
	for _, s := range battlenet.Specs {
		canon = append(canon, battlenet.BracketName("blitz", s))
	}
	out := make([]string, 0, len(o.Brackets))
	for _, b := range canon {
		if slices.Contains(o.Brackets, b) {
			out = append(out, b)
		}
	}
	return out
}

// bracketServed says whether a board exists at all.
func bracketServed(o *Options, name string) bool {
	if len(o.Brackets) > 0 {
		return slices.Contains(o.Brackets, name)
	}
	_, ok := bracketInfoFor(name)
	return ok
}

func firstSeason(current int64) int64 { return min(40, current) }

type boardKey struct {
	season  int64
	bracket string
}

// boardCache holds a board's entries and its marshalled bodies, built once.
type boardCache struct {
	once    sync.Once
	info    bracketInfo
	entries []battlenet.LeaderboardEntry
	body    []byte
	empty   []byte
	err     error
}

// board returns the cached board of a season, building it on first use.
func (w *world) board(season int64, bracket string) (*boardCache, error) {
	if season < firstSeason(w.opts.Season) || season > w.opts.Season || !bracketServed(w.opts, bracket) {
		return nil, errNotFound
	}
	info, ok := bracketInfoFor(bracket)
	if !ok {
		return nil, errNotFound
	}
	k := boardKey{season, bracket}
	w.mu.Lock()
	bc := w.boards[k]
	if bc == nil {
		bc = &boardCache{info: info}
		w.boards[k] = bc
	}
	w.mu.Unlock()
	bc.once.Do(func() {
		bc.entries = w.buildEntries(season, info)
		bc.body, bc.err = json.Marshal(w.leaderboardDoc(season, info, bc.entries))
		if bc.err == nil {
			bc.empty, bc.err = json.Marshal(w.leaderboardDoc(season, info, []battlenet.LeaderboardEntry{}))
		}
		if bc.err != nil {
			bc.err = fmt.Errorf("marshal board %s: %w", bracket, bc.err)
		}
	})
	return bc, bc.err
}

func (w *world) leaderboardDoc(season int64, info bracketInfo, entries []battlenet.LeaderboardEntry) battlenet.Leaderboard {
	return battlenet.Leaderboard{
		Links:   battlenet.Links{Self: *w.h.dynamicLink(fmt.Sprintf("/data/wow/pvp-season/%d/pvp-leaderboard/%s", season, info.Name))},
		Season:  battlenet.KeyRef{Key: w.h.dynamicLink("/data/wow/pvp-season/" + itoa(season)), ID: season},
		Name:    info.Name,
		Bracket: battlenet.LeaderboardBracket{ID: info.ID, Type: info.Type},
		Entries: entries,
	}
}

type scored struct {
	c      *character
	score  float64
	rating int
}

// ratingShape gives each board kind its rating range and the share of players who take part. Spec
// boards take the whole class pool (poolSize makes it large enough to fill them).
var ratingShape = map[string]struct {
	base, span, participation float64
}{
	"2v2": {1350, 1500, 0.9}, "3v3": {1400, 1550, 0.95}, "rbg": {1400, 1450, 0.6},
	"shuffle": {1500, 1650, 1}, "blitz": {1500, 1500, 1},
}

// buildEntries ranks a board. A player's score is mostly their skill with some per-board noise, so the
// same strong players show up on most boards; spec boards only take the class and favour players whose
// main spec it is (off-spec players rank lower).
func (w *world) buildEntries(season int64, info bracketInfo) []battlenet.LeaderboardEntry {
	if info.Overall {
		return w.overallEntries(season, info)
	}
	shape := ratingShape[info.Kind]
	salt := derive(w.seed, strHash("board"), hashInt(season), strHash(info.Name))
	pool, size := w.chars, w.opts.Characters
	switch {
	case info.Spec != nil:
		pool, size = w.byClass[info.Spec.ClassID], w.opts.SpecCharacters
	case info.Kind == "rbg":
		size = w.opts.Characters / 5
	}
	cands := make([]scored, 0, len(pool))
	for _, c := range pool {
		h := derive(salt, hashInt(c.ID))
		if unit(h) >= shape.participation {
			continue
		}
		s := 0.82*c.Skill + 0.18*unit(mix(h))
		if info.Spec != nil && c.MainSpec.ID != info.Spec.ID {
			s *= 0.8
		}
		cands = append(cands, scored{c: c, score: s, rating: int(math.Round(shape.base + shape.span*math.Pow(s, 1.6)))})
	}
	slices.SortFunc(cands, func(a, b scored) int {
		if a.rating != b.rating {
			return b.rating - a.rating
		}
		return cmpInt64(a.c.ID, b.c.ID)
	})
	cands = cands[:min(size, len(cands))]
	entries := make([]battlenet.LeaderboardEntry, len(cands))
	for i, sc := range cands {
		entries[i] = w.entry(salt, info, sc, i+1)
	}
	return entries
}

// overallEntries aggregates the per-spec boards of one kind: each player once, at their best rating.
func (w *world) overallEntries(season int64, info bracketInfo) []battlenet.LeaderboardEntry {
	best := map[int64]battlenet.LeaderboardEntry{}
	for _, s := range battlenet.Specs {
		spec := s
		sub := bracketInfo{Name: battlenet.BracketName(info.Kind, spec), ID: info.ID, Type: info.Type, Kind: info.Kind, Spec: &spec}
		for _, e := range w.buildEntries(season, sub) {
			if old, ok := best[e.Character.ID]; !ok || e.Rating > old.Rating {
				best[e.Character.ID] = e
			}
		}
	}
	all := make([]battlenet.LeaderboardEntry, 0, len(best))
	for _, e := range best {
		all = append(all, e)
	}
	slices.SortFunc(all, func(a, b battlenet.LeaderboardEntry) int {
		if a.Rating != b.Rating {
			return b.Rating - a.Rating
		}
		return cmpInt64(a.Character.ID, b.Character.ID)
	})
	all = all[:min(len(all), w.opts.Characters)]
	for i := range all {
		all[i].Rank = i + 1
	}
	return all
}

func (w *world) entry(salt uint64, info bracketInfo, sc scored, rank int) battlenet.LeaderboardEntry {
	c := sc.c
	h := derive(salt, hashInt(c.ID), 2)
	var played int
	switch info.Kind {
	case "shuffle":
		played = 6 * (6 + int(unit(h)*90)) // rounds come in sixes
	case "rbg":
		played = 10 + int(unit(h)*110)
	case "blitz":
		played = 8 + int(unit(h)*150)
	default:
		played = 30 + int(unit(h)*500)
	}
	wr := 0.42 + 0.22*sc.score + (unit(mix(h))-0.5)*0.1
	wr = min(max(wr, 0.2), 0.9)
	won := int(math.Round(float64(played) * wr))
	tier := tierFor(sc.rating)
	return battlenet.LeaderboardEntry{
		Character: battlenet.EntryCharacter{
			Name: c.Name, ID: c.ID,
			Realm: battlenet.Realm{Key: w.h.dynamicLink("/data/wow/realm/" + itoa(c.Realm.ID)), ID: c.Realm.ID, Slug: c.Realm.Slug},
		},
		Faction:               battlenet.TypeName{Type: c.Race.Faction},
		Rank:                  rank,
		Rating:                sc.rating,
		SeasonMatchStatistics: battlenet.MatchStatistics{Played: played, Won: won, Lost: played - won},
		Tier:                  &battlenet.KeyRef{Key: w.h.staticLink("/data/wow/pvp-tier/" + itoa(tier)), ID: tier},
	}
}

// tierFor maps a rating to its pvp-tier id (Combatant ... Elite; 2400+ is tier 14 as in the capture).
func tierFor(rating int) int64 {
	switch {
	case rating >= 2400:
		return 14
	case rating >= 2100:
		return 13
	case rating >= 1950:
		return 12
	case rating >= 1800:
		return 11
	case rating >= 1600:
		return 10
	case rating >= 1400:
		return 9
	case rating >= 1200:
		return 8
	default:
		return 7
	}
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
