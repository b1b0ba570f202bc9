package fakeblizzard_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/fakeblizzard"
)

func TestIfModifiedSince(t *testing.T) {
	s := start(t, small(51))
	tok := token(t, s)
	entries, err := s.Board("us", "3v3")
	require.NoError(t, err)
	e := publicOn(t, s, entriesOf(entries), "us", 1)[0]

	var lastModified string
	for _, suffix := range []string{"", "/equipment", "/specializations"} {
		path := charURL("us", e.Realm, e.Name, suffix)
		resp, body := get(t, s, tok, path)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		lm := resp.Header.Get("Last-Modified")
		at, err := http.ParseTime(lm)
		require.NoError(t, err, "Last-Modified %q is not RFC 1123", lm)
		if lastModified != "" {
			assert.Equal(t, lastModified, lm, "the three profile endpoints share the character's Last-Modified")
		}
		lastModified = lm

		resp, notModified := get(t, s, tok, path, "If-Modified-Since", lm)
		assert.Equal(t, http.StatusNotModified, resp.StatusCode, path)
		assert.Empty(t, notModified)
		assert.Equal(t, lm, resp.Header.Get("Last-Modified"))

		resp, _ = get(t, s, tok, path, "If-Modified-Since", at.Add(time.Hour).Format(http.TimeFormat))
		assert.Equal(t, http.StatusNotModified, resp.StatusCode, "later than Last-Modified")

		resp, again := get(t, s, tok, path, "If-Modified-Since", at.Add(-time.Second).Format(http.TimeFormat))
		assert.Equal(t, http.StatusOK, resp.StatusCode, "older than Last-Modified")
		assert.Equal(t, body, again)

		resp, _ = get(t, s, tok, path, "If-Modified-Since", "yesterday")
		assert.Equal(t, http.StatusOK, resp.StatusCode, "an unparsable date is ignored")
	}
}

// publicCharacters is every public character ranked on a served board of the current season.
func publicCharacters(t *testing.T, s *fakeblizzard.Server, region string) map[int64]entryLike {
	t.Helper()
	out := map[int64]entryLike{}
	for _, b := range s.Brackets() {
		entries, err := s.Board(region, b)
		require.NoError(t, err)
		for _, e := range entriesOf(entries) {
			if !s.IsPrivate(region, e.ID) {
				out[e.ID] = e
			}
		}
	}
	return out
}

func TestChangeGearMovesLastModifiedOfExactlyThoseCharacters(t *testing.T) {
	s := start(t, fakeblizzard.Options{Seed: 52, Characters: 60, SpecCharacters: 6})
	tok := token(t, s)
	chars := publicCharacters(t, s, "us")
	require.Greater(t, len(chars), 50)

	snapshot := func() (map[int64]string, map[int64][]byte) {
		lms, bodies := map[int64]string{}, map[int64][]byte{}
		for id, e := range chars {
			resp, body := get(t, s, tok, charURL("us", e.Realm, e.Name, "/equipment"))
			require.Equal(t, http.StatusOK, resp.StatusCode)
			lms[id], bodies[id] = resp.Header.Get("Last-Modified"), body
		}
		return lms, bodies
	}
	before, beforeBodies := snapshot()
	changed := s.ChangeGear(7)
	require.Len(t, changed, 7)
	after, afterBodies := snapshot()

	var moved []int64
	for id := range chars {
		if before[id] != after[id] {
			moved = append(moved, id)
			b, _ := http.ParseTime(before[id])
			a, _ := http.ParseTime(after[id])
			assert.True(t, a.After(b), "Last-Modified moves forward")
			assert.NotEqual(t, beforeBodies[id], afterBodies[id], "new generation, new gear")
		} else {
			assert.Equal(t, beforeBodies[id], afterBodies[id])
		}
	}
	assert.ElementsMatch(t, changed, moved)

	// A client revalidating with the old date gets the new gear only for those characters.
	for id, e := range chars {
		resp, _ := get(t, s, tok, charURL("us", e.Realm, e.Name, "/specializations"), "If-Modified-Since", before[id])
		if slices.Contains(changed, id) {
			assert.Equal(t, http.StatusOK, resp.StatusCode)
		} else {
			assert.Equal(t, http.StatusNotModified, resp.StatusCode)
		}
	}
}

func TestChangeGearIsDeterministic(t *testing.T) {
	o := fakeblizzard.Options{Seed: 53, Characters: 100, SpecCharacters: 10}
	a, err := fakeblizzard.New(o)
	require.NoError(t, err)
	b, err := fakeblizzard.New(o)
	require.NoError(t, err)
	first := a.ChangeGear(5)
	assert.Equal(t, first, b.ChangeGear(5))
	second := a.ChangeGear(5)
	assert.Equal(t, second, b.ChangeGear(5))
	assert.NotEqual(t, first, second, "each call picks anew")

	ids, err := a.ChangeGearIn("eu", []string{"3v3"}, 4)
	require.NoError(t, err)
	require.Len(t, ids, 4)
	entries, err := a.Board("eu", "3v3")
	require.NoError(t, err)
	on := map[int64]bool{}
	for _, e := range entries {
		on[e.Character.ID] = true
	}
	for _, id := range ids {
		assert.True(t, on[id], "changed character %d is on eu 3v3", id)
		assert.False(t, a.IsPrivate("eu", id))
	}
	_, err = a.ChangeGearIn("eu", []string{"5v5"}, 1)
	assert.Error(t, err)
}
