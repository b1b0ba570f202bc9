package battlenet_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/battlenet"
)

// credServer is a small Battle.net for several credentials: /token issues "tok-<client id>" to the
// client ids it knows with their secret; API requests are attributed to the client of their token.
type credServer struct {
	t       *testing.T
	srv     *httptest.Server
	secrets map[string]string // client id -> secret

	mu       sync.Mutex
	tokens   map[string]int // token fetches per client id
	requests []apiRequest
	api      func(w http.ResponseWriter, r *http.Request, clientID string) // default: serveFixture
	clock    *fakeClock                                                    // optional: stamps arrivals
}

type apiRequest struct {
	clientID string
	region   string // first path element when the API URL has "/{region}"
	at       time.Time
}

func newCredServer(t *testing.T, secrets map[string]string) *credServer {
	s := &credServer{t: t, secrets: secrets, tokens: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *credServer) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/token" {
		id, secret, ok := r.BasicAuth()
		if want, known := s.secrets[id]; !ok || !known || secret != want {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_client","error_description":"Bad client credentials"}`))
			return
		}
		s.mu.Lock()
		s.tokens[id]++
		s.mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "tok-" + id, "token_type": "bearer", "expires_in": 86399})
		return
	}
	id := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer tok-")
	region, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	req := apiRequest{clientID: id, region: region}
	if s.clock != nil {
		req.at = s.clock.Now()
	}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	s.mu.Unlock()
	r2 := r.Clone(r.Context())
	r2.URL.Path = "/" + rest
	if s.api != nil {
		s.api(w, r2, id)
		return
	}
	serveFixture(w, r2)
}

func (s *credServer) seen() []apiRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]apiRequest(nil), s.requests...)
}

