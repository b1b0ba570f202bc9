package fakeblizzard_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/fakeblizzard"
)

// living is a small world where a good share of the characters play each cycle.
func living(seed int64) fakeblizzard.Options {
	return fakeblizzard.Options{Seed: seed, Characters: 150, SpecCharacters: 20, Active: 0.4,
		Brackets: []string{"2v2", "3v3", "shuffle-overall", "shuffle-mage-frost", "blitz-warrior-arms"}}
}

// usIDs keeps the ids of the us region (its id range).
func usIDs(ids []int64) []int64 {
	var out []int64
	for _, id := range ids {
		if id >= 100_000_000 && id < 200_000_000 {
			out = append(out, id)
		}
	}
	return out
}

// boardsTruth is every served us board, keyed by bracket then character id.
func boardsTruth(t *testing.T, s *fakeblizzard.Server) map[string]map[int64]fakeblizzard.EntryTruth {
	t.Helper()
	out := map[string]map[int64]fakeblizzard.EntryTruth{}
	for _, b := range s.Brackets() {
		entries, err := s.BoardTruth("us", b)
		require.NoError(t, err)
		out[b] = map[int64]fakeblizzard.EntryTruth{}
		for i, e := range entries {
			require.Equal(t, i+1, e.Rank, b)
			if i > 0 {
				require.LessOrEqual(t, e.Rating, entries[i-1].Rating, "%s rank %d", b, e.Rank)
			}
			out[b][e.BlizzardID] = e
		}
	}
	return out
}

func TestFrozenWorldByDefault(t *testing.T) {
	o := living(101)
	o.Active = 0
	s := start(t, o)
	tok := token(t, s)
	_, before := get(t, s, tok, boardURL("us", 42, "3v3"))
	rep := s.Advance()
	assert.Equal(t, fakeblizzard.AdvanceReport{Cycle: 1, Played: []int64{}, GearChanged: []int64{}, TalentsChanged: []int64{}, IdleGearChanged: []int64{}}, rep)
	_, after := get(t, s, tok, boardURL("us", 42, "3v3"))
	assert.True(t, bytes.Equal(before, after), "a frozen world does not move")
	assert.Equal(t, 1, s.Cycle())
}

func TestAdvancePlaysAndReranks(t *testing.T) {
	s := start(t, living(102))
	tok := token(t, s)
	before := boardsTruth(t, s)
	ranked := map[int64]bool{}
	for _, b := range before {
		for id := range b {
			ranked[id] = true
		}
	}
	rep := s.Advance()
	played := usIDs(rep.Played)
	require.NotEmpty(t, played)
	share := float64(len(played)) / float64(len(ranked))
	assert.InDelta(t, 0.4, share, 0.02, "Active is the share of ranked characters who play")
	for _, id := range played {
		assert.True(t, ranked[id], "%d played but was on no served board", id)
	}
	after := boardsTruth(t, s)

	moved := 0
	for b, entries := range after {
		for id, e := range entries {
			old, ok := before[b][id]
			if !ok {
				continue
			}
			if !slices.Contains(played, id) {
				old.Rank = e.Rank
				assert.Equal(t, old, e, "%s: %d did not play, yet its entry moved", b, id)
				continue
			}
			if strings.HasSuffix(b, "-overall") {
				continue // an overall entry is the best spec, which may now be another one
			}
			grew := e.Played - old.Played
			assert.GreaterOrEqual(t, grew, 0, b)
			assert.Equal(t, grew, e.Wins-old.Wins+e.Losses-old.Losses, "won + lost = played")
			if strings.HasPrefix(b, "shuffle-") {
				assert.Zero(t, grew%6, "%s: shuffle is played in rounds of six", b)
			}
			if grew > 0 {
				moved++
				assert.NotEqual(t, old.Rating, e.Rating, "%s: %d played %d games and kept its rating exactly", b, id, grew)
			}
		}
	}
	assert.Greater(t, moved, len(played)/2)

	// Boards follow: what is served is the truth, re-ranked.
	for _, b := range s.Brackets() {
		lb := fetchBoard(t, s, tok, "us", b)
		truth := after[b]
		require.Len(t, lb.Entries, len(truth))
		for _, e := range lb.Entries {
			want := truth[e.Character.ID]
			assert.Equal(t, want.Rank, e.Rank)
			assert.Equal(t, want.Rating, e.Rating)
			assert.Equal(t, want.Wins, e.SeasonMatchStatistics.Won)
		}
	}

	// Over a few cycles characters enter and leave the boards.
	for range 3 {
		s.Advance()
	}
	later := boardsTruth(t, s)
	entered, left := 0, 0
	for b := range later {
		for id := range later[b] {
			if _, ok := before[b][id]; !ok {
				entered++
			}
		}
		for id := range before[b] {
			if _, ok := later[b][id]; !ok {
				left++
			}
		}
	}
	assert.Positive(t, entered)
	assert.Equal(t, entered, left, "boards keep their size")
}

