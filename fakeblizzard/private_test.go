package fakeblizzard_test

import (
	"bytes"
	"net/http"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/fakeblizzard"
)

func privateShare(t *testing.T, s *fakeblizzard.Server) (float64, []entryLike, []entryLike) {
	t.Helper()
	entries, err := s.Board("us", "3v3")
	require.NoError(t, err)
	var priv, pub []entryLike
	for _, e := range entriesOf(entries) {
		if s.IsPrivate("us", e.ID) {
			priv = append(priv, e)
		} else {
			pub = append(pub, e)
		}
	}
	return float64(len(priv)) / float64(len(entries)), priv, pub
}

func TestPrivateCharactersAnswer404(t *testing.T) {
	want404, err := os.ReadFile(fixturesDir + "/error-404.json")
	require.NoError(t, err)
	s := start(t, fakeblizzard.Options{Seed: 31}) // defaults: 5000 on 3v3, 5% private
	tok := token(t, s)
	share, priv, pub := privateShare(t, s)
	assert.InDelta(t, fakeblizzard.DefaultPrivateFraction, share, 0.02)

	for _, e := range priv[:15] {
		for _, suffix := range []string{"", "/equipment", "/specializations"} {
			resp, body := get(t, s, tok, charURL("us", e.Realm, e.Name, suffix))
			assert.Equal(t, http.StatusNotFound, resp.StatusCode, e.Name+suffix)
			assert.Equal(t, "application/json;charset=UTF-8", resp.Header.Get("Content-Type"))
			assert.True(t, bytes.Equal(want404, body), "body %q", body)
		}
	}
	for _, e := range pub[:15] {
		resp, _ := get(t, s, tok, charURL("us", e.Realm, e.Name, "/equipment"))
		assert.Equal(t, http.StatusOK, resp.StatusCode, e.Name)
	}
}

func TestPrivateFractionIsConfigurable(t *testing.T) {
	o := fakeblizzard.Options{Seed: 32, PrivateFraction: 0.2}
	s, err := fakeblizzard.New(o)
	require.NoError(t, err)
	share, _, _ := privateShare(t, s)
	assert.InDelta(t, 0.2, share, 0.02)

	o.PrivateFraction = -1 // none
	s, err = fakeblizzard.New(o)
	require.NoError(t, err)
	share, _, _ = privateShare(t, s)
	assert.Zero(t, share)

	_, err = fakeblizzard.New(fakeblizzard.Options{PrivateFraction: 1.5})
	assert.Error(t, err)
}
