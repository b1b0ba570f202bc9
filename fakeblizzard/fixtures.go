package fakeblizzard

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pvpsync/pvpsync/battlenet"
)

// fixtures serves a directory of captured responses (the layout of shared/fixtures/blizzard):
// pvp-season-index.json, pvp-season.json, pvp-leaderboard-index.json and pvp-leaderboard-3v3.json as
// they are, and profile/, equipment/ and specializations/<name>.json for the character named inside
// each file. Boards list those characters (the captured 3v3 board keeps its own entries too, whose
// characters then answer 404 like any unknown or private one).
type fixtures struct {
	opts     *Options
	notFound []byte

	seasonIndexBody []byte
	seasonBody      []byte
	seasonID        int64
	current         int64
	lbIndexBody     []byte
	served          []string
	captured3v3     []battlenet.LeaderboardEntry

	chars []*fxChar
	byKey map[string]*fxChar // region/realm/lowercased name

	mu          sync.Mutex
	gens        map[*fxChar]int
	changeRound int
	boards      map[string][]battlenet.LeaderboardEntry
}

type fxChar struct {
	region  string
	id      int64
	name    string
	realm   battlenet.Realm
	faction string
	classID int
	specs   []int
	bodies  map[string][]byte
	mtimes  map[string]time.Time
}

// fxHead is what identifies the character of a profile-endpoint file.
type fxHead struct {
	Links           battlenet.Links         `json:"_links"`
	ID              int64                   `json:"id"`
	Name            string                  `json:"name"`
	Realm           battlenet.Realm         `json:"realm"`
	Faction         *battlenet.TypeName     `json:"faction"`
	CharacterClass  *battlenet.KeyRef       `json:"character_class"`
	Character       *battlenet.CharacterRef `json:"character"`
	Specializations json.RawMessage         `json:"specializations"` // a link on the profile, a list on specializations
}

// readOptional reads a file of the fixtures root; a missing file is not an error.
func readOptional(root *os.Root, name string) ([]byte, error) {
	b, err := root.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read fixture: %w", err)
	}
	return b, nil
}

// regionOf reads the region from a Battle.net href ("https://us.api.blizzard.com/...").
func regionOf(href string) string {
	rest, ok := strings.CutPrefix(href, "https://")
	if !ok {
		return "us"
	}
	region, _, _ := strings.Cut(rest, ".")
	if battlenet.ValidateRegion(region) != nil {
		return "us"
	}
	return region
}

func loadFixtures(dir string, o *Options) (*fixtures, error) {
	fx := &fixtures{opts: o, byKey: map[string]*fxChar{}, gens: map[*fxChar]int{}, boards: map[string][]battlenet.LeaderboardEntry{}, current: o.Season}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("fixtures dir %q: not a readable directory", dir)
	}
	// Reads go through an os.Root so neither a name nor a symlink in the set can reach outside the dir.
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("fixtures dir %q: %w", dir, err)
	}
	defer func() { _ = root.Close() }()
	if fx.notFound, err = readOptional(root, "error-404.json"); err != nil {
		return nil, err
	}
	if fx.seasonIndexBody, err = readOptional(root, "pvp-season-index.json"); err != nil {
		return nil, err
	}
	if fx.seasonIndexBody != nil {
		var idx battlenet.SeasonIndex
		if err := json.Unmarshal(fx.seasonIndexBody, &idx); err != nil {
			return nil, fmt.Errorf("decode pvp-season-index.json: %w", err)
		}
		fx.current = idx.CurrentSeason.ID
	}
	if fx.seasonBody, err = readOptional(root, "pvp-season.json"); err != nil {
		return nil, err
	}
	if fx.seasonBody != nil {
		var s battlenet.Season
		if err := json.Unmarshal(fx.seasonBody, &s); err != nil {
			return nil, fmt.Errorf("decode pvp-season.json: %w", err)
		}
		fx.seasonID = s.ID
	}
	if fx.lbIndexBody, err = readOptional(root, "pvp-leaderboard-index.json"); err != nil {
		return nil, err
	}
	if fx.lbIndexBody != nil && len(o.Brackets) == 0 {
		var idx battlenet.LeaderboardIndex
		if err := json.Unmarshal(fx.lbIndexBody, &idx); err != nil {
			return nil, fmt.Errorf("decode pvp-leaderboard-index.json: %w", err)
		}
		for _, l := range idx.Leaderboards {
			fx.served = append(fx.served, l.Name)
		}
	} else {
		fx.served = servedBrackets(o)
		fx.lbIndexBody = nil // Options.Brackets overrides the captured index
	}
	board, err := readOptional(root, "pvp-leaderboard-3v3.json")
	if err != nil {
		return nil, err
	}
	if board != nil {
		var lb battlenet.Leaderboard
		if err := json.Unmarshal(board, &lb); err != nil {
			return nil, fmt.Errorf("decode pvp-leaderboard-3v3.json: %w", err)
		}
		fx.captured3v3 = lb.Entries
	}
	for _, kind := range []string{kindProfile, kindEquipment, kindSpecializations} {
		if err := fx.loadCharacters(root, kind); err != nil {
			return nil, err
		}
	}
	return fx, nil
}