// snapshot is what a client holds about a character: the bodies and Last-Modified of each endpoint.
type snapshot struct {
	bodies map[string][]byte
	lms    map[string]string
}

var endpoints = []string{"", "/equipment", "/specializations"}

func takeSnapshot(t *testing.T, s *fakeblizzard.Server, tok string, e fakeblizzard.EntryTruth) snapshot {
	t.Helper()
	sn := snapshot{bodies: map[string][]byte{}, lms: map[string]string{}}
	for _, suffix := range endpoints {
		resp, body := get(t, s, tok, charURL("us", e.RealmSlug, e.Name, suffix))
		require.Equal(t, http.StatusOK, resp.StatusCode)
		sn.bodies[suffix], sn.lms[suffix] = body, resp.Header.Get("Last-Modified")
	}
	return sn
}

// itemsBySlot splits an equipment body into each slot's raw JSON, without its set block (which
// every tier piece repeats and which follows the tier count).
func itemsBySlot(t *testing.T, body []byte) (map[string]string, battlenet.Equipment) {
	t.Helper()
	var raw struct {
		Items []map[string]json.RawMessage `json:"equipped_items"`
	}
	require.NoError(t, json.Unmarshal(body, &raw))
	out := map[string]string{}
	for _, it := range raw.Items {
		var slot battlenet.TypeName
		require.NoError(t, json.Unmarshal(it["slot"], &slot))
		delete(it, "set")
		b, err := json.Marshal(it)
		require.NoError(t, err)
		out[slot.Type] = string(b)
	}
	return out, decode[battlenet.Equipment](t, body)
}

