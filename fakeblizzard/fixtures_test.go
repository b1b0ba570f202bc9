package fakeblizzard_test

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/fakeblizzard"
)

func TestFixturesMode(t *testing.T) {
	s := start(t, fakeblizzard.Options{FixturesDir: fixturesDir})
	tok := token(t, s)

	board := fetchBoard(t, s, tok, "us", "3v3")
	ranked := map[string]string{}
	for i, e := range board.Entries {
		assert.Equal(t, i+1, e.Rank)
		ranked[e.Character.Name] = e.Character.Realm.Slug
	}
	assert.Equal(t, "sargeras", ranked["Egirlbooster"])
	assert.Equal(t, "malorne", ranked["Jw"])
	assert.Equal(t, "sargeras", ranked["Promisedland"], "the captured board's own entries stay")
	truth, err := s.Board("us", "3v3")
	require.NoError(t, err)
	assert.Equal(t, truth, board.Entries)

	for _, name := range []string{"egirlbooster", "jw"} {
		realm := ranked[map[string]string{"egirlbooster": "Egirlbooster", "jw": "Jw"}[name]]
		for kind, suffix := range map[string]string{"profile": "", "equipment": "/equipment", "specializations": "/specializations"} {
			path := filepath.Join(fixturesDir, kind, name+".json")
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			st, err := os.Stat(path)
			require.NoError(t, err)
			resp, body := get(t, s, tok, charURL("us", realm, name, suffix))
			require.Equal(t, http.StatusOK, resp.StatusCode, path)
			assert.True(t, bytes.Equal(want, body), "%s is served byte for byte", path)
			assert.Equal(t, st.ModTime().UTC().Format(http.TimeFormat), resp.Header.Get("Last-Modified"))
			resp, _ = get(t, s, tok, charURL("us", realm, name, suffix), "If-Modified-Since", resp.Header.Get("Last-Modified"))
			assert.Equal(t, http.StatusNotModified, resp.StatusCode)
		}
	}

	for file, path := range map[string]string{
		"pvp-season-index.json":      dynamic("/data/wow/pvp-season/index", "us"),
		"pvp-season.json":            dynamic("/data/wow/pvp-season/42", "us"),
		"pvp-leaderboard-index.json": dynamic("/data/wow/pvp-season/42/pvp-leaderboard/index", "us"),
	} {
		want, err := os.ReadFile(filepath.Join(fixturesDir, file))
		require.NoError(t, err)
		_, body := get(t, s, tok, path)
		assert.True(t, bytes.Equal(want, body), file)
	}

	// Captured-board characters without files answer 404, like private ones.
	notFound, err := os.ReadFile(filepath.Join(fixturesDir, "error-404.json"))
	require.NoError(t, err)
	resp, body := get(t, s, tok, charURL("us", "sargeras", "Promisedland", "/equipment"))
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.Equal(t, notFound, body)
	assert.True(t, s.IsPrivate("us", 203590047))
	assert.False(t, s.IsPrivate("us", 202523551))

	// Boards of the captured index exist; a spec board only lists its class (no mage was captured).
	assert.Contains(t, s.Brackets(), "shuffle-mage-frost")
	assert.Empty(t, fetchBoard(t, s, tok, "us", "shuffle-mage-frost").Entries)
	resp, _ = get(t, s, tok, boardURL("us", 42, "shuffle-rogue-subtlety"))
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "not in the captured index")

	// ChangeGear moves Last-Modified of a fixture character forward by an hour.
	changed := s.ChangeGear(1)
	require.Len(t, changed, 1)
	assert.Contains(t, []int64{202523551, 177763085}, changed[0])
	name := map[int64]string{202523551: "egirlbooster", 177763085: "jw"}[changed[0]]
	st, err := os.Stat(filepath.Join(fixturesDir, "equipment", name+".json"))
	require.NoError(t, err)
	resp, _ = get(t, s, tok, charURL("us", ranked[map[string]string{"egirlbooster": "Egirlbooster", "jw": "Jw"}[name]], name, "/equipment"))
	assert.Equal(t, st.ModTime().Add(time.Hour).UTC().Format(http.TimeFormat), resp.Header.Get("Last-Modified"))
}

func TestFixturesModeRejectsAMissingDirectory(t *testing.T) {
	_, err := fakeblizzard.New(fakeblizzard.Options{FixturesDir: filepath.Join(t.TempDir(), "nope")})
	assert.Error(t, err)
}
