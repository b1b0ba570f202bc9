package fakeblizzard_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

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

// Advances, gear changes and knob flips while clients read boards, characters and truths.
func TestConcurrentAdvance(t *testing.T) {
	s := start(t, living(82))
	tok := token(t, s)
	entries, err := s.Board("us", "3v3")
	require.NoError(t, err)
	chars := publicOn(t, s, entriesOf(entries), "us", 20)
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { s.Advance() })
	}
	wg.Go(func() { _, _ = s.ChangeGearIn("us", []string{"3v3"}, 3) })
	wg.Go(func() { s.SetFaults(fakeblizzard.Faults{RPH: 1 << 20, RPS: 1 << 20}) })
	wg.Go(func() { _ = s.PeakWindow("", time.Hour) })
	for _, b := range s.Brackets() {
		wg.Go(func() {
			resp, _ := get(t, s, tok, boardURL("us", 42, b))
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			_, err := s.BoardTruth("us", b)
			assert.NoError(t, err)
		})
	}
	for _, e := range chars {
		wg.Go(func() {
			for _, suffix := range endpoints {
				resp, _ := get(t, s, tok, charURL("us", e.Realm, e.Name, suffix))
				assert.Equal(t, http.StatusOK, resp.StatusCode)
			}
			_, err := s.Truth("us", e.Realm, e.Name)
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	assert.Equal(t, 3, s.Cycle())
}