// clients builds clients for creds against this server ("{region}" is the first path element).
func (s *credServer) clients(mutate func(*battlenet.Config), creds ...battlenet.Credential) *battlenet.Clients {
	cfg := battlenet.Config{
		Credentials: creds, APIURL: s.srv.URL + "/{region}", OAuthURL: s.srv.URL + "/token",
		RequestsPerSecond: 1000, RequestsPerHour: 1 << 30, Timeout: 5 * time.Second,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	cs, err := battlenet.New(cfg)
	require.NoError(s.t, err)
	return cs
}

func get(t *testing.T, cs *battlenet.Clients, name string) *battlenet.Client {
	t.Helper()
	c, ok := cs.Get(name)
	require.True(t, ok, name)
	return c
}

func TestVerifyFetchesATokenForEveryCredential(t *testing.T) {
	s := newCredServer(t, map[string]string{"id-a": "secret-a", "id-b": "secret-b", "id-c": "secret-c"})
	cs := s.clients(nil,
		battlenet.Credential{Name: "c", ClientID: "id-c", ClientSecret: "secret-c"},
		battlenet.Credential{Name: "a", ClientID: "id-a", ClientSecret: "secret-a"},
		battlenet.Credential{Name: "b", ClientID: "id-b", ClientSecret: "secret-b"})
	require.NoError(t, cs.Verify(context.Background()))
	assert.Equal(t, map[string]int{"id-a": 1, "id-b": 1, "id-c": 1}, s.tokens)

	// Each client then uses its own token.
	for _, name := range []string{"a", "b", "c"} {
		_, err := get(t, cs, name).SeasonIndex(context.Background(), "us", "")
		require.NoError(t, err)
	}
	var ids []string
	for _, r := range s.seen() {
		ids = append(ids, r.clientID)
	}
	assert.Equal(t, []string{"id-a", "id-b", "id-c"}, ids)
	assert.Equal(t, map[string]int{"id-a": 1, "id-b": 1, "id-c": 1}, s.tokens, "verified tokens are reused")
}

func TestVerifyNamesTheRejectedCredential(t *testing.T) {
	s := newCredServer(t, map[string]string{"id-1": "secret-1", "id-2": "secret-2", "id-3": "secret-3"})
	creds := []battlenet.Credential{
		{Name: "c1", ClientID: "id-1", ClientSecret: "secret-1"},
		{Name: "c2", ClientID: "id-2", ClientSecret: "wrong-secret-2", Source: "creds.txt:2"},
		{Name: "c3", ClientID: "id-3", ClientSecret: "secret-3"},
	}
	err := s.clients(nil, creds...).Verify(context.Background())
	require.ErrorIs(t, err, battlenet.ErrBadCredentials)
	msg := err.Error()
	assert.True(t, strings.HasPrefix(msg, `credential "c2" rejected: `), msg)
	assert.Contains(t, msg, "creds.txt:2", "points at the line to fix")
	assert.NotContains(t, msg, `"c1"`)
	assert.NotContains(t, msg, `"c3"`)
	assert.NotContains(t, msg, "\n")
	for _, secret := range []string{"secret-1", "wrong-secret-2", "secret-3"} {
		assert.NotContains(t, msg, secret)
	}
	assert.Equal(t, 1, s.tokens["id-1"], "the good credentials were fetched too")
	assert.Equal(t, 1, s.tokens["id-3"])

	// Two bad ones: both named, still one line.
	creds[0].ClientSecret = "wrong-secret-1"
	err = s.clients(nil, creds...).Verify(context.Background())
	require.ErrorIs(t, err, battlenet.ErrBadCredentials)
	assert.Contains(t, err.Error(), `credential "c1" rejected: `)
	assert.Contains(t, err.Error(), `credential "c2" rejected: `)
	assert.NotContains(t, err.Error(), "\n")
	assert.NotContains(t, err.Error(), "wrong-secret")
}

func TestVerifyReportsAnUnreachableEndpointWithoutCallingItRejection(t *testing.T) {
	s := newCredServer(t, map[string]string{"id-1": "secret-1"})
	cs := s.clients(func(c *battlenet.Config) { c.OAuthURL = "http://127.0.0.1:1/token" },
		battlenet.Credential{Name: "c1", ClientID: "id-1", ClientSecret: "secret-1"})
	err := cs.Verify(context.Background())
	require.ErrorIs(t, err, battlenet.ErrTransport)
	assert.True(t, strings.HasPrefix(err.Error(), `credential "c1": `), err.Error())
}

func TestCredentialsAndRegions(t *testing.T) {
	s := newCredServer(t, nil)
	cs := s.clients(nil,
		battlenet.Credential{Name: "zeta", ClientID: "id-z", ClientSecret: "x"},
		battlenet.Credential{Name: "eu-only", ClientID: "id-e", ClientSecret: "x", Regions: []string{"eu"}},
		battlenet.Credential{Name: "asia", ClientID: "id-a", ClientSecret: "x", Regions: []string{"kr", "tw"}})
	var names []string
	for _, c := range cs.Credentials() {
		names = append(names, c.Name)
	}
	assert.Equal(t, []string{"asia", "eu-only", "zeta"}, names, "sorted by name")
	assert.Equal(t, []string{"zeta"}, cs.ForRegion("us"))
	assert.Equal(t, []string{"eu-only", "zeta"}, cs.ForRegion("eu"))
	assert.Equal(t, []string{"asia", "zeta"}, cs.ForRegion("kr"))
	assert.Empty(t, cs.ForRegion("cn"))
	_, ok := cs.Get("nobody")
	assert.False(t, ok)
	assert.Equal(t, "eu-only", get(t, cs, "eu-only").Name())

	// A client asked for a region its credential does not serve refuses without a request.
	_, err := get(t, cs, "eu-only").SeasonIndex(context.Background(), "us", "")
	require.ErrorIs(t, err, battlenet.ErrBadRequest)
	assert.Contains(t, err.Error(), `credential "eu-only" does not serve region us`)
	assert.Empty(t, s.seen())
}

func TestOnRequestNamesTheCredential(t *testing.T) {
	s := newCredServer(t, map[string]string{"id-1": "s1", "id-2": "s2"})
	var mu sync.Mutex
	var got []string
	cs := s.clients(func(c *battlenet.Config) {
		c.OnRequest = func(credential, endpoint string, status int, _ time.Duration) {
			mu.Lock()
			got = append(got, credential+" "+endpoint)
			mu.Unlock()
		}
	}, battlenet.Credential{Name: "c1", ClientID: "id-1", ClientSecret: "s1"},
		battlenet.Credential{Name: "c2", ClientID: "id-2", ClientSecret: "s2"})
	ctx := context.Background()
	_, err := get(t, cs, "c1").SeasonIndex(ctx, "us", "")
	require.NoError(t, err)
	_, _, err = get(t, cs, "c2").Equipment(ctx, "eu", "", "sargeras", "jw", "")
	require.NoError(t, err)
	assert.Equal(t, []string{"c1 token", "c1 season-index", "c2 token", "c2 equipment"}, got)
}

// fakeClock stands in for time in the 429 pause: Sleep advances it instead of waiting.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func newFakeClock(cs *battlenet.Clients) *fakeClock {
	c := &fakeClock{now: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
	battlenet.SetClock(cs, c.Now, c.Sleep)
	return c
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(_ context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slept = append(c.slept, d)
	c.now = c.now.Add(d)
	return nil
}

func (c *fakeClock) sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.slept...)
}

