package fakeblizzard_test

import (
	"bytes"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/fakeblizzard"
)

func TestBoardsShape(t *testing.T) {
	o := small(21)
	s := start(t, o)
	tok := token(t, s)
	cases := []struct {
		bracket string
		size    int
		id      int64
		typ     string
	}{
		{"3v3", o.Characters, 1, "ARENA_3v3"},
		{"2v2", o.Characters, 0, "ARENA_2v2"},
		{"rbg", o.Characters / 5, 3, "BATTLEGROUNDS"},
		{"shuffle-mage-frost", o.SpecCharacters, 7, "SHUFFLE"},
		{"shuffle-demonhunter-devourer", o.SpecCharacters, 7, "SHUFFLE"},
		{"blitz-evoker-augmentation", o.SpecCharacters, 9, "BLITZ"},
		{"shuffle-overall", o.Characters, 7, "SHUFFLE"},
		{"blitz-overall", o.Characters, 9, "BLITZ"},
	}
	for _, tc := range cases {
		t.Run(tc.bracket, func(t *testing.T) {
			resp, body := get(t, s, tok, boardURL("us", 42, tc.bracket))
			require.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Contains(t, string(body), `"season_match_statistics":`)
			assert.NotContains(t, string(body), `"season_match_statistic":`)
			lb := decode[battlenet.Leaderboard](t, body)
			assert.Equal(t, tc.bracket, lb.Name)
			assert.Equal(t, battlenet.LeaderboardBracket{ID: tc.id, Type: tc.typ}, lb.Bracket)
			assert.Equal(t, int64(42), lb.Season.ID)
			require.Len(t, lb.Entries, tc.size)

			truth, err := s.Board("us", tc.bracket)
			require.NoError(t, err)
			assert.Equal(t, truth, lb.Entries, "Board() is what the endpoint serves")

			seen := map[int64]bool{}
			for i, e := range lb.Entries {
				assert.Equal(t, i+1, e.Rank)
				if i > 0 {
					assert.LessOrEqual(t, e.Rating, lb.Entries[i-1].Rating, "rank %d", e.Rank)
				}
				assert.False(t, seen[e.Character.ID], "character %d twice", e.Character.ID)
				seen[e.Character.ID] = true
				assert.GreaterOrEqual(t, e.Character.ID, int64(100_000_000))
				assert.NotEmpty(t, e.Character.Name)
				assert.NotEmpty(t, e.Character.Realm.Slug)
				assert.NotNil(t, e.Character.Realm.Key)
				assert.Contains(t, []string{"ALLIANCE", "HORDE"}, e.Faction.Type)
				st := e.SeasonMatchStatistics
				assert.Positive(t, st.Played)
				assert.Equal(t, st.Played, st.Won+st.Lost)
				require.NotNil(t, e.Tier)
				assert.Positive(t, e.Tier.ID)
				if e.Rating >= 2400 {
					assert.Equal(t, int64(14), e.Tier.ID)
				}
			}
			assert.Greater(t, lb.Entries[0].Rating, lb.Entries[len(lb.Entries)-1].Rating)
		})
	}
}

// The fake mirrors the capture: same keys, same link layout (values differ).
func TestBoardMatchesCapturedShape(t *testing.T) {
	captured, err := os.ReadFile(fixturesDir + "/pvp-leaderboard-3v3.json")
	require.NoError(t, err)
	s := start(t, small(22))
	_, body := get(t, s, token(t, s), boardURL("us", 42, "3v3"))
	assert.Equal(t, keyPaths(t, captured), keyPaths(t, body))
}

func TestSpecBoardsHoldOnlyTheirClass(t *testing.T) {
	s := start(t, small(23))
	tok := token(t, s)
	for _, bracket := range []string{"shuffle-mage-frost", "shuffle-deathknight-blood", "blitz-evoker-augmentation", "shuffle-demonhunter-devourer"} {
		specID, _ := battlenet.BracketSpecID(bracket)
		spec, _ := battlenet.SpecByID(specID)
		entries, err := s.Board("us", bracket)
		require.NoError(t, err)
		checked := 0
		for _, e := range entries {
			if s.IsPrivate("us", e.Character.ID) {
				continue
			}
			resp, body := get(t, s, tok, charURL("us", e.Character.Realm.Slug, e.Character.Name, ""))
			require.Equal(t, http.StatusOK, resp.StatusCode)
			p := decode[battlenet.Profile](t, body)
			assert.Equal(t, int64(spec.ClassID), p.CharacterClass.ID, "%s on %s", p.Name, bracket)
			checked++
		}
		assert.Greater(t, checked, len(entries)/2)
	}
}

