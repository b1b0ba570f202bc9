package fakeblizzard_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/fakeblizzard"
)

// Concurrent first use of a region, knob flips and gear changes must be safe (run with -race) and
// must not change what a character's data is.
func TestConcurrentUse(t *testing.T) {
	o := small(81)
	ref, err := fakeblizzard.New(o)
	require.NoError(t, err)
	entries, err := ref.Board("eu", "2v2")
	require.NoError(t, err)
	chars := publicOn(t, ref, entriesOf(entries), "eu", 40)

	s := start(t, o)
	tok := token(t, s)
	var wg sync.WaitGroup
	bodies := make([][]byte, len(chars))
	for i, e := range chars {
		wg.Go(func() {
			resp, body := get(t, s, tok, charURL("eu", e.Realm, e.Name, "/specializations"))
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			bodies[i] = body
		})
	}
	wg.Go(func() { s.SetFaults(fakeblizzard.Faults{Latency: 1}) })
	wg.Go(func() { _, _ = s.ChangeGearIn("us", []string{"3v3"}, 3) })
	wg.Go(func() { _ = s.Stats() })
	wg.Wait()

	// Same bodies as a sequential run on a fresh server (the us gear change does not touch eu).
	fresh := start(t, o)
	ft := token(t, fresh)
	for i, e := range chars {
		_, body := get(t, fresh, ft, charURL("eu", e.Realm, e.Name, "/specializations"))
		assert.Equal(t, body, bodies[i], e.Name)
	}
}