func TestAdvanceChangesGearAndTalents(t *testing.T) {
	s := start(t, living(103))
	tok := token(t, s)
	chars := map[int64]fakeblizzard.EntryTruth{}
	for _, b := range boardsTruth(t, s) {
		for id, e := range b {
			if !s.IsPrivate("us", id) {
				chars[id] = e
			}
		}
	}
	before := map[int64]snapshot{}
	for id, e := range chars {
		before[id] = takeSnapshot(t, s, tok, e)
	}
	boardsBefore := boardsTruth(t, s)
	rep := s.Advance()
	gear, talents, idle, played := usIDs(rep.GearChanged), usIDs(rep.TalentsChanged), usIDs(rep.IdleGearChanged), usIDs(rep.Played)
	require.NotEmpty(t, gear)
	require.NotEmpty(t, talents)
	require.NotEmpty(t, idle, "some idle characters regear")
	for _, id := range idle {
		assert.Contains(t, gear, id)
		assert.NotContains(t, played, id, "idle means without playing")
	}
	boardsAfter := boardsTruth(t, s)
	for b := range boardsAfter {
		for _, id := range idle {
			if e, ok := boardsAfter[b][id]; ok {
				old := boardsBefore[b][id]
				assert.Equal(t, []int{old.Played, old.Wins, old.Rating}, []int{e.Played, e.Wins, e.Rating}, "idle %d on %s", id, b)
			}
		}
	}
	activeGear := 0
	for _, id := range gear {
		if slices.Contains(played, id) {
			activeGear++
		}
	}
	assert.InDelta(t, 0.4*float64(len(played)-countPrivate(s, played)), activeGear, 1.5, "about 40 % of the active regear")

	for id, e := range chars {
		old := before[id]
		changed := map[string]bool{"/equipment": slices.Contains(gear, id), "/specializations": slices.Contains(talents, id)}
		changed[""] = changed["/equipment"] || changed["/specializations"]
		for _, suffix := range endpoints {
			resp, body := get(t, s, tok, charURL("us", e.RealmSlug, e.Name, suffix), "If-Modified-Since", old.lms[suffix])
			if !changed[suffix] {
				require.Equal(t, http.StatusNotModified, resp.StatusCode, "%d%s did not change", id, suffix)
				continue
			}
			require.Equal(t, http.StatusOK, resp.StatusCode, "%d%s changed", id, suffix)
			lm, _ := http.ParseTime(resp.Header.Get("Last-Modified"))
			was, _ := http.ParseTime(old.lms[suffix])
			assert.True(t, lm.After(was), "Last-Modified moves forward")
			assert.NotEqual(t, old.bodies[suffix], body)
		}
		if !changed["/equipment"] {
			continue
		}
		_, body := get(t, s, tok, charURL("us", e.RealmSlug, e.Name, "/equipment"))
		was, _ := itemsBySlot(t, old.bodies["/equipment"])
		now, eq := itemsBySlot(t, body)
		require.ElementsMatch(t, keys(was), keys(now), "%d: the same slots are filled", id)
		diff := 0
		for slot, it := range now {
			if it != was[slot] {
				diff++
			}
		}
		assert.GreaterOrEqual(t, diff, 1, "%d", id)
		assert.LessOrEqual(t, diff, 3, "%d: at most three slots change", id)
		checkTierConsistent(t, eq)
		_, pb := get(t, s, tok, charURL("us", e.RealmSlug, e.Name, ""))
		assert.Equal(t, battleNetItemLevel(eq.EquippedItems), decode[battlenet.Profile](t, pb).EquippedItemLevel)
	}
}