func TestCharactersOverlapAcrossBoards(t *testing.T) {
	s, err := fakeblizzard.New(fakeblizzard.Options{Seed: 24}) // defaults: 5000 per board
	require.NoError(t, err)
	ids := func(bracket string) map[int64]bool {
		entries, err := s.Board("us", bracket)
		require.NoError(t, err)
		out := map[int64]bool{}
		for _, e := range entries {
			out[e.Character.ID] = true
		}
		return out
	}
	threes, twos := ids("3v3"), ids("2v2")
	shuffle := map[int64]bool{}
	for _, b := range s.Brackets() {
		if _, ok := battlenet.BracketSpecID(b); ok {
			for id := range ids(b) {
				shuffle[id] = true
			}
		}
	}
	in2, inShuffle := 0, 0
	for id := range threes {
		if twos[id] {
			in2++
		}
		if shuffle[id] {
			inShuffle++
		}
	}
	assert.Greater(t, in2, len(threes)*6/10, "3v3 players also on 2v2")
	assert.Less(t, in2, len(threes), "2v2 is not a copy of 3v3")
	assert.Greater(t, inShuffle, len(threes)*6/10, "3v3 players also on a shuffle board")
}

func TestLeaderboardIndex(t *testing.T) {
	s := start(t, small(25))
	resp, body := get(t, s, token(t, s), dynamic("/data/wow/pvp-season/42/pvp-leaderboard/index", "us"))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	idx := decode[battlenet.LeaderboardIndex](t, body)
	assert.Equal(t, int64(42), idx.Season.ID)
	var names []string
	ids := map[int64]string{}
	for _, l := range idx.Leaderboards {
		names = append(names, l.Name)
		assert.True(t, strings.HasSuffix(l.Key.Href, "/pvp-leaderboard/"+l.Name+"?namespace=dynamic-us"), l.Key.Href)
		if strings.HasSuffix(l.Name, "-overall") {
			assert.Nil(t, l.ID, "%s has no id", l.Name)
			continue
		}
		require.NotNil(t, l.ID, l.Name)
		assert.NotContains(t, ids, *l.ID, "duplicate id %d", *l.ID)
		ids[*l.ID] = l.Name
	}
	assert.Equal(t, "2v2", ids[0])
	assert.Equal(t, "3v3", ids[1])
	assert.Equal(t, "rbg", ids[3])
	assert.Equal(t, names, s.Brackets())
	assert.Len(t, names, 5+len(battlenet.Specs))
	for _, sp := range battlenet.Specs {
		assert.Contains(t, names, battlenet.BracketName("shuffle", sp))
	}
	assert.Contains(t, string(body), `"name":"blitz-overall"}`, "overall boards carry no id key at all")
}

func TestBracketsOptionRestrictsBoards(t *testing.T) {
	o := small(26)
	o.Brackets = []string{"shuffle-mage-frost", "3v3"}
	s := start(t, o)
	tok := token(t, s)
	assert.Equal(t, []string{"3v3", "shuffle-mage-frost"}, s.Brackets(), "index order")
	_, body := get(t, s, tok, dynamic("/data/wow/pvp-season/42/pvp-leaderboard/index", "us"))
	idx := decode[battlenet.LeaderboardIndex](t, body)
	require.Len(t, idx.Leaderboards, 2)
	for _, b := range []string{"3v3", "shuffle-mage-frost"} {
		resp, _ := get(t, s, tok, boardURL("us", 42, b))
		assert.Equal(t, http.StatusOK, resp.StatusCode, b)
	}
	for _, b := range []string{"2v2", "rbg", "shuffle-mage-fire", "shuffle-overall"} {
		resp, _ := get(t, s, tok, boardURL("us", 42, b))
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, b)
		_, err := s.Board("us", b)
		assert.Error(t, err, b)
	}

	_, err := fakeblizzard.New(fakeblizzard.Options{Brackets: []string{"5v5"}})
	assert.Error(t, err)
}