func (fx *fixtures) loadCharacters(root *os.Root, kind string) error {
	files, err := fs.Glob(root.FS(), kind+"/*.json")
	if err != nil {
		return fmt.Errorf("list %s fixtures: %w", kind, err)
	}
	slices.Sort(files)
	for _, name := range files {
		path := filepath.Join(root.Name(), name) // for messages only
		body, err := root.ReadFile(name)
		if err != nil {
			return fmt.Errorf("read fixture: %w", err)
		}
		st, err := root.Stat(name)
		if err != nil {
			return fmt.Errorf("stat fixture: %w", err)
		}
		var h fxHead
		if err := json.Unmarshal(body, &h); err != nil {
			return fmt.Errorf("decode %s: %w", path, err)
		}
		id, name, realm, href := h.ID, h.Name, h.Realm, h.Links.Self.Href
		if kind != kindProfile {
			if h.Character == nil {
				return fmt.Errorf("%s: no character block", path)
			}
			id, name, realm = h.Character.ID, h.Character.Name, h.Character.Realm
		}
		region := regionOf(href)
		key := region + "/" + charKey(realm.Slug, name)
		c := fx.byKey[key]
		if c == nil {
			c = &fxChar{region: region, id: id, name: name, realm: realm, faction: "ALLIANCE", bodies: map[string][]byte{}, mtimes: map[string]time.Time{}}
			fx.byKey[key] = c
			fx.chars = append(fx.chars, c)
		}
		if realm.Name != "" {
			c.realm = realm
		}
		c.bodies[kind] = body
		c.mtimes[kind] = st.ModTime()
		if h.Faction != nil && h.Faction.Type != "" {
			c.faction = h.Faction.Type
		}
		if h.CharacterClass != nil {
			c.classID = int(h.CharacterClass.ID)
		}
		var specs []battlenet.SpecDetail
		if kind == kindSpecializations {
			if err := json.Unmarshal(h.Specializations, &specs); err != nil {
				return fmt.Errorf("decode %s: %w", path, err)
			}
		}
		for _, sd := range specs {
			if s, ok := battlenet.SpecByID(int(sd.Specialization.ID)); ok {
				c.specs = append(c.specs, s.ID)
				c.classID = s.ClassID
			}
		}
	}
	return nil
}

func (fx *fixtures) brackets() []string { return slices.Clone(fx.served) }

func (fx *fixtures) seasonIndex(region string) ([]byte, error) {
	if fx.seasonIndexBody != nil {
		return fx.seasonIndexBody, nil
	}
	return marshal("season index", seasonIndexDoc(newHrefs(region), fx.current))
}

func (fx *fixtures) season(region string, id int64) ([]byte, error) {
	switch {
	case fx.seasonBody != nil && id == fx.seasonID:
		return fx.seasonBody, nil
	case id >= firstSeason(fx.current) && id <= fx.current:
		return marshal("season", seasonDoc(newHrefs(region), id, fx.current))
	}
	return nil, errNotFound
}

func (fx *fixtures) leaderboardIndex(region string, season int64) ([]byte, error) {
	if season != fx.current {
		return nil, errNotFound
	}
	if fx.lbIndexBody != nil {
		return fx.lbIndexBody, nil
	}
	return marshal("leaderboard index", leaderboardIndexDoc(newHrefs(region), season, fx.served))
}

func (fx *fixtures) leaderboard(region string, season int64, bracket string, empty bool) ([]byte, error) {
	entries, err := fx.entries(region, season, bracket)
	if err != nil {
		return nil, err
	}
	if empty {
		entries = []battlenet.LeaderboardEntry{}
	}
	info, _ := bracketInfoFor(bracket)
	h := newHrefs(region)
	return marshal("board", battlenet.Leaderboard{
		Links:   battlenet.Links{Self: *h.dynamicLink(fmt.Sprintf("/data/wow/pvp-season/%d/pvp-leaderboard/%s", season, bracket))},
		Season:  battlenet.KeyRef{Key: h.dynamicLink("/data/wow/pvp-season/" + itoa(season)), ID: season},
		Name:    bracket,
		Bracket: battlenet.LeaderboardBracket{ID: info.ID, Type: info.Type},
		Entries: entries,
	})
}

