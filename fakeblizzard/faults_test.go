package fakeblizzard_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/fakeblizzard"
)

func statusCounts(t *testing.T, s *fakeblizzard.Server, tok, path string, n int) (map[int]int, []*http.Response) {
	t.Helper()
	counts := map[int]int{}
	var resps []*http.Response
	for range n {
		resp, _ := get(t, s, tok, path)
		counts[resp.StatusCode]++
		resps = append(resps, resp)
	}
	return counts, resps
}

func TestRateLimit(t *testing.T) {
	s := start(t, small(61))
	tok := token(t, s)
	index := dynamic("/data/wow/pvp-season/index", "us")

	for _, retryAfter := range []bool{false, true} {
		s.SetFaults(fakeblizzard.Faults{RPS: 5, RetryAfter: retryAfter})
		counts, resps := statusCounts(t, s, tok, index, 25)
		assert.GreaterOrEqual(t, counts[http.StatusOK], 5, "the burst of 5 passes")
		assert.LessOrEqual(t, counts[http.StatusOK], 7, "then 5 per second")
		assert.Equal(t, 25, counts[http.StatusOK]+counts[http.StatusTooManyRequests])
		for _, r := range resps {
			if r.StatusCode == http.StatusTooManyRequests {
				if retryAfter {
					assert.Equal(t, "1", r.Header.Get("Retry-After"))
				} else {
					assert.Empty(t, r.Header.Get("Retry-After"))
				}
			}
		}
	}
	// The token endpoint is not rate limited.
	s.SetFaults(fakeblizzard.Faults{RPS: 1})
	for range 5 {
		token(t, s)
	}
	s.SetFaults(fakeblizzard.Faults{})
	counts, _ := statusCounts(t, s, tok, index, 20)
	assert.Equal(t, map[int]int{http.StatusOK: 20}, counts, "limit lifted")
}

func TestRateLimitOption(t *testing.T) {
	o := small(62)
	o.RPS = 3
	s := start(t, o)
	counts, _ := statusCounts(t, s, token(t, s), dynamic("/data/wow/pvp-season/index", "us"), 10)
	assert.Positive(t, counts[http.StatusTooManyRequests])
}

func TestServerErrors(t *testing.T) {
	s := start(t, small(63))
	tok := token(t, s)
	s.SetFaults(fakeblizzard.Faults{ServerErrorRate: 1})
	counts, _ := statusCounts(t, s, tok, boardURL("us", 42, "3v3"), 40)
	assert.Equal(t, 40, counts[500]+counts[502]+counts[503]+counts[504], "%v", counts)
	assert.GreaterOrEqual(t, len(counts), 3, "a mix of 5xx: %v", counts)
	assert.Equal(t, int64(40), s.Stats().Faults[fakeblizzard.FaultServerError])
	token(t, s) // the token endpoint is spared

	s.SetFaults(fakeblizzard.Faults{ServerErrorRate: 0.5})
	counts, _ = statusCounts(t, s, tok, boardURL("us", 42, "3v3"), 60)
	assert.Greater(t, counts[http.StatusOK], 10)
	assert.Greater(t, 60-counts[http.StatusOK], 10)
}

func TestDroppedConnections(t *testing.T) {
	s := start(t, small(64))
	tok := token(t, s)
	s.SetFaults(fakeblizzard.Faults{DropRate: 1})
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for range 3 {
		req, _ := http.NewRequest(http.MethodGet, s.URL()+dynamic("/data/wow/pvp-season/index", "us"), nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		assert.Error(t, err, "the connection closes without an answer")
	}
	st := s.Stats()
	assert.Equal(t, int64(3), st.Faults[fakeblizzard.FaultDrop])
	assert.Equal(t, int64(3), st.ByEndpoint[fakeblizzard.EndpointSeasonIndex]["drop"])
	token(t, s)
}

func TestMalformedProfiles(t *testing.T) {
	s := start(t, small(65))
	tok := token(t, s)
	entries, err := s.Board("us", "3v3")
	require.NoError(t, err)
	s.SetFaults(fakeblizzard.Faults{MalformedRate: 1})
	truncated, renamed := 0, 0
	for _, e := range publicOn(t, s, entriesOf(entries), "us", 30) {
		resp, body := get(t, s, tok, charURL("us", e.Realm, e.Name, "/equipment"))
		require.Equal(t, http.StatusOK, resp.StatusCode)
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(body, &raw); err != nil {
			truncated++
			continue
		}
		assert.NotContains(t, raw, "equipped_items")
		var eq battlenet.Equipment
		require.NoError(t, json.Unmarshal(body, &eq))
		assert.Empty(t, eq.EquippedItems, "the model sees no items")
		renamed++
	}
	assert.Positive(t, truncated)
	assert.Positive(t, renamed)
	assert.Equal(t, int64(30), s.Stats().Faults[fakeblizzard.FaultMalformed])

	// Boards are never malformed.
	resp, body := get(t, s, tok, boardURL("us", 42, "3v3"))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Len(t, decode[battlenet.Leaderboard](t, body).Entries, 400)
}

func TestSlowAnswersAndLatency(t *testing.T) {
	s := start(t, small(66))
	tok := token(t, s)
	index := dynamic("/data/wow/pvp-season/index", "us")

	s.SetFaults(fakeblizzard.Faults{SlowRate: 1, SlowDelay: 300 * time.Millisecond})
	t0 := time.Now()
	resp, _ := get(t, s, tok, index)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "slow, but it answers")
	assert.GreaterOrEqual(t, time.Since(t0), 300*time.Millisecond)

	// A client that gives up sees a timeout.
	s.SetFaults(fakeblizzard.Faults{SlowRate: 1, SlowDelay: 5 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL()+index, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	_, err := http.DefaultClient.Do(req)
	assert.ErrorIs(t, err, context.DeadlineExceeded)

	s.SetFaults(fakeblizzard.Faults{Latency: 80 * time.Millisecond})
	t0 = time.Now()
	resp, _ = get(t, s, tok, index)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.GreaterOrEqual(t, time.Since(t0), 80*time.Millisecond)

	s.SetFaults(fakeblizzard.Faults{})
	t0 = time.Now()
	get(t, s, tok, index)
	assert.Less(t, time.Since(t0), 80*time.Millisecond)
	assert.Equal(t, int64(2), s.Stats().Faults[fakeblizzard.FaultSlow])
}

func TestEmptyBoards(t *testing.T) {
	o := small(67)
	o.EmptyBoards = true
	s := start(t, o)
	tok := token(t, s)
	resp, body := get(t, s, tok, boardURL("us", 42, "3v3"))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.True(t, bytes.Contains(body, []byte(`"entries":[]`)), "entries is an empty array, not null or absent")
	assert.Empty(t, decode[battlenet.Leaderboard](t, body).Entries)
	entries, err := s.Board("us", "3v3")
	require.NoError(t, err)
	assert.Empty(t, entries)

	s.SetFaults(fakeblizzard.Faults{})
	assert.Len(t, fetchBoard(t, s, tok, "us", "3v3").Entries, o.Characters)
}
