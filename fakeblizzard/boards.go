package fakeblizzard

import (
	"encoding/json"
	"errors"
	"fmt"
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

// boardCache holds the latest view of a board. Past seasons are built once; the current season's is
// rebuilt when the world has advanced since.
type boardCache struct {
	mu   sync.Mutex
	view *boardView
}

// boardView is one immutable state of a board: its rows, their entries and the marshalled bodies.
type boardView struct {
	cycle   int
	info    bracketInfo
	rows    []boardRow
	pos     map[int64]int // character id → index in rows
	entries []battlenet.LeaderboardEntry
	body    []byte
	empty   []byte
}

// boardRow is a copy of a standing as ranked on a board (the world may move on after it is taken).
type boardRow struct {
	c      *character
	rank   int
	rating int
	played int
	won    int
	spec   int // the spec ladder it comes from (0 on 2v2, 3v3, rbg)
}

// board returns a season's board as of now, building it when the world moved since the last build.
func (w *world) board(season int64, bracket string) (*boardView, error) {
	if season < firstSeason(w.opts.Season) || season > w.opts.Season || !bracketServed(w.opts, bracket) {
		return nil, errNotFound
	}
	info, ok := bracketInfoFor(bracket)
	if !ok {
		return nil, errNotFound
	}
	k := boardKey{season, bracket}
	w.boardMu.Lock()
	bc := w.boards[k]
	if bc == nil {
		bc = &boardCache{}
		w.boards[k] = bc
	}
	w.boardMu.Unlock()

	bc.mu.Lock()
	defer bc.mu.Unlock()
	current := season == w.opts.Season
	if bc.view != nil && (!current || bc.view.cycle == w.currentCycle()) {
		return bc.view, nil
	}
	v := &boardView{info: info, pos: map[int64]int{}}
	v.rows, v.cycle = w.boardRows(season, info)
	v.entries = make([]battlenet.LeaderboardEntry, len(v.rows))
	for i, r := range v.rows {
		v.pos[r.c.ID] = i
		v.entries[i] = w.entryOf(r)
	}
	var err error
	if v.body, err = json.Marshal(w.leaderboardDoc(season, info, v.entries)); err == nil {
		v.empty, err = json.Marshal(w.leaderboardDoc(season, info, []battlenet.LeaderboardEntry{}))
	}
	if err != nil {
		return nil, fmt.Errorf("marshal board %s: %w", bracket, err)
	}
	bc.view = v
	return v, nil
}

func (w *world) currentCycle() int {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.cycle
}

// boardRows ranks a board from its ladders: the current season's as they are now (with the cycle they
// are at), a past season's as generated.
func (w *world) boardRows(season int64, info bracketInfo) ([]boardRow, int) {
	if season != w.opts.Season {
		return w.rankRows(info, func(k ladderKey) *ladder { return w.buildLadder(season, k) }), 0
	}
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.rankRows(info, w.currentLadder), w.cycle
}

// currentLadder is a ladder of the current season; w.mu must be held.
func (w *world) currentLadder(k ladderKey) *ladder { return w.ladders[k] }

// rankRows is a board: the top of its ladder, or for an overall board each player once, at their best
// spec rating, among the tops of the 40 spec ladders.
func (w *world) rankRows(info bracketInfo, ladderOf func(ladderKey) *ladder) []boardRow {
	row := func(st *standing, spec int) boardRow {
		return boardRow{c: st.c, rating: st.rating, played: st.played, won: st.won, spec: spec}
	}
	if !info.Overall {
		k := ladderKey{info.Kind, 0}
		if info.Spec != nil {
			k.spec = info.Spec.ID
		}
		top := ladderOf(k).top()
		rows := make([]boardRow, len(top))
		for i, st := range top {
			rows[i] = row(st, k.spec)
			rows[i].rank = i + 1
		}
		return rows
	}
	best := map[int64]boardRow{}
	for _, s := range battlenet.Specs {
		for _, st := range ladderOf(ladderKey{info.Kind, s.ID}).top() {
			if old, ok := best[st.c.ID]; !ok || st.rating > old.rating {
				best[st.c.ID] = row(st, s.ID)
			}
		}
	}
	all := make([]boardRow, 0, len(best))
	for _, r := range best {
		all = append(all, r)
	}
	slices.SortFunc(all, func(a, b boardRow) int {
		if a.rating != b.rating {
			return b.rating - a.rating
		}
		return cmpInt64(a.c.ID, b.c.ID)
	})
	all = all[:min(len(all), w.opts.Characters)]
	for i := range all {
		all[i].rank = i + 1
	}
	return all
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

func (w *world) entryOf(r boardRow) battlenet.LeaderboardEntry {
	c := r.c
	tier := tierFor(r.rating)
	return battlenet.LeaderboardEntry{
		Character: battlenet.EntryCharacter{
			Name: c.Name, ID: c.ID,
			Realm: battlenet.Realm{Key: w.h.dynamicLink("/data/wow/realm/" + itoa(c.Realm.ID)), ID: c.Realm.ID, Slug: c.Realm.Slug},
		},
		Faction:               battlenet.TypeName{Type: c.Race.Faction},
		Rank:                  r.rank,
		Rating:                r.rating,
		SeasonMatchStatistics: battlenet.MatchStatistics{Played: r.played, Won: r.won, Lost: r.played - r.won},
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
