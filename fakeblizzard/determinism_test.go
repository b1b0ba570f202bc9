package fakeblizzard_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// publicOn returns up to n public characters of a board, in rank order.
func publicOn(t *testing.T, s interface {
	IsPrivate(string, int64) bool
}, entries []entryLike, region string, n int) []entryLike {
	t.Helper()
	var out []entryLike
	for _, e := range entries {
		if len(out) == n {
			break
		}
		if !s.IsPrivate(region, e.ID) {
			out = append(out, e)
		}
	}
	require.Len(t, out, n, "not enough public characters on the board")
	return out
}

func TestSameSeedServesByteIdenticalResponses(t *testing.T) {
	a, b := start(t, small(7)), start(t, small(7))
	ta, tb := token(t, a), token(t, b)

	board, err := a.Board("us", "3v3")
	require.NoError(t, err)
	paths := []string{
		dynamic("/data/wow/pvp-season/index", "us"),
		dynamic("/data/wow/pvp-season/42/pvp-leaderboard/index", "us"),
		boardURL("us", 42, "3v3"),
		boardURL("eu", 42, "shuffle-mage-frost"),
		boardURL("kr", 41, "2v2"),
	}
	for _, e := range publicOn(t, a, entriesOf(board), "us", 8) {
		for _, suffix := range []string{"", "/equipment", "/specializations"} {
			paths = append(paths, charURL("us", e.Realm, e.Name, suffix))
		}
	}
	// b is asked in the opposite order: lazily generated data must not depend on request order.
	bodies, lms := map[string][]byte{}, map[string]string{}
	for _, p := range slices.Backward(paths) {
		resp, body := get(t, b, tb, p)
		require.Equal(t, http.StatusOK, resp.StatusCode, p)
		bodies[p], lms[p] = body, resp.Header.Get("Last-Modified")
	}
	for _, p := range paths {
		resp, body := get(t, a, ta, p)
		require.Equal(t, http.StatusOK, resp.StatusCode, p)
		assert.NotEmpty(t, body)
		assert.True(t, slices.Equal(bodies[p], body), "same seed, different body for %s", p)
		assert.Equal(t, lms[p], resp.Header.Get("Last-Modified"), p)
	}
}

func TestDifferentSeedServesDifferentWorld(t *testing.T) {
	a, c := start(t, small(7)), start(t, small(8))
	ta, tc := token(t, a), token(t, c)
	_, boardA := get(t, a, ta, boardURL("us", 42, "3v3"))
	_, boardC := get(t, c, tc, boardURL("us", 42, "3v3"))
	assert.NotEqual(t, boardA, boardC)

	ea, err := a.Board("us", "3v3")
	require.NoError(t, err)
	ec, err := c.Board("us", "3v3")
	require.NoError(t, err)
	pa := publicOn(t, a, entriesOf(ea), "us", 1)[0]
	pc := publicOn(t, c, entriesOf(ec), "us", 1)[0]
	_, eqA := get(t, a, ta, charURL("us", pa.Realm, pa.Name, "/equipment"))
	_, eqC := get(t, c, tc, charURL("us", pc.Realm, pc.Name, "/equipment"))
	assert.NotEqual(t, eqA, eqC)
}