func TestNotFoundAnswers(t *testing.T) {
	want, err := os.ReadFile(fixturesDir + "/error-404.json")
	require.NoError(t, err)
	s := start(t, small(27))
	tok := token(t, s)
	entries, err := s.Board("us", "3v3")
	require.NoError(t, err)
	e := publicOn(t, s, entriesOf(entries), "us", 1)[0]
	profile := "/profile/wow/character/" + e.Realm + "/" + strings.ToLower(e.Name)

	for _, p := range []string{
		dynamic("/data/wow/pvp-season/39", "us"),
		dynamic("/data/wow/pvp-season/43", "us"),
		dynamic("/data/wow/pvp-season/abc", "us"),
		dynamic("/data/wow/pvp-season/43/pvp-leaderboard/index", "us"),
		boardURL("us", 43, "3v3"),
		boardURL("us", 42, "5v5"),
		boardURL("us", 42, "shuffle-mage-windwalker"),
		"/data/wow/pvp-season/index",                      // no namespace
		"/data/wow/pvp-season/index?namespace=profile-us", // wrong kind
		"/data/wow/pvp-season/index?namespace=dynamic-xx", // unknown region
		profile + "?namespace=dynamic-us",                 // wrong kind
		profile + "x?namespace=profile-us",                // unknown character
		"/profile/wow/character/nosuchrealm/" + strings.ToLower(e.Name) + "?namespace=profile-us",
		profile + "/achievements?namespace=profile-us", // not served
		"/data/wow/nothing?namespace=dynamic-us",
	} {
		resp, body := get(t, s, tok, p)
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, p)
		assert.Equal(t, "application/json;charset=UTF-8", resp.Header.Get("Content-Type"), p)
		assert.True(t, bytes.Equal(want, body), "%s: 404 body %q", p, body)
	}

	// The namespace may come as a header instead, as the real API allows.
	resp, _ := get(t, s, tok, "/data/wow/pvp-season/index", "Battlenet-Namespace", "dynamic-eu")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	resp, _ = get(t, s, tok, profile+"/equipment", "Battlenet-Namespace", "profile-us")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestSeasons(t *testing.T) {
	s := start(t, small(28))
	tok := token(t, s)
	_, body := get(t, s, tok, dynamic("/data/wow/pvp-season/index", "us"))
	idx := decode[battlenet.SeasonIndex](t, body)
	var ids []int64
	for _, se := range idx.Seasons {
		ids = append(ids, se.ID)
	}
	assert.Equal(t, []int64{40, 41, 42}, ids)
	assert.Equal(t, int64(42), idx.CurrentSeason.ID)

	captured, err := os.ReadFile(fixturesDir + "/pvp-season.json")
	require.NoError(t, err)
	_, body = get(t, s, tok, dynamic("/data/wow/pvp-season/42", "us"))
	assert.JSONEq(t, string(captured), string(body), "season 42 is the captured one")

	_, body = get(t, s, tok, dynamic("/data/wow/pvp-season/41", "us"))
	prev := decode[battlenet.Season](t, body)
	assert.Less(t, prev.SeasonStartTimestamp, prev.SeasonEndTimestamp)
	assert.Less(t, prev.SeasonEndTimestamp, int64(1787065200000))

	o := small(28)
	o.Season = 45
	s45 := start(t, o)
	_, body = get(t, s45, token(t, s45), dynamic("/data/wow/pvp-season/", "us"))
	idx = decode[battlenet.SeasonIndex](t, body)
	assert.Len(t, idx.Seasons, 6)
	assert.Equal(t, int64(45), idx.CurrentSeason.ID)
	resp, _ := get(t, s45, token(t, s45), boardURL("us", 45, "3v3"))
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

// keyPaths lists the distinct JSON key paths of a document (array elements collapsed), for shape checks.
func keyPaths(t *testing.T, body []byte) []string {
	t.Helper()
	var v any
	require.NoError(t, jsonUnmarshal(body, &v))
	set := map[string]bool{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				set[prefix+"."+k] = true
				walk(prefix+"."+k, c)
			}
		case []any:
			for _, c := range x {
				walk(prefix+"[]", c)
			}
		}
	}
	walk("", v)
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
