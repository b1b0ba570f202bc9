package fakeblizzard

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/pvpsync/pvpsync/battlenet"
)

// A ladder is everybody who plays one bracket in a season, ranked or not: 2v2, 3v3, rbg, or one
// spec's shuffle or blitz. Boards are the top of a ladder (the overall boards merge the 40 spec
// ladders of their kind), so when ratings move, characters enter and leave boards by themselves.

type ladderKey struct {
	kind string // "2v2", "3v3", "rbg", "shuffle", "blitz"
	spec int    // the spec of a shuffle/blitz ladder, else 0
}

// standing is one character's season on one ladder.
type standing struct {
	c      *character
	score  float64 // skill on this ladder, 0..1: where the rating tends to
	rating int
	played int
	won    int
}

type ladder struct {
	key  ladderKey
	info bracketInfo
	size int         // entries on its board
	rows []*standing // rating descending, then id ascending
	byID map[int64]*standing
}

// ratingShape gives each board kind its rating range and the share of players who take part. Spec
// boards take the whole class pool (poolSize makes it large enough to fill them).
var ratingShape = map[string]struct {
	base, span, participation float64
}{
	"2v2": {1350, 1500, 0.9}, "3v3": {1400, 1550, 0.95}, "rbg": {1400, 1450, 0.6},
	"shuffle": {1500, 1650, 1}, "blitz": {1500, 1500, 1},
}

// servableBrackets is every bracket that answers: Options.Brackets, or all of them.
func servableBrackets(o *Options) []string {
	if len(o.Brackets) > 0 {
		return o.Brackets
	}
	out := defaultIndex()
	for _, s := range battlenet.Specs {
		out = append(out, battlenet.BracketName("blitz", s))
	}
	return out
}

// laddersFor lists the ladders some of these brackets are built from, in a stable order.
func laddersFor(o *Options, brackets []string) []ladderKey {
	seen := map[ladderKey]bool{}
	var out []ladderKey
	add := func(k ladderKey) {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for _, b := range brackets {
		info, ok := bracketInfoFor(b)
		switch {
		case !ok || !bracketServed(o, b):
		case info.Overall:
			for _, s := range battlenet.Specs {
				add(ladderKey{info.Kind, s.ID})
			}
		case info.Spec != nil:
			add(ladderKey{info.Kind, info.Spec.ID})
		default:
			add(ladderKey{info.Kind, 0})
		}
	}
	return out
}

// ladderInfo is the bracket a ladder's own board answers as.
func ladderInfo(k ladderKey) bracketInfo {
	if k.spec == 0 {
		info, _ := bracketInfoFor(k.kind)
		return info
	}
	spec, _ := battlenet.SpecByID(k.spec)
	info, _ := bracketInfoFor(battlenet.BracketName(k.kind, spec))
	return info
}

// buildLadder generates a season's ladder. A player's score is mostly their skill with some per-board
// noise, so the same strong players show up on most boards; spec ladders only take the class and
// favour players whose main spec it is (off-spec players rank lower).
func (w *world) buildLadder(season int64, k ladderKey) *ladder {
	info := ladderInfo(k)
	shape := ratingShape[k.kind]
	salt := derive(w.seed, strHash("board"), hashInt(season), strHash(info.Name))
	pool, size := w.chars, w.opts.Characters
	switch {
	case info.Spec != nil:
		pool, size = w.byClass[info.Spec.ClassID], w.opts.SpecCharacters
	case k.kind == "rbg":
		size = w.opts.Characters / 5
	}
	l := &ladder{key: k, info: info, size: size, byID: map[int64]*standing{}}
	for _, c := range pool {
		h := derive(salt, hashInt(c.ID))
		if unit(h) >= shape.participation {
			continue
		}
		s := 0.82*c.Skill + 0.18*unit(mix(h))
		if info.Spec != nil && c.MainSpec.ID != info.Spec.ID {
			s *= 0.8
		}
		st := &standing{c: c, score: s, rating: targetRating(k.kind, s)}
		st.played, st.won = initialRecord(k.kind, s, derive(salt, hashInt(c.ID), 2))
		l.rows = append(l.rows, st)
		l.byID[c.ID] = st
	}
	l.sort()
	return l
}

func targetRating(kind string, score float64) int {
	shape := ratingShape[kind]
	return int(math.Round(shape.base + shape.span*math.Pow(score, 1.6)))
}

// initialRecord is the season so far: games played (shuffle rounds come in sixes) and won.
func initialRecord(kind string, score float64, h uint64) (played, won int) {
	switch kind {
	case "shuffle":
		played = 6 * (6 + int(unit(h)*90))
	case "rbg":
		played = 10 + int(unit(h)*110)
	case "blitz":
		played = 8 + int(unit(h)*150)
	default:
		played = 30 + int(unit(h)*500)
	}
	wr := 0.42 + 0.22*score + (unit(mix(h))-0.5)*0.1
	wr = min(max(wr, 0.2), 0.9)
	return played, int(math.Round(float64(played) * wr))
}

func (l *ladder) sort() {
	slices.SortFunc(l.rows, func(a, b *standing) int {
		if a.rating != b.rating {
			return b.rating - a.rating
		}
		return cmpInt64(a.c.ID, b.c.ID)
	})
}

// top is the ladder's board: its first size rows.
func (l *ladder) top() []*standing { return l.rows[:min(l.size, len(l.rows))] }

// play is one session of rated games: the win chance leans towards the rating the player's skill
// deserves, so ratings wander around it rather than drifting away. Shuffle is played in rounds of six.
func (st *standing) play(kind string, r *rand.Rand) {
	games, step, spread := 2+r.IntN(12), 10, 9
	switch kind {
	case "shuffle":
		games, step, spread = 6*(1+r.IntN(3)), 5, 6
	case "rbg":
		games, step, spread = 1+r.IntN(4), 12, 12
	case "blitz":
		games = 1 + r.IntN(6)
	}
	p := 0.5 + min(max(float64(targetRating(kind, st.score)-st.rating)/400, -0.35), 0.35)
	for range games {
		d := step + r.IntN(spread)
		st.played++
		if r.Float64() < p {
			st.won++
			st.rating += d
		} else {
			st.rating = max(st.rating-d, 0)
		}
	}
}