// limitFirst answers 429 (with retryAfter, if set) to the first API request of clientID.
func limitFirst(clientID, retryAfter string) func(http.ResponseWriter, *http.Request, string) {
	var once sync.Once
	return func(w http.ResponseWriter, r *http.Request, id string) {
		hit := false
		if id == clientID {
			once.Do(func() { hit = true })
		}
		if hit {
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		serveFixture(w, r)
	}
}

// After a 429 every goroutine using the credential waits out Retry-After before its next request,
// while other credentials carry on.
func TestRateLimitPausesTheWholeCredential(t *testing.T) {
	s := newCredServer(t, map[string]string{"id-1": "s1", "id-2": "s2"})
	s.api = limitFirst("id-1", "3")
	cs := s.clients(nil, battlenet.Credential{Name: "c1", ClientID: "id-1", ClientSecret: "s1"},
		battlenet.Credential{Name: "c2", ClientID: "id-2", ClientSecret: "s2"})
	clock := newFakeClock(cs)
	s.clock = clock
	start := clock.Now()
	ctx := context.Background()
	c1 := get(t, cs, "c1")

	_, err := c1.SeasonIndex(ctx, "us", "")
	require.ErrorIs(t, err, battlenet.ErrRateLimited, "the request that got the 429 reports it")
	d, ok := battlenet.RetryAfter(err)
	require.True(t, ok)
	assert.Equal(t, 3*time.Second, d)

	_, err = get(t, cs, "c2").SeasonIndex(ctx, "us", "")
	require.NoError(t, err)
	assert.Empty(t, clock.sleeps(), "another credential is not paused")

	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			_, err := c1.SeasonIndex(ctx, "us", "")
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	sleeps := clock.sleeps()
	require.NotEmpty(t, sleeps)
	assert.Equal(t, 3*time.Second, sleeps[0], "the pause lasts what Retry-After said")
	for _, r := range s.seen()[2:] {
		assert.Equal(t, "id-1", r.clientID)
		assert.False(t, r.at.Before(start.Add(3*time.Second)), "a c1 request went out %s into a 3s pause", r.at.Sub(start))
	}
	assert.Len(t, s.seen(), 10)
}

func TestRateLimitWithoutRetryAfterPausesOneSecond(t *testing.T) {
	s := newCredServer(t, map[string]string{"id-1": "s1"})
	s.api = limitFirst("id-1", "")
	cs := s.clients(nil, battlenet.Credential{Name: "c1", ClientID: "id-1", ClientSecret: "s1"})
	clock := newFakeClock(cs)
	c1 := get(t, cs, "c1")
	_, err := c1.SeasonIndex(context.Background(), "us", "")
	require.ErrorIs(t, err, battlenet.ErrRateLimited)
	_, ok := battlenet.RetryAfter(err)
	assert.False(t, ok, "the error still says the server gave no delay")
	_, err = c1.SeasonIndex(context.Background(), "us", "")
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{time.Second}, clock.sleeps())
}

// A request whose deadline falls inside the pause fails at once, saying how long the pause lasts.
func TestRateLimitPauseBeyondDeadlineFailsFast(t *testing.T) {
	s := newCredServer(t, map[string]string{"id-1": "s1"})
	s.api = limitFirst("id-1", "30")
	cs := s.clients(nil, battlenet.Credential{Name: "c1", ClientID: "id-1", ClientSecret: "s1"})
	clock := newFakeClock(cs)
	c1 := get(t, cs, "c1")
	_, err := c1.SeasonIndex(context.Background(), "us", "")
	require.ErrorIs(t, err, battlenet.ErrRateLimited)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = c1.SeasonIndex(ctx, "us", "")
	require.ErrorIs(t, err, battlenet.ErrRateLimited)
	d, ok := battlenet.RetryAfter(err)
	require.True(t, ok)
	assert.Equal(t, 30*time.Second, d)
	assert.Empty(t, clock.sleeps())
	assert.Len(t, s.seen(), 1, "no request while paused")
}