// entries ranks the fixture characters of the region that can be on the board (spec boards: their
// class), merged with the captured 3v3 entries on 3v3.
func (fx *fixtures) entries(region string, season int64, bracket string) ([]battlenet.LeaderboardEntry, error) {
	info, ok := bracketInfoFor(bracket)
	if season != fx.current || !ok || !slices.Contains(fx.served, bracket) {
		return nil, errNotFound
	}
	key := region + "/" + bracket
	fx.mu.Lock()
	defer fx.mu.Unlock()
	if e, ok := fx.boards[key]; ok {
		return e, nil
	}
	var out []battlenet.LeaderboardEntry
	if bracket == "3v3" && region == "us" {
		out = append(out, fx.captured3v3...)
	}
	h := newHrefs(region)
	for _, c := range fx.chars {
		if c.region != region || info.Spec != nil && c.classID != info.Spec.ClassID {
			continue
		}
		rating := 2300 + int(strHash(bracket+"/"+c.name)%500)
		played := 60 + int(strHash(c.name)%300)
		won := played * 6 / 10
		tier := tierFor(rating)
		out = append(out, battlenet.LeaderboardEntry{
			Character: battlenet.EntryCharacter{Name: c.name, ID: c.id, Realm: battlenet.Realm{
				Key: h.dynamicLink("/data/wow/realm/" + itoa(c.realm.ID)), ID: c.realm.ID, Slug: c.realm.Slug,
			}},
			Faction:               battlenet.TypeName{Type: c.faction},
			Rating:                rating,
			SeasonMatchStatistics: battlenet.MatchStatistics{Played: played, Won: won, Lost: played - won},
			Tier:                  &battlenet.KeyRef{Key: h.staticLink("/data/wow/pvp-tier/" + itoa(tier)), ID: tier},
		})
	}
	slices.SortStableFunc(out, func(a, b battlenet.LeaderboardEntry) int { return b.Rating - a.Rating })
	for i := range out {
		out[i].Rank = i + 1
	}
	if out == nil {
		out = []battlenet.LeaderboardEntry{}
	}
	fx.boards[key] = out
	return out, nil
}

func (fx *fixtures) character(region, realmSlug, name, kind string) (profileSource, error) {
	c := fx.byKey[region+"/"+charKey(realmSlug, name)]
	if c == nil || c.bodies[kind] == nil {
		return nil, errNotFound
	}
	fx.mu.Lock()
	gen := fx.gens[c]
	fx.mu.Unlock()
	return &fxSource{c: c, gen: gen}, nil
}

func (fx *fixtures) isPrivate(region string, id int64) bool {
	if region != "us" {
		return false
	}
	for _, e := range fx.captured3v3 {
		if e.Character.ID == id {
			for _, c := range fx.chars {
				if c.id == id && c.region == region {
					return false
				}
			}
			return true
		}
	}
	return false
}

// changeGear only moves Last-Modified forward: the captured bodies cannot change.
func (fx *fixtures) changeGear(region string, brackets []string, n int) ([]int64, error) {
	var pool []*fxChar
	for _, b := range brackets {
		entries, err := fx.entries(region, fx.current, b)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			c := fx.byKey[region+"/"+charKey(e.Character.Realm.Slug, e.Character.Name)]
			if c != nil && !slices.Contains(pool, c) {
				pool = append(pool, c)
			}
		}
	}
	slices.SortFunc(pool, func(a, b *fxChar) int { return cmpInt64(a.id, b.id) })
	fx.mu.Lock()
	defer fx.mu.Unlock()
	r := newRand(derive(hashInt(fx.opts.Seed), strHash("fixtures-change-gear"), hashInt(fx.changeRound)))
	fx.changeRound++
	var ids []int64
	for _, i := range r.Perm(len(pool))[:min(n, len(pool))] {
		fx.gens[pool[i]]++
		ids = append(ids, pool[i].id)
	}
	return ids, nil
}

type fxSource struct {
	c   *fxChar
	gen int
}

func (s *fxSource) lastModified(kind string) time.Time {
	return s.c.mtimes[kind].Add(time.Duration(s.gen) * time.Hour)
}

func (s *fxSource) body(kind string) ([]byte, error) {
	b, ok := s.c.bodies[kind]
	if !ok {
		return nil, errNotFound
	}
	return b, nil
}

// The captured world does not move and has no model to read a truth from.
func (fx *fixtures) advance(float64) AdvanceReport { return newReport(0) }

func (fx *fixtures) truth(string, string, string) (CharacterTruth, error) {
	return CharacterTruth{}, ErrNoWorld
}

func (fx *fixtures) boardTruth(string, string) ([]EntryTruth, error) { return nil, ErrNoWorld }
