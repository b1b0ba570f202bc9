package fakeblizzard_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/fakeblizzard"
)

// TestAbandonedRequests: an answer the server writes after its client hung up is counted as abandoned
// (with its status, as any answer); answers the client waited for are not, however slow.
func TestAbandonedRequests(t *testing.T) {
	s := start(t, small(72))
	tok := token(t, s)
	index := dynamic("/data/wow/pvp-season/index", "us")

	s.SetFaults(fakeblizzard.Faults{Latency: 200 * time.Millisecond})
	resp, _ := get(t, s, tok, index)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Zero(t, s.Stats().Abandoned, "a slow answer its client waited for is not abandoned")

	// The client gives up long before the answer: the server notices the closed connection, stops
	// waiting and writes into the void.
	s.SetFaults(fakeblizzard.Faults{Latency: 10 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL()+index, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tok)
	_, err = http.DefaultClient.Do(req)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Eventually(t, func() bool { return s.Stats().Abandoned == 1 }, 5*time.Second, 10*time.Millisecond,
		"the answer to the request its client abandoned is counted")
	st := s.Stats()
	assert.Equal(t, int64(2), st.Count(fakeblizzard.EndpointSeasonIndex, http.StatusOK), "an abandoned answer is still an answer")

	// The JSON view carries it, and a reset clears it.
	_, body := get(t, s, "", "/stats")
	assert.Equal(t, int64(1), decode[fakeblizzard.Stats](t, body).Abandoned)
	s.ResetStats()
	assert.Zero(t, s.Stats().Abandoned)
}