// Under QuotaScope "region" a 429 in one region leaves the credential's other regions alone.
func TestRateLimitPauseFollowsTheQuotaScope(t *testing.T) {
	for _, tc := range []struct {
		scope  string
		paused bool
	}{{"credential", true}, {"region", false}} {
		t.Run(tc.scope, func(t *testing.T) {
			s := newCredServer(t, map[string]string{"id-1": "s1"})
			s.api = limitFirst("id-1", "5")
			cs := s.clients(func(c *battlenet.Config) { c.QuotaScope = tc.scope },
				battlenet.Credential{Name: "c1", ClientID: "id-1", ClientSecret: "s1"})
			clock := newFakeClock(cs)
			c1 := get(t, cs, "c1")
			_, err := c1.SeasonIndex(context.Background(), "us", "")
			require.ErrorIs(t, err, battlenet.ErrRateLimited)
			_, err = c1.SeasonIndex(context.Background(), "eu", "")
			require.NoError(t, err)
			assert.Equal(t, tc.paused, len(clock.sleeps()) > 0, "eu waited for the us pause")
		})
	}
}

// WithProcessBudget adds the sustained (hourly) rate in process, per credential; other requests
// are only spaced by the per-second rate.
func TestProcessBudget(t *testing.T) {
	s := newCredServer(t, map[string]string{"id-1": "s1", "id-2": "s2"})
	creds := []battlenet.Credential{{Name: "c1", ClientID: "id-1", ClientSecret: "s1"}, {Name: "c2", ClientID: "id-2", ClientSecret: "s2"}}
	// 36 requests an hour: after the first, the next budgeted request is 100 s away.
	hourly := func(scope string) func(*battlenet.Config) {
		return func(c *battlenet.Config) { c.RequestsPerHour, c.QuotaScope = 36, scope }
	}
	soon := func(t *testing.T) context.Context {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		t.Cleanup(cancel)
		return ctx
	}

	t.Run("only marked requests", func(t *testing.T) {
		c1 := get(t, s.clients(hourly("credential"), creds...), "c1")
		for range 5 {
			_, err := c1.SeasonIndex(soon(t), "us", "")
			require.NoError(t, err, "the hourly quota is not held in process by default")
		}
		_, err := c1.SeasonIndex(battlenet.WithProcessBudget(soon(t)), "us", "")
		require.NoError(t, err)
		before := len(s.seen())
		_, err = c1.SeasonIndex(battlenet.WithProcessBudget(soon(t)), "us", "")
		require.ErrorIs(t, err, battlenet.ErrRateLimited, "the second budgeted request would wait 100 s")
		assert.Len(t, s.seen(), before, "and was not sent")
		_, err = c1.SeasonIndex(soon(t), "us", "")
		require.NoError(t, err, "unmarked requests still go")
	})
	t.Run("per credential", func(t *testing.T) {
		cs := s.clients(hourly("credential"), creds...)
		_, err := get(t, cs, "c1").SeasonIndex(battlenet.WithProcessBudget(soon(t)), "us", "")
		require.NoError(t, err)
		_, err = get(t, cs, "c2").SeasonIndex(battlenet.WithProcessBudget(soon(t)), "us", "")
		require.NoError(t, err, "c2 has its own budget")
		_, err = get(t, cs, "c1").SeasonIndex(battlenet.WithProcessBudget(soon(t)), "eu", "")
		require.ErrorIs(t, err, battlenet.ErrRateLimited, "one budget for all regions of c1")
	})
	t.Run("per region", func(t *testing.T) {
		c1 := get(t, s.clients(hourly("region"), creds...), "c1")
		_, err := c1.SeasonIndex(battlenet.WithProcessBudget(soon(t)), "us", "")
		require.NoError(t, err)
		_, err = c1.SeasonIndex(battlenet.WithProcessBudget(soon(t)), "eu", "")
		require.NoError(t, err, "eu has its own budget")
		_, err = c1.SeasonIndex(battlenet.WithProcessBudget(soon(t)), "us", "")
		require.ErrorIs(t, err, battlenet.ErrRateLimited)
	})
}
