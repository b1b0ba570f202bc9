package fakeblizzard_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/fakeblizzard"
)

func TestStatsCountExactly(t *testing.T) {
	s := start(t, small(71))
	tok := token(t, s)                                          // token 200
	requestToken(t, s, s.ClientID(), "nope")                    // token 401
	get(t, s, tok, dynamic("/data/wow/pvp-season/index", "us")) // season-index 200
	get(t, s, "", dynamic("/data/wow/pvp-season/index", "us"))  // season-index 401
	get(t, s, tok, dynamic("/data/wow/pvp-season/42", "us"))    // season 200
	get(t, s, tok, boardURL("us", 42, "3v3"))                   // leaderboard 200
	get(t, s, tok, boardURL("us", 42, "9v9"))                   // leaderboard 404
	_, priv, pub := privateShare(t, s)
	require.NotEmpty(t, priv)
	e := pub[0]
	resp, _ := get(t, s, tok, charURL("us", e.Realm, e.Name, "/equipment"))                                             // equipment 200
	get(t, s, tok, charURL("us", e.Realm, e.Name, "/equipment"), "If-Modified-Since", resp.Header.Get("Last-Modified")) // equipment 304
	get(t, s, tok, charURL("us", priv[0].Realm, priv[0].Name, "/specializations"))                                      // specializations 404
	s.SetFaults(fakeblizzard.Faults{RPS: 1})
	get(t, s, tok, charURL("us", e.Realm, e.Name, "")) // profile 200 (the burst)
	get(t, s, tok, charURL("us", e.Realm, e.Name, "")) // profile 429

	want := fakeblizzard.Stats{
		Total: 12,
		ByEndpoint: map[string]map[string]int64{
			"token":           {"200": 1, "401": 1},
			"season-index":    {"200": 1, "401": 1},
			"season":          {"200": 1},
			"leaderboard":     {"200": 1, "404": 1},
			"equipment":       {"200": 1, "304": 1},
			"specializations": {"404": 1},
			"profile":         {"200": 1, "429": 1},
		},
		ByStatus: map[string]int64{"200": 6, "304": 1, "401": 2, "404": 2, "429": 1},
		Faults:   map[string]int64{"rate_limit": 1},
		// The one client: every request made with its credentials or token; the 401s belong to nobody.
		ByClient: map[string]fakeblizzard.ClientStats{
			fakeblizzard.DefaultClientID: {
				Requests: 9, RateLimited: 1,
				ByEndpoint: map[string]map[string]int64{
					"token":           {"200": 1},
					"season-index":    {"200": 1},
					"season":          {"200": 1},
					"leaderboard":     {"200": 1, "404": 1},
					"equipment":       {"200": 1, "304": 1},
					"specializations": {"404": 1},
					"profile":         {"200": 1, "429": 1},
				},
			},
		},
	}
	assert.Equal(t, want, s.Stats())
	assert.Equal(t, int64(1), s.Stats().Count(fakeblizzard.EndpointEquipment, http.StatusNotModified))
	assert.Equal(t, int64(2), s.Stats().Endpoint(fakeblizzard.EndpointProfile))

	// The JSON view says the same and is not itself counted.
	resp, body := get(t, s, "", "/stats")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, want, decode[fakeblizzard.Stats](t, body))
	assert.Equal(t, int64(12), s.Stats().Total)

	req, _ := http.NewRequest(http.MethodGet, s.URL()+"/stats/reset", nil)
	resp, _ = do(t, req)
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	req, _ = http.NewRequest(http.MethodPost, s.URL()+"/stats/reset", nil)
	resp, _ = do(t, req)
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	st := s.Stats()
	assert.Zero(t, st.Total)
	assert.Empty(t, st.ByEndpoint)
	assert.Empty(t, st.Faults)
	assert.Empty(t, st.ByClient)
	assert.Zero(t, s.PeakWindow("", time.Hour), "the arrival log is reset with the counters")

	s.SetFaults(fakeblizzard.Faults{})
	get(t, s, tok, dynamic("/data/wow/pvp-season/index", "us"))
	s.ResetStats()
	assert.Zero(t, s.Stats().Total)
}
