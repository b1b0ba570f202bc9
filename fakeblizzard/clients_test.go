package fakeblizzard_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/fakeblizzard"
)

var twoClients = []fakeblizzard.Client{{ID: "client-a", Secret: "secret-a"}, {ID: "client-b", Secret: "secret-b"}}

// tokenOf runs the client-credentials grant for one client.
func tokenOf(t *testing.T, s *fakeblizzard.Server, c fakeblizzard.Client) string {
	t.Helper()
	resp, body := requestToken(t, s, c.ID, c.Secret)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	tok := decode[struct {
		AccessToken string `json:"access_token"`
		Sub         string `json:"sub"`
	}](t, body)
	assert.Equal(t, c.ID, tok.Sub, "the token names its client")
	return tok.AccessToken
}

func TestSeveralClients(t *testing.T) {
	o := small(91)
	o.Clients = twoClients
	o.ClientID, o.ClientSecret = "ignored", "ignored-too"
	s := start(t, o)
	assert.Equal(t, "client-a", s.ClientID(), "ClientID is the first client")
	assert.Equal(t, "secret-a", s.ClientSecret())
	assert.Equal(t, twoClients, s.Clients())

	ta, tb := tokenOf(t, s, twoClients[0]), tokenOf(t, s, twoClients[1])
	resp, _ := requestToken(t, s, "client-b", "secret-a")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "a secret belongs to its client")
	resp, _ = requestToken(t, s, "ignored", "ignored-too")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "ClientID/ClientSecret do not count when Clients is set")

	index := dynamic("/data/wow/pvp-season/index", "us")
	for range 3 {
		resp, _ := get(t, s, ta, index)
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}
	resp, _ = get(t, s, tb, boardURL("us", 42, "3v3"))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	get(t, s, "", index) // 401, nobody's

	st := s.Stats()
	assert.Equal(t, fakeblizzard.ClientStats{Requests: 3, ByEndpoint: map[string]map[string]int64{
		"token": {"200": 1}, "season-index": {"200": 3},
	}}, st.ByClient["client-a"])
	assert.Equal(t, fakeblizzard.ClientStats{Requests: 1, ByEndpoint: map[string]map[string]int64{
		"token": {"200": 1}, "leaderboard": {"200": 1},
	}}, st.ByClient["client-b"])
	assert.Len(t, st.ByClient, 2)
	assert.Equal(t, int64(1), st.Count(fakeblizzard.EndpointSeasonIndex, http.StatusUnauthorized))
	assert.Equal(t, 3, s.PeakWindow("client-a", time.Hour))
	assert.Equal(t, 1, s.PeakWindow("client-b", time.Hour))
	assert.Equal(t, 4, s.PeakWindow("", time.Hour), "all clients together; the 401 is nobody's")
}

func TestRPSIsPerClient(t *testing.T) {
	o := small(92)
	o.Clients = twoClients
	s := start(t, o)
	ta, tb := tokenOf(t, s, twoClients[0]), tokenOf(t, s, twoClients[1])
	s.SetFaults(fakeblizzard.Faults{RPS: 3, RetryAfter: true})
	index := dynamic("/data/wow/pvp-season/index", "us")
	countsA, _ := statusCounts(t, s, ta, index, 12)
	assert.GreaterOrEqual(t, countsA[http.StatusOK], 3, "the burst passes")
	assert.LessOrEqual(t, countsA[http.StatusOK], 5)
	assert.Positive(t, countsA[http.StatusTooManyRequests])
	// client-b has its own bucket, still full.
	countsB, _ := statusCounts(t, s, tb, index, 3)
	assert.Equal(t, map[int]int{http.StatusOK: 3}, countsB)

	st := s.Stats()
	assert.Equal(t, int64(countsA[http.StatusTooManyRequests]), st.ByClient["client-a"].RateLimited)
	assert.Zero(t, st.ByClient["client-b"].RateLimited)
	assert.Equal(t, 12, s.PeakWindow("client-a", time.Hour), "429s count: that is what the client asked")
}

func TestHourlyQuotaOverASlidingWindow(t *testing.T) {
	o := small(93)
	o.Clients = twoClients
	o.RPH, o.QuotaWindow, o.RetryAfter = 12000, time.Minute, true // 200 per minute and client
	s := start(t, o)
	ta, tb := tokenOf(t, s, twoClients[0]), tokenOf(t, s, twoClients[1])
	index := dynamic("/data/wow/pvp-season/index", "us")

	counts, resps := statusCounts(t, s, ta, index, 205)
	assert.Equal(t, map[int]int{http.StatusOK: 200, http.StatusTooManyRequests: 5}, counts)
	for _, r := range resps[200:] {
		retry, err := strconv.Atoi(r.Header.Get("Retry-After"))
		require.NoError(t, err)
		assert.Positive(t, retry)
		assert.LessOrEqual(t, retry, 60, "a slot frees within the window")
	}
	// Tokens are not API requests, and the other client has its own quota.
	tokenOf(t, s, twoClients[0])
	counts, _ = statusCounts(t, s, tb, index, 10)
	assert.Equal(t, map[int]int{http.StatusOK: 10}, counts)
	assert.Equal(t, int64(5), s.Stats().ByClient["client-a"].RateLimited)

	// The knobs move at run time: a larger quota lets more through (the minute's 200 still count).
	s.SetFaults(fakeblizzard.Faults{RPH: 12300, QuotaWindow: time.Minute})
	counts, resps = statusCounts(t, s, ta, index, 10)
	assert.Equal(t, map[int]int{http.StatusOK: 5, http.StatusTooManyRequests: 5}, counts)
	assert.Empty(t, resps[9].Header.Get("Retry-After"), "Retry-After only when asked for")
	s.SetFaults(fakeblizzard.Faults{})
	counts, _ = statusCounts(t, s, ta, index, 10)
	assert.Equal(t, map[int]int{http.StatusOK: 10}, counts, "0 = unlimited")
	assert.Equal(t, 225, s.PeakWindow("client-a", time.Hour))
}

func TestClientOptionsAreValidated(t *testing.T) {
	for name, cs := range map[string][]fakeblizzard.Client{
		"empty secret": {{ID: "a"}},
		"twice":        {{ID: "a", Secret: "x"}, {ID: "a", Secret: "y"}},
		"whitespace":   {{ID: "a b", Secret: "x"}},
		"comment":      {{ID: "a", Secret: "#x"}},
	} {
		_, err := fakeblizzard.New(fakeblizzard.Options{Clients: cs})
		assert.Error(t, err, name)
	}
	for name, o := range map[string]fakeblizzard.Options{
		"negative rph": {RPH: -1}, "active > 1": {Active: 1.5}, "negative cycle": {Cycle: -time.Second},
	} {
		_, err := fakeblizzard.New(o)
		assert.Error(t, err, name)
	}
}
