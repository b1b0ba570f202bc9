package battlenet_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/battlenet"
)

const (
	testClientID = "abcdef0123456789"
	testSecret   = "s3cr3t-VALUE-42xyz"
)

// fakeAPI is a minimal Battle.net: /token issues tok-1, tok-2, ... after checking HTTP Basic
// credentials; everything else goes to api (default: serve the fixture matching the path).
type fakeAPI struct {
	t   *testing.T
	srv *httptest.Server

	tokenHits atomic.Int32
	apiHits   atomic.Int32

	// token endpoint behaviour
	expiresIn   int
	tokenStatus int    // non-zero: answer this instead of a token
	tokenBody   string // body for tokenStatus
	tokenDelay  time.Duration

	api http.HandlerFunc

	mu       sync.Mutex
	requests []*http.Request // API requests as received
}

func newFakeAPI(t *testing.T) *fakeAPI {
	f := &fakeAPI{t: t, expiresIn: 86399}
	f.api = serveFixture
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/token" {
		f.serveToken(w, r)
		return
	}
	f.apiHits.Add(1)
	f.mu.Lock()
	f.requests = append(f.requests, r.Clone(context.Background()))
	f.mu.Unlock()
	f.api(w, r)
}

func (f *fakeAPI) serveToken(w http.ResponseWriter, r *http.Request) {
	n := f.tokenHits.Add(1)
	time.Sleep(f.tokenDelay)
	w.Header().Set("Content-Type", "application/json")
	if f.tokenStatus != 0 {
		w.WriteHeader(f.tokenStatus)
		_, _ = w.Write([]byte(f.tokenBody))
		return
	}
	id, secret, ok := r.BasicAuth()
	if r.Method != http.MethodPost || !ok || id != testClientID || secret != testSecret {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":"invalid_client","error_description":"Bad client credentials"}`))
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"unsupported_grant_type"}`))
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"access_token": fmt.Sprintf("tok-%d", n), "token_type": "bearer", "expires_in": f.expiresIn, "sub": id,
	})
}

func (f *fakeAPI) seen() []*http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*http.Request(nil), f.requests...)
}

func (f *fakeAPI) config() battlenet.Config {
	return battlenet.Config{
		Credentials:       []battlenet.Credential{{Name: "default", ClientID: testClientID, ClientSecret: testSecret}},
		APIURL:            f.srv.URL,
		OAuthURL:          f.srv.URL + "/token",
		RequestsPerSecond: 1000,
		RequestsPerHour:   10_000_000,
		Timeout:           5 * time.Second,
	}
}

// clients builds the clients of f.config() after the mutations.
func (f *fakeAPI) clients(mutate ...func(*battlenet.Config)) *battlenet.Clients {
	cfg := f.config()
	for _, m := range mutate {
		m(&cfg)
	}
	cs, err := battlenet.New(cfg)
	require.NoError(f.t, err)
	return cs
}

// client is the client of the first credential.
func (f *fakeAPI) client(mutate ...func(*battlenet.Config)) *battlenet.Client {
	cs := f.clients(mutate...)
	c, ok := cs.Get(cs.Credentials()[0].Name)
	require.True(f.t, ok)
	return c
}

var (
	seasonPath = regexp.MustCompile(`/pvp-season/\d+$`)
	fixtureMu  sync.Mutex
	fixtures   = map[string][]byte{}
)

func cachedFixture(name string) []byte {
	fixtureMu.Lock()
	defer fixtureMu.Unlock()
	if b, ok := fixtures[name]; ok {
		return b
	}
	b, err := os.ReadFile(filepath.Join(fixtureDir, name))
	if err != nil {
		panic(err)
	}
	fixtures[name] = b
	return b
}

// fixtureFor picks the captured response that matches an API path.
func fixtureFor(path string) string {
	switch {
	case strings.HasSuffix(path, "/pvp-season/index"):
		return "pvp-season-index.json"
	case seasonPath.MatchString(path):
		return "pvp-season.json"
	case strings.HasSuffix(path, "/pvp-leaderboard/index"):
		return "pvp-leaderboard-index.json"
	case strings.Contains(path, "/pvp-leaderboard/"):
		return "pvp-leaderboard-3v3.json"
	case strings.HasSuffix(path, "/equipment"):
		return "equipment/egirlbooster.json"
	case strings.HasSuffix(path, "/specializations"):
		return "specializations/egirlbooster.json"
	case strings.Contains(path, "/profile/wow/character/"):
		return "profile/egirlbooster.json"
	}
	return ""
}

func serveFixture(w http.ResponseWriter, r *http.Request) {
	name := fixtureFor(r.URL.Path)
	if name == "" {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write(cachedFixture("error-404.json"))
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	_, _ = w.Write(cachedFixture(name))
}

func kindOf(t *testing.T, err error) *battlenet.Error {
	t.Helper()
	require.Error(t, err)
	var e *battlenet.Error
	require.ErrorAs(t, err, &e)
	return e
}

// allEndpoints calls every endpoint once for region us.
func allEndpoints(ctx context.Context, c *battlenet.Client) error {
	if _, err := c.SeasonIndex(ctx, "us", ""); err != nil {
		return err
	}
	if _, err := c.Season(ctx, "us", "", 42); err != nil {
		return err
	}
	if _, err := c.LeaderboardIndex(ctx, "us", "", 42); err != nil {
		return err
	}
	if _, err := c.Leaderboard(ctx, "us", "", 42, "3v3"); err != nil {
		return err
	}
	if _, _, err := c.Profile(ctx, "us", "", "sargeras", "Egirlbooster", ""); err != nil {
		return err
	}
	if _, _, err := c.Equipment(ctx, "us", "", "sargeras", "Egirlbooster", ""); err != nil {
		return err
	}
	_, _, err := c.Specializations(ctx, "us", "", "sargeras", "Egirlbooster", "")
	return err
}

func TestTokenFetchedOnceAndReused(t *testing.T) {
	f := newFakeAPI(t)
	c := f.client()
	ctx := context.Background()

	// Concurrent first requests share one token fetch.
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			_, err := c.SeasonIndex(ctx, "us", "")
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.NoError(t, allEndpoints(ctx, c))

	assert.Equal(t, int32(1), f.tokenHits.Load(), "one token for all requests")
	assert.Equal(t, int32(16+7), f.apiHits.Load())
	for _, r := range f.seen() {
		assert.Equal(t, "Bearer tok-1", r.Header.Get("Authorization"), r.URL.Path)
		assert.NotContains(t, r.URL.RawQuery, "tok-", "token must not travel in the URL")
		assert.NotContains(t, r.URL.RawQuery, "access_token")
	}
}

func TestVerifyFetchesToken(t *testing.T) {
	f := newFakeAPI(t)
	c := f.client()
	require.NoError(t, c.Verify(context.Background()))
	assert.Equal(t, int32(1), f.tokenHits.Load())
	assert.Equal(t, int32(0), f.apiHits.Load())
	_, err := c.SeasonIndex(context.Background(), "us", "")
	require.NoError(t, err)
	assert.Equal(t, int32(1), f.tokenHits.Load(), "the verified token is reused")
}

func TestTokenRefreshedBeforeExpiry(t *testing.T) {
	f := newFakeAPI(t)
	f.expiresIn = 1
	c := f.client()
	ctx := context.Background()
	_, err := c.SeasonIndex(ctx, "us", "")
	require.NoError(t, err)
	_, err = c.SeasonIndex(ctx, "us", "")
	require.NoError(t, err)
	assert.Equal(t, int32(1), f.tokenHits.Load(), "still fresh")

	time.Sleep(950 * time.Millisecond) // inside the last tenth of a 1 s lifetime
	_, err = c.SeasonIndex(ctx, "us", "")
	require.NoError(t, err)
	assert.Equal(t, int32(2), f.tokenHits.Load(), "replaced before it expired")
	seen := f.seen()
	assert.Equal(t, "Bearer tok-2", seen[len(seen)-1].Header.Get("Authorization"))
}

func TestUnauthorizedRefreshesTokenOnce(t *testing.T) {
	f := newFakeAPI(t)
	f.api = func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "Bearer tok-1" { // revoked mid-run
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		serveFixture(w, r)
	}
	c := f.client()
	ctx := context.Background()
	eq, _, err := c.Equipment(ctx, "us", "", "sargeras", "Egirlbooster", "")
	require.NoError(t, err)
	assert.Len(t, eq.EquippedItems, 18)
	assert.Equal(t, int32(2), f.tokenHits.Load())
	assert.Equal(t, int32(2), f.apiHits.Load())

	_, err = c.SeasonIndex(ctx, "us", "")
	require.NoError(t, err)
	assert.Equal(t, int32(2), f.tokenHits.Load(), "the new token is kept")
}

func TestUnauthorizedTwiceGivesUp(t *testing.T) {
	f := newFakeAPI(t)
	f.api = func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusUnauthorized) }
	c := f.client()
	_, _, err := c.Profile(context.Background(), "us", "", "sargeras", "jw", "")
	e := kindOf(t, err)
	assert.ErrorIs(t, err, battlenet.ErrUnauthorized)
	assert.Equal(t, http.StatusUnauthorized, e.Status)
	assert.Equal(t, "/profile/wow/character/sargeras/jw", e.Endpoint)
	assert.True(t, battlenet.Retryable(err))
	assert.Equal(t, int32(2), f.tokenHits.Load())
	assert.Equal(t, int32(2), f.apiHits.Load(), "exactly one retry")
	assert.NotContains(t, err.Error(), "tok-")
}

func TestBadCredentials(t *testing.T) {
	t.Run("wrong secret", func(t *testing.T) {
		f := newFakeAPI(t)
		c := f.client(func(c *battlenet.Config) { c.Credentials[0].ClientSecret = "not-the-secret" })
		err := c.Verify(context.Background())
		e := kindOf(t, err)
		assert.ErrorIs(t, err, battlenet.ErrBadCredentials)
		assert.Equal(t, http.StatusUnauthorized, e.Status)
		assert.False(t, battlenet.Retryable(err))
		assert.Contains(t, err.Error(), `credential "default"`)
		assert.Contains(t, err.Error(), "invalid_client")
		assert.NotContains(t, err.Error(), "not-the-secret")

		_, _, err = c.Equipment(context.Background(), "us", "", "sargeras", "jw", "")
		assert.ErrorIs(t, err, battlenet.ErrBadCredentials)
		assert.Equal(t, int32(0), f.apiHits.Load(), "no API request without a token")
	})
	t.Run("concurrent callers share one refusal", func(t *testing.T) {
		f := newFakeAPI(t)
		f.tokenDelay = 200 * time.Millisecond // every caller queues behind the first fetch
		c := f.client(func(c *battlenet.Config) { c.Credentials[0].ClientSecret = "not-the-secret" })
		var wg sync.WaitGroup
		errs := make(chan error, 10)
		for range 10 {
			wg.Go(func() {
				_, err := c.SeasonIndex(context.Background(), "us", "")
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			assert.ErrorIs(t, err, battlenet.ErrBadCredentials)
		}
		assert.Equal(t, int32(1), f.tokenHits.Load(), "waiters share the failed fetch")
		assert.Equal(t, int32(0), f.apiHits.Load())

		// A later call asks again: the credentials may have been fixed at the endpoint.
		before := f.tokenHits.Load()
		_, err := c.SeasonIndex(context.Background(), "us", "")
		assert.ErrorIs(t, err, battlenet.ErrBadCredentials)
		assert.Equal(t, before+1, f.tokenHits.Load())
	})
	t.Run("400 invalid_client", func(t *testing.T) {
		f := newFakeAPI(t)
		f.tokenStatus, f.tokenBody = http.StatusBadRequest, `{"error":"invalid_client"}`
		err := f.client().Verify(context.Background())
		assert.ErrorIs(t, err, battlenet.ErrBadCredentials)
	})
}

func TestTokenEndpointFailures(t *testing.T) {
	cases := []struct {
		status int
		body   string
		kind   error
	}{
		{http.StatusInternalServerError, `oops`, battlenet.ErrServer},
		{http.StatusServiceUnavailable, ``, battlenet.ErrServer},
		{http.StatusTooManyRequests, `{}`, battlenet.ErrRateLimited},
		{http.StatusBadRequest, `{"error":"unsupported_grant_type"}`, battlenet.ErrBadRequest},
		{http.StatusOK, `{"token_type":"bearer"}`, battlenet.ErrDecode}, // no access_token
		{http.StatusOK, `<html>`, battlenet.ErrDecode},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%d %s", tc.status, tc.body), func(t *testing.T) {
			f := newFakeAPI(t)
			f.tokenStatus, f.tokenBody = tc.status, tc.body
			err := f.client().Verify(context.Background())
			e := kindOf(t, err)
			assert.ErrorIs(t, err, tc.kind)
			assert.Equal(t, "/token", e.Endpoint)
		})
	}
}

func TestNotFoundIsNotRetried(t *testing.T) {
	f := newFakeAPI(t)
	f.api = func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write(cachedFixture("error-404.json"))
	}
	c := f.client()
	eq, resp, err := c.Equipment(context.Background(), "us", "", "sargeras", "Nobody", "")
	assert.Nil(t, eq)
	e := kindOf(t, err)
	assert.ErrorIs(t, err, battlenet.ErrNotFound)
	assert.Equal(t, http.StatusNotFound, e.Status)
	assert.Equal(t, http.StatusNotFound, resp.Status)
	assert.Equal(t, "/profile/wow/character/sargeras/nobody/equipment", e.Endpoint)
	assert.False(t, battlenet.Retryable(err))
	assert.Equal(t, int32(1), f.apiHits.Load(), "a 404 is an answer, not retried")
}

func TestRateLimited(t *testing.T) {
	future := time.Now().Add(30 * time.Second).UTC().Format(http.TimeFormat)
	cases := []struct {
		name, header string
		min, max     time.Duration
	}{
		{"seconds", "2", 2 * time.Second, 2 * time.Second},
		{"absent", "", 0, 0},
		{"http date", future, 25 * time.Second, 31 * time.Second},
		{"garbage", "soon", 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.api = func(w http.ResponseWriter, _ *http.Request) {
				if tc.header != "" {
					w.Header().Set("Retry-After", tc.header)
				}
				w.WriteHeader(http.StatusTooManyRequests)
			}
			_, err := f.client().Leaderboard(context.Background(), "us", "", 42, "3v3")
			e := kindOf(t, err)
			assert.ErrorIs(t, err, battlenet.ErrRateLimited)
			assert.True(t, battlenet.Retryable(err))
			assert.GreaterOrEqual(t, e.RetryAfter, tc.min)
			assert.LessOrEqual(t, e.RetryAfter, tc.max)
			d, ok := battlenet.RetryAfter(err)
			assert.Equal(t, tc.max > 0, ok)
			assert.Equal(t, e.RetryAfter, d)
			assert.Equal(t, int32(1), f.apiHits.Load(), "the client does not retry a 429 itself")
		})
	}
}

func TestServerErrors(t *testing.T) {
	for _, status := range []int{500, 502, 503, 504} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			f := newFakeAPI(t)
			f.api = func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(status) }
			_, err := f.client().Season(context.Background(), "us", "", 42)
			e := kindOf(t, err)
			assert.ErrorIs(t, err, battlenet.ErrServer)
			assert.Equal(t, status, e.Status)
			assert.Equal(t, "/data/wow/pvp-season/42", e.Endpoint)
			assert.True(t, battlenet.Retryable(err))
		})
	}
}

func TestOtherClientErrors(t *testing.T) {
	for _, status := range []int{400, 403, 410} {
		f := newFakeAPI(t)
		f.api = func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(status) }
		_, err := f.client().SeasonIndex(context.Background(), "us", "")
		assert.ErrorIs(t, err, battlenet.ErrBadRequest, status)
		assert.False(t, battlenet.Retryable(err))
	}
}

func TestConditionalGet(t *testing.T) {
	const lastModified = "Tue, 17 Jun 2025 10:00:00 GMT"
	f := newFakeAPI(t)
	var sentIMS []string
	var imsMu sync.Mutex
	f.api = func(w http.ResponseWriter, r *http.Request) {
		imsMu.Lock()
		sentIMS = append(sentIMS, r.Header.Get("If-Modified-Since"))
		imsMu.Unlock()
		if r.Header.Get("If-Modified-Since") == lastModified {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Last-Modified", lastModified)
		serveFixture(w, r)
	}
	c := f.client()
	ctx := context.Background()

	type call func(ims string) (any, battlenet.Response, error)
	calls := map[string]call{
		"profile": func(ims string) (any, battlenet.Response, error) {
			return c.Profile(ctx, "us", "", "sargeras", "Egirlbooster", ims)
		},
		"equipment": func(ims string) (any, battlenet.Response, error) {
			return c.Equipment(ctx, "us", "", "sargeras", "Egirlbooster", ims)
		},
		"specializations": func(ims string) (any, battlenet.Response, error) {
			return c.Specializations(ctx, "us", "", "sargeras", "Egirlbooster", ims)
		},
	}
	for name, do := range calls {
		sentIMS = nil
		v, resp, err := do("")
		require.NoError(t, err, name)
		require.NotNil(t, v, name)
		assert.Equal(t, http.StatusOK, resp.Status, name)
		assert.Equal(t, lastModified, resp.LastModified, name)
		assert.Equal(t, cachedFixture(fixtureFor("/profile/wow/character/sargeras/egirlbooster/"+name)), resp.Body,
			"%s: raw body kept for storage", name)

		v, resp, err = do(resp.LastModified)
		e := kindOf(t, err)
		assert.ErrorIs(t, err, battlenet.ErrNotModified, name)
		assert.Equal(t, lastModified, e.LastModified, name)
		assert.Equal(t, http.StatusNotModified, e.Status, name)
		assert.Equal(t, http.StatusNotModified, resp.Status, name)
		assert.Equal(t, lastModified, resp.LastModified, name)
		assert.Nil(t, resp.Body, name)
		assert.Nil(t, v, name)
		assert.Equal(t, []string{"", lastModified}, sentIMS, "%s: If-Modified-Since only when asked", name)
		assert.False(t, battlenet.Retryable(err))
	}
}

func TestDecodeErrorsNameTheEndpoint(t *testing.T) {
	bodies := map[string]string{
		"/equipment":       `{"equipped_items": [`,
		"/specializations": `{"character":{"id":1}}`,
		"":                 `{"id":0}`,
	}
	f := newFakeAPI(t)
	f.api = func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.Contains(r.URL.Path, "/pvp-leaderboard/"):
			_, _ = w.Write([]byte(`{"name":"3v3"}`))
		case strings.HasSuffix(r.URL.Path, "/index"):
			_, _ = w.Write([]byte(`<html>maintenance</html>`))
		case strings.HasSuffix(r.URL.Path, "/equipment"):
			_, _ = w.Write([]byte(bodies["/equipment"]))
		case strings.HasSuffix(r.URL.Path, "/specializations"):
			_, _ = w.Write([]byte(bodies["/specializations"]))
		default:
			_, _ = w.Write([]byte(bodies[""]))
		}
	}
	c := f.client()
	ctx := context.Background()
	check := func(err error, endpoint string) {
		t.Helper()
		e := kindOf(t, err)
		assert.ErrorIs(t, err, battlenet.ErrDecode)
		assert.Equal(t, endpoint, e.Endpoint)
		assert.Equal(t, http.StatusOK, e.Status)
		assert.Contains(t, err.Error(), endpoint)
		assert.False(t, battlenet.Retryable(err))
	}
	_, err := c.SeasonIndex(ctx, "us", "")
	check(err, "/data/wow/pvp-season/index")
	_, err = c.Leaderboard(ctx, "us", "", 42, "3v3")
	check(err, "/data/wow/pvp-season/42/pvp-leaderboard/3v3")
	_, resp, err := c.Equipment(ctx, "us", "", "sargeras", "Jw", "")
	check(err, "/profile/wow/character/sargeras/jw/equipment")
	assert.Equal(t, bodies["/equipment"], string(resp.Body), "the offending body is handed back")
	_, _, err = c.Specializations(ctx, "us", "", "sargeras", "Jw", "")
	check(err, "/profile/wow/character/sargeras/jw/specializations")
	_, _, err = c.Profile(ctx, "us", "", "sargeras", "Jw", "")
	check(err, "/profile/wow/character/sargeras/jw")
}

// hijack answers with raw bytes and then drops the connection.
func hijack(t *testing.T, raw string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if !assert.NoError(t, err) {
			return
		}
		_, _ = buf.WriteString(raw)
		_ = buf.Flush()
		_ = conn.Close()
	}
}

func TestTransportFailures(t *testing.T) {
	cases := []struct {
		name    string
		handler func(t *testing.T) http.HandlerFunc
	}{
		{"dropped connection", func(t *testing.T) http.HandlerFunc { return hijack(t, "") }},
		{"truncated body", func(t *testing.T) http.HandlerFunc {
			return hijack(t, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{\"equipped_items\":[")
		}},
		{"short content-length", func(*testing.T) http.HandlerFunc {
			return func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Length", "5000")
				_, _ = w.Write([]byte(`{"_links":{}`))
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.api = tc.handler(t)
			_, _, err := f.client().Equipment(context.Background(), "us", "", "sargeras", "jw", "")
			e := kindOf(t, err)
			assert.ErrorIs(t, err, battlenet.ErrTransport)
			assert.Equal(t, "/profile/wow/character/sargeras/jw/equipment", e.Endpoint)
			assert.True(t, battlenet.Retryable(err))
			assert.NotContains(t, err.Error(), "namespace=", "no query in errors")
		})
	}
}

func TestTimeoutAndCancel(t *testing.T) {
	f := newFakeAPI(t)
	f.api = func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(3 * time.Second):
		}
	}
	c := f.client(func(c *battlenet.Config) { c.Timeout = 150 * time.Millisecond })
	require.NoError(t, c.Verify(context.Background()))

	start := time.Now()
	_, err := c.SeasonIndex(context.Background(), "us", "")
	assert.Less(t, time.Since(start), 2*time.Second)
	assert.ErrorIs(t, err, battlenet.ErrTransport)
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	assert.True(t, ne.Timeout())

	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	_, err = f.client().SeasonIndex(ctx, "us", "")
	assert.ErrorIs(t, err, battlenet.ErrTransport)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestBodySizeLimit(t *testing.T) {
	const limit = 1024
	body := func(n int) []byte { // valid JSON of exactly n bytes
		b := []byte(`{"current_season":{"id":42}}`)
		return append(b, bytes.Repeat([]byte(" "), n-len(b))...)
	}
	var payload []byte
	gz := false
	f := newFakeAPI(t)
	f.api = func(w http.ResponseWriter, r *http.Request) {
		if gz {
			require.Contains(t, r.Header.Get("Accept-Encoding"), "gzip")
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			_, _ = zw.Write(payload)
			_ = zw.Close()
			return
		}
		_, _ = w.Write(payload)
	}
	c := f.client(func(c *battlenet.Config) { c.MaxBodyBytes = limit })
	ctx := context.Background()

	payload = body(limit)
	idx, err := c.SeasonIndex(ctx, "us", "")
	require.NoError(t, err, "exactly the limit is fine")
	assert.Equal(t, int64(42), idx.CurrentSeason.ID)

	payload = body(limit + 1)
	_, err = c.SeasonIndex(ctx, "us", "")
	e := kindOf(t, err)
	assert.ErrorIs(t, err, battlenet.ErrTooLarge)
	assert.False(t, battlenet.Retryable(err))
	assert.Equal(t, "/data/wow/pvp-season/index", e.Endpoint)

	// The cap applies to the decompressed size: a small gzip stream that inflates past it is refused.
	gz = true
	payload = body(64 * limit)
	_, err = c.SeasonIndex(ctx, "us", "")
	assert.ErrorIs(t, err, battlenet.ErrTooLarge)

	payload = cachedFixture("pvp-season-index.json")
	idx, err = c.SeasonIndex(ctx, "us", "")
	require.NoError(t, err, "gzip is decoded transparently")
	assert.Len(t, idx.Seasons, 3)
}

func TestCharacterPathEscaping(t *testing.T) {
	assert.Equal(t, "/profile/wow/character/sargeras/mot%C3%ADvate", battlenet.CharacterPath("sargeras", "Motívate"))

	f := newFakeAPI(t)
	c := f.client()
	ctx := context.Background()
	_, _, err := c.Equipment(ctx, "us", "", "sargeras", "Motívate", "")
	require.NoError(t, err)
	_, _, err = c.Specializations(ctx, "us", "", "area-52", "O'Neil", "")
	require.NoError(t, err)
	_, _, err = c.Profile(ctx, "us", "", "Area-52", "ÆTHELWÜLF", "")
	require.NoError(t, err)

	var got []string
	for _, r := range f.seen() {
		p, _, _ := strings.Cut(r.RequestURI, "?")
		got = append(got, p)
	}
	assert.Equal(t, []string{
		"/profile/wow/character/sargeras/mot%C3%ADvate/equipment",
		"/profile/wow/character/area-52/o%27neil/specializations",
		"/profile/wow/character/area-52/%C3%A6thelw%C3%BClf",
	}, got)
}

func TestNamespaceAndLocale(t *testing.T) {
	f := newFakeAPI(t)
	f.api = func(w http.ResponseWriter, r *http.Request) {
		r2 := r.Clone(r.Context())
		r2.URL.Path = strings.TrimPrefix(r.URL.Path, "/"+strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 2)[0])
		serveFixture(w, r2)
	}
	// "{region}" in the path of the override proves the substitution without DNS.
	c := f.client(func(c *battlenet.Config) { c.APIURL = f.srv.URL + "/{region}" })
	ctx := context.Background()

	type want struct{ path, namespace, locale string }
	cases := []struct {
		call func() error
		want want
	}{
		{func() error { _, err := c.SeasonIndex(ctx, "us", ""); return err },
			want{"/us/data/wow/pvp-season/index", "dynamic-us", "en_US"}},
		{func() error { _, err := c.Season(ctx, "eu", "", 42); return err },
			want{"/eu/data/wow/pvp-season/42", "dynamic-eu", "en_GB"}},
		{func() error { _, err := c.LeaderboardIndex(ctx, "kr", "", 41); return err },
			want{"/kr/data/wow/pvp-season/41/pvp-leaderboard/index", "dynamic-kr", "ko_KR"}},
		{func() error { _, err := c.Leaderboard(ctx, "us", "es_MX", 42, "shuffle-deathknight-frost"); return err },
			want{"/us/data/wow/pvp-season/42/pvp-leaderboard/shuffle-deathknight-frost", "dynamic-us", "es_MX"}},
		{func() error { _, _, err := c.Profile(ctx, "tw", "", "sargeras", "jw", ""); return err },
			want{"/tw/profile/wow/character/sargeras/jw", "profile-tw", "zh_TW"}},
		{func() error { _, _, err := c.Equipment(ctx, "eu", "de_DE", "sargeras", "jw", ""); return err },
			want{"/eu/profile/wow/character/sargeras/jw/equipment", "profile-eu", "de_DE"}},
		{func() error { _, _, err := c.Specializations(ctx, "us", "pt_BR", "sargeras", "jw", ""); return err },
			want{"/us/profile/wow/character/sargeras/jw/specializations", "profile-us", "pt_BR"}},
	}
	for i, tc := range cases {
		require.NoError(t, tc.call(), tc.want.path)
		seen := f.seen()
		require.Len(t, seen, i+1)
		r := seen[i]
		assert.Equal(t, tc.want.path, r.URL.Path)
		assert.Equal(t, tc.want.namespace, r.URL.Query().Get("namespace"), tc.want.path)
		assert.Equal(t, tc.want.locale, r.URL.Query().Get("locale"), tc.want.path)
		assert.Len(t, r.URL.Query(), 2, "only namespace and locale: %s", r.URL.RawQuery)
	}

	// Bad region or locale never reaches the network.
	before := f.apiHits.Load()
	_, err := c.SeasonIndex(ctx, "xx", "")
	assert.ErrorIs(t, err, battlenet.ErrBadRequest)
	_, _, err = c.Equipment(ctx, "eu", "en_US", "sargeras", "jw", "")
	assert.ErrorIs(t, err, battlenet.ErrBadRequest)
	_, _, err = c.Equipment(ctx, "eu", "", "", "jw", "")
	assert.ErrorIs(t, err, battlenet.ErrBadRequest)
	_, err = c.Leaderboard(ctx, "eu", "", 42, "")
	assert.ErrorIs(t, err, battlenet.ErrBadRequest)
	assert.Equal(t, before, f.apiHits.Load())
}

func TestSecretNeverPrinted(t *testing.T) {
	cred := battlenet.Credential{Name: "main", ClientID: testClientID, ClientSecret: testSecret, Regions: []string{"us", "eu"}}
	cfg := battlenet.Config{Credentials: []battlenet.Credential{cred, {Name: "spare", ClientID: "other-id", ClientSecret: "other-secret"}}}
	assert.Equal(t, "credentials=[main(regions=us,eu client_id=*** secret=***) spare(regions=all client_id=*** secret=***)] "+
		"api=https://{region}.api.blizzard.com oauth=https://oauth.battle.net/token rps=95 rph=36000 quota_scope=credential", cfg.String())

	cs, err := battlenet.New(cfg)
	require.NoError(t, err)
	c, ok := cs.Get("main")
	require.True(t, ok)
	for _, out := range []string{
		fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprintf("%v", &cfg),
		fmt.Sprint(cred), fmt.Sprintf("%+v", cred), fmt.Sprintf("%#v", cred), fmt.Sprintf("%+v", cfg.Credentials),
		fmt.Sprintf("%#v", cfg.Credentials), fmt.Sprintf("%+v", struct{ C battlenet.Credential }{cred}),
		fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%+v", c.Credential()),
		fmt.Sprint(cs), fmt.Sprintf("%+v", cs), fmt.Sprintf("%#v", cs), fmt.Sprintf("%+v", cs.Credentials()),
	} {
		assert.NotContains(t, out, testSecret)
		assert.NotContains(t, out, "other-secret")
		assert.NotContains(t, out, testClientID[:4], "no part of the client id: a misplaced column makes it the secret")
	}

	// A token endpoint that echoes the secret back still does not get it into our error.
	f := newFakeAPI(t)
	f.tokenStatus = http.StatusUnauthorized
	f.tokenBody = `{"error":"invalid_client","error_description":"bad secret ` + testSecret + `"}`
	err = f.clients().Verify(context.Background())
	require.ErrorIs(t, err, battlenet.ErrBadCredentials)
	assert.NotContains(t, err.Error(), testSecret)
	assert.NotContains(t, err.Error(), testClientID[:4])

	// Nor does the token of a refused API call.
	g := newFakeAPI(t)
	g.api = func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusUnauthorized) }
	_, err = g.client().SeasonIndex(context.Background(), "us", "")
	require.ErrorIs(t, err, battlenet.ErrUnauthorized)
	assert.NotContains(t, err.Error(), "tok-")
	assert.NotContains(t, err.Error(), testSecret)
}

func TestNewValidatesConfig(t *testing.T) {
	one := func(c battlenet.Credential) []battlenet.Credential { return []battlenet.Credential{c} }
	good := battlenet.Credential{Name: "c1", ClientID: "id-1", ClientSecret: "secret-1"}
	cases := []struct {
		name string
		cfg  battlenet.Config
		want string
	}{
		{"no credentials", battlenet.Config{}, "BLIZZARD_CREDENTIALS"},
		{"empty id", battlenet.Config{Credentials: one(battlenet.Credential{Name: "c1", ClientSecret: "secret-1"})}, `credential "c1": client id is empty`},
		{"empty secret", battlenet.Config{Credentials: one(battlenet.Credential{Name: "c1", ClientID: "id-1", Source: "f:3"})}, `credential "c1" (f:3): client secret is empty`},
		{"bad name", battlenet.Config{Credentials: one(battlenet.Credential{Name: "C_1", ClientID: "x", ClientSecret: "secret-1"})}, "credential name"},
		{"bad region", battlenet.Config{Credentials: one(battlenet.Credential{Name: "c1", ClientID: "x", ClientSecret: "secret-1", Regions: []string{"cn"}})}, `unknown region "cn"`},
		{"duplicate name", battlenet.Config{Credentials: []battlenet.Credential{good, {Name: "c1", ClientID: "id-2", ClientSecret: "secret-2"}}}, "name already used"},
		{"same client twice", battlenet.Config{Credentials: []battlenet.Credential{good, {Name: "c2", ClientID: "id-1", ClientSecret: "secret-1"}}}, "same client id"},
		{"same client, overlapping regions", battlenet.Config{QuotaScope: "region", Credentials: []battlenet.Credential{
			{Name: "a", ClientID: "id-1", ClientSecret: "secret-1", Regions: []string{"us", "eu"}},
			{Name: "b", ClientID: "id-1", ClientSecret: "secret-1", Regions: []string{"eu"}}}}, "same client id"},
		{"bad scope", battlenet.Config{Credentials: one(good), QuotaScope: "global"}, "quota scope"},
		{"bad api url", battlenet.Config{Credentials: one(good), APIURL: "ftp://example.com"}, "api url"},
		{"bad oauth url", battlenet.Config{Credentials: one(good), OAuthURL: "/token"}, "oauth url"},
		{"negative rps", battlenet.Config{Credentials: one(good), RequestsPerSecond: -1}, "requests per second"},
		{"negative rph", battlenet.Config{Credentials: one(good), RequestsPerHour: -1}, "requests per hour"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := battlenet.New(tc.cfg)
			require.ErrorContains(t, err, tc.want)
			assert.NotContains(t, err.Error(), "secret-1")
			assert.NotContains(t, err.Error(), "\n")
			assert.ErrorContains(t, tc.cfg.Validate(), tc.want, "Validate runs the checks of New")
		})
	}
	for _, cfg := range []battlenet.Config{
		{Credentials: one(good), APIURL: "http://127.0.0.1:8089"},
		// One client split by region is two budgets only when budgets are per region.
		{QuotaScope: "region", Credentials: []battlenet.Credential{
			{Name: "a", ClientID: "id-1", ClientSecret: "secret-1", Regions: []string{"us"}},
			{Name: "b", ClientID: "id-1", ClientSecret: "secret-1", Regions: []string{"eu", "kr"}}}},
	} {
		_, err := battlenet.New(cfg)
		assert.NoError(t, err)
	}
}

func TestSustainedRate(t *testing.T) {
	assert.Equal(t, 10.0, battlenet.Config{}.SustainedRate(), "36,000/h binds under 95/s")
	assert.Equal(t, 2.0, battlenet.Config{RequestsPerSecond: 2}.SustainedRate(), "the per-second rate binds")
	assert.Equal(t, 0.5, battlenet.Config{RequestsPerSecond: 100, RequestsPerHour: 1800}.SustainedRate())
}

func TestOnRequestHook(t *testing.T) {
	type event struct {
		endpoint string
		status   int
	}
	var mu sync.Mutex
	var events []event
	f := newFakeAPI(t)
	f.api = func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/specializations"):
			hijack(t, "")(w, r)
		case strings.HasSuffix(r.URL.Path, "/nobody"):
			w.WriteHeader(http.StatusNotFound)
		default:
			serveFixture(w, r)
		}
	}
	c := f.client(func(c *battlenet.Config) {
		c.OnRequest = func(credential, endpoint string, status int, d time.Duration) {
			assert.Positive(t, d)
			assert.Equal(t, "default", credential)
			mu.Lock()
			events = append(events, event{endpoint, status})
			mu.Unlock()
		}
	})
	ctx := context.Background()
	_, _, err := c.Equipment(ctx, "us", "", "sargeras", "jw", "")
	require.NoError(t, err)
	_, _, err = c.Profile(ctx, "us", "", "sargeras", "nobody", "")
	require.ErrorIs(t, err, battlenet.ErrNotFound)
	_, _, err = c.Specializations(ctx, "us", "", "sargeras", "jw", "")
	require.ErrorIs(t, err, battlenet.ErrTransport)
	_, err = c.LeaderboardIndex(ctx, "us", "", 42)
	require.NoError(t, err)

	assert.Equal(t, []event{
		{"token", 200}, {"equipment", 200}, {"profile", 404}, {"specializations", 0}, {"leaderboard-index", 200},
	}, events)
}

// slidingWindow rejects a request when more than limit arrived in the last second, like Blizzard.
type slidingWindow struct {
	mu       sync.Mutex
	limit    int
	stamps   []time.Time
	rejected int
}

func (s *slidingWindow) handler(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	s.mu.Lock()
	s.stamps = append(s.stamps, now)
	n := 0
	for i := len(s.stamps) - 1; i >= 0 && now.Sub(s.stamps[i]) < time.Second; i-- {
		n++
	}
	over := s.limit > 0 && n > s.limit
	if over {
		s.rejected++
	}
	s.mu.Unlock()
	if over {
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	serveFixture(w, r)
}

// hammer calls SeasonIndex from several goroutines until the deadline.
func hammer(c *battlenet.Client, d time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for ctx.Err() == nil {
				_, _ = c.SeasonIndex(ctx, "us", "")
			}
		})
	}
	wg.Wait()
}

func TestPacingHoldsRequestsPerSecond(t *testing.T) {
	t.Parallel()
	f := newFakeAPI(t)
	win := &slidingWindow{limit: 55}
	f.api = win.handler
	c := f.client(func(c *battlenet.Config) { c.RequestsPerSecond = 50 })
	require.NoError(t, c.Verify(context.Background()))

	hammer(c, 3*time.Second)

	win.mu.Lock()
	defer win.mu.Unlock()
	n := len(win.stamps)
	require.Greater(t, n, 100)
	span := win.stamps[n-1].Sub(win.stamps[0]).Seconds()
	rate := float64(n-1) / span
	assert.InEpsilon(t, 50, rate, 0.05, "achieved %.1f req/s over %d requests", rate, n)
	assert.Zero(t, win.rejected, "a 55/s sliding window must never reject")
}

func TestErrorsUnwrapToKinds(t *testing.T) {
	// A caller wrapping our error keeps errors.Is and RetryAfter working.
	f := newFakeAPI(t)
	f.api = func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
	}
	_, err := f.client().SeasonIndex(context.Background(), "us", "")
	wrapped := fmt.Errorf("sync season index: %w", err)
	assert.True(t, errors.Is(wrapped, battlenet.ErrRateLimited))
	d, ok := battlenet.RetryAfter(wrapped)
	assert.True(t, ok)
	assert.Equal(t, 7*time.Second, d)
}