func countPrivate(s *fakeblizzard.Server, ids []int64) int {
	n := 0
	for _, id := range ids {
		if s.IsPrivate("us", id) {
			n++
		}
	}
	return n
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// checkTierConsistent: the class set block flags exactly the worn pieces and its bonuses follow the
// count; the Gladiator's set is the two trinkets.
func checkTierConsistent(t *testing.T, eq battlenet.Equipment) {
	t.Helper()
	var worn []int64
	var set *battlenet.ItemSetState
	for _, it := range eq.EquippedItems {
		if it.Set != nil && it.Set.ItemSet.ID != 1458 {
			worn = append(worn, it.Item.ID)
			set = it.Set
		}
	}
	require.NotNil(t, set)
	var flagged []int64
	for _, m := range set.Items {
		if m.IsEquipped {
			flagged = append(flagged, m.Item.ID)
		}
	}
	assert.ElementsMatch(t, worn, flagged)
	assert.Equal(t, len(worn) >= 2, set.Effects[0].IsActive)
	assert.Equal(t, len(worn) >= 4, set.Effects[1].IsActive)
	for _, st := range eq.EquippedItemSets {
		if st.ItemSet.ID != 1458 {
			assert.Equal(t, *set, st)
		}
	}
}

func TestAdvanceIsDeterministic(t *testing.T) {
	o := living(104)
	a, err := fakeblizzard.New(o)
	require.NoError(t, err)
	b, err := fakeblizzard.New(o)
	require.NoError(t, err)
	_, err = b.Board("eu", "3v3") // touching a region first must not change anything
	require.NoError(t, err)
	for range 2 {
		assert.Equal(t, a.Advance(), b.Advance())
	}
	ids, err := a.ChangeGearIn("us", []string{"3v3"}, 3)
	require.NoError(t, err)
	idsB, err := b.ChangeGearIn("us", []string{"3v3"}, 3)
	require.NoError(t, err)
	assert.Equal(t, ids, idsB)
	ra, rb := a.Advance(), b.Advance()
	assert.Equal(t, ra, rb)
	for _, br := range a.Brackets() {
		ea, _ := a.Board("us", br)
		eb, _ := b.Board("us", br)
		assert.Equal(t, ea, eb, br)
	}
	for _, id := range append(usIDs(ra.GearChanged)[:2], ids...) {
		e := findEntry(t, a, id)
		ta, err := a.Truth("us", e.RealmSlug, e.Name)
		require.NoError(t, err)
		tb, err := b.Truth("us", e.RealmSlug, e.Name)
		require.NoError(t, err)
		assert.Equal(t, ta, tb)
	}
}

// findEntry finds a character on some served us board.
func findEntry(t *testing.T, s *fakeblizzard.Server, id int64) fakeblizzard.EntryTruth {
	t.Helper()
	for _, b := range s.Brackets() {
		entries, err := s.BoardTruth("us", b)
		require.NoError(t, err)
		for _, e := range entries {
			if e.BlizzardID == id {
				return e
			}
		}
	}
	t.Fatalf("%d is on no board", id)
	return fakeblizzard.EntryTruth{}
}

func TestAdvanceEndpoint(t *testing.T) {
	s := start(t, living(105))
	resp, body := do(t, mustRequest(t, http.MethodPost, s.URL()+"/advance"))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	rep := decode[fakeblizzard.AdvanceReport](t, body)
	assert.Equal(t, 1, rep.Cycle)
	assert.NotEmpty(t, rep.Played)
	resp, _ = do(t, mustRequest(t, http.MethodGet, s.URL()+"/advance"))
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Equal(t, 1, s.Cycle())
	assert.Zero(t, s.Stats().Total, "test endpoints are not counted")
}

func mustRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	return req
}

func TestCycleAdvancesByItself(t *testing.T) {
	o := living(106)
	o.Cycle = 20 * time.Millisecond
	s, err := fakeblizzard.New(o)
	require.NoError(t, err)
	defer s.Close()
	require.Eventually(t, func() bool { return s.Cycle() >= 2 }, 30*time.Second, 10*time.Millisecond)
}

func TestChangeGearKeepsMostSlots(t *testing.T) {
	s := start(t, small(107))
	tok := token(t, s)
	entries, err := s.Board("us", "3v3")
	require.NoError(t, err)
	var olds = map[int64][]byte{}
	for _, e := range publicOn(t, s, entriesOf(entries), "us", 40) {
		_, olds[e.ID] = get(t, s, tok, charURL("us", e.Realm, e.Name, "/equipment"))
	}
	ids, err := s.ChangeGearIn("us", []string{"3v3"}, 200)
	require.NoError(t, err)
	checked := 0
	for _, e := range publicOn(t, s, entriesOf(entries), "us", 40) {
		if !slices.Contains(ids, e.ID) {
			continue
		}
		_, body := get(t, s, tok, charURL("us", e.Realm, e.Name, "/equipment"))
		was, _ := itemsBySlot(t, olds[e.ID])
		now, eq := itemsBySlot(t, body)
		diff := 0
		for slot := range now {
			if now[slot] != was[slot] {
				diff++
			}
		}
		assert.GreaterOrEqual(t, diff, 1)
		assert.LessOrEqual(t, diff, 3)
		checkTierConsistent(t, eq)
		checked++
	}
	assert.Positive(t, checked)
}
