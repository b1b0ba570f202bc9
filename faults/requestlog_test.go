package faults

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/fakeblizzard"
)

// requestLog times every request the in-process fake answers and attributes it to the OAuth client
// whose token it carried, so a test can measure each credential's rate over any span (the fake's
// PeakWindow gives the worst window only). Tokens are attributed from the token endpoint's answers
// ("sub" is the client id), so the log must be installed before the workers fetch their tokens.
type requestLog struct {
	start time.Time

	mu    sync.Mutex
	owner map[string]string // access token → client id
	reqs  []loggedRequest
}

// loggedRequest is one API request: when it arrived (since the log started), whose it was, what it
// asked and what it got.
type loggedRequest struct {
	at     time.Duration
	client string // "" when its token was not issued while the log ran
	kind   string // a fakeblizzard.Endpoint* kind of the character endpoints, else "other"
	status int
}

// logRequests starts timing the fake's requests.
func (f *fakeAPI) logRequests() *requestLog {
	l := &requestLog{start: time.Now(), owner: map[string]string{}}
	f.log.Store(l)
	return l
}

func (l *requestLog) serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	if p := r.URL.Path; p == "/token" || p == "/oauth/token" {
		cw := &captureWriter{ResponseWriter: w, keepBody: true}
		next.ServeHTTP(cw, r)
		var body struct {
			AccessToken string `json:"access_token"`
			Sub         string `json:"sub"`
		}
		if cw.status == http.StatusOK && json.Unmarshal(cw.body.Bytes(), &body) == nil && body.AccessToken != "" {
			l.mu.Lock()
			l.owner[body.AccessToken] = body.Sub
			l.mu.Unlock()
		}
		return
	}
	at := time.Since(l.start)
	_, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	cw := &captureWriter{ResponseWriter: w}
	next.ServeHTTP(cw, r)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reqs = append(l.reqs, loggedRequest{at: at, client: l.owner[tok], kind: requestKind(r.URL.Path), status: cw.status})
}

// now is the log's clock.
func (l *requestLog) now() time.Duration { return time.Since(l.start) }

// requestKind names the character endpoints the way the fake's statistics do.
func requestKind(path string) string {
	rest, ok := strings.CutPrefix(path, "/profile/wow/character/")
	if !ok {
		return "other"
	}
	switch segs := strings.Split(strings.Trim(rest, "/"), "/"); {
	case len(segs) == 2:
		return fakeblizzard.EndpointProfile
	case len(segs) == 3 && segs[2] == "equipment":
		return fakeblizzard.EndpointEquipment
	case len(segs) == 3 && segs[2] == "specializations":
		return fakeblizzard.EndpointSpecializations
	}
	return "other"
}

// characterRequests are the arrival times of one client's character requests (profile, equipment,
// specializations: the sync's work once its boards are stored), sorted.
func (l *requestLog) characterRequests(client string) []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []time.Duration
	for _, r := range l.reqs {
		if r.client == client && r.kind != "other" {
			out = append(out, r.at)
		}
	}
	slices.Sort(out)
	return out
}

// captureWriter notes the status (and, when asked, the body) of an answer on its way out.
type captureWriter struct {
	http.ResponseWriter
	keepBody bool
	status   int
	body     bytes.Buffer
}

func (c *captureWriter) WriteHeader(code int) {
	if c.status == 0 {
		c.status = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *captureWriter) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	if c.keepBody {
		c.body.Write(b)
	}
	return c.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (the fake's dropped-connection fault).
func (c *captureWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// usage is how much of a rate one client's character requests used over a span of whole seconds:
// the span starts at from and ends at to, less its final partial second.
type usage struct {
	client   string
	from     time.Duration
	seconds  int // whole seconds of the span
	requests int // character requests arriving within them
	lowest10 float64
}

// measureUsage counts a client's character requests in [from, from+whole seconds of to−from).
// Lowest10 is the lowest rate of any whole 10 s of the span (0 when the span is shorter).
func measureUsage(client string, times []time.Duration, from, to time.Duration) usage {
	u := usage{client: client, from: from, seconds: int((to - from) / time.Second), lowest10: math.NaN()}
	if u.seconds <= 0 {
		return u
	}
	end := from + time.Duration(u.seconds)*time.Second
	perSecond := make([]int, u.seconds)
	for _, at := range times {
		if at >= from && at < end {
			u.requests++
			perSecond[int((at-from)/time.Second)]++
		}
	}
	for i := 0; i+10 <= len(perSecond); i++ {
		n := 0
		for _, c := range perSecond[i : i+10] {
			n += c
		}
		if r := float64(n) / 10; math.IsNaN(u.lowest10) || r < u.lowest10 {
			u.lowest10 = r
		}
	}
	return u
}

func (u usage) rate() float64 {
	if u.seconds == 0 {
		return 0
	}
	return float64(u.requests) / float64(u.seconds)
}

// share is the part of rate (requests per second) the usages used together.
func share(rate float64, us ...usage) float64 {
	req, sec := 0, 0
	for _, u := range us {
		req += u.requests
		sec += u.seconds
	}
	if sec == 0 {
		return 0
	}
	return float64(req) / (rate * float64(sec))
}

func (u usage) String() string {
	return fmt.Sprintf("%s: %d requests in %d s from %.1fs (%.2f/s, lowest 10 s %.1f/s)",
		u.client, u.requests, u.seconds, u.from.Seconds(), u.rate(), u.lowest10)
}

// battlenetCredential is one line of a BLIZZARD_CREDENTIALS file.
type battlenetCredential struct {
	name, id, secret string
	regions          string // "" = every region
}

// writeCredentials writes a BLIZZARD_CREDENTIALS file (0600: it holds secrets) and returns its path.
func writeCredentials(t *testing.T, dir string, creds []battlenetCredential) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("# name client_id client_secret [regions]\n")
	for _, c := range creds {
		fmt.Fprintf(&b, "%s %s %s %s\n", c.name, c.id, c.secret, c.regions)
	}
	path := filepath.Join(dir, "credentials")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o600))
	return path
}

// credentialsFake is the in-process fake reached through a credentials file, as an operator with
// several Battle.net clients configures pvpsync: no BLIZZARD_CLIENT_ID/SECRET in the environment.
type credentialsFake struct {
	*fakeAPI
	file string
}

func (c credentialsFake) Env() []string {
	return []string{"BLIZZARD_API_URL=" + c.URL(), "BLIZZARD_OAUTH_URL=" + c.TokenURL(), "BLIZZARD_CREDENTIALS=" + c.file}
}

// newEnvCredentials is newEnv for several credentials: the fake accepts one OAuth client per
// credential (each with its own quota), the workers get them from a credentials file.
func newEnvCredentials(t *testing.T, opts fakeblizzard.Options, dsn string, creds []battlenetCredential) *env {
	t.Helper()
	opts.Clients = nil
	for _, c := range creds {
		opts.Clients = append(opts.Clients, fakeblizzard.Client{ID: c.id, Secret: c.secret})
	}
	f := startFake(t, opts)
	dir := t.TempDir()
	api := credentialsFake{fakeAPI: f, file: writeCredentials(t, dir, creds)}
	opts.ClientSecret = creds[0].secret
	e := connectEnv(t, opts, dsn, api, f.Server)
	e.fake = f
	return e
}

// credentials makes n credentials named c1, c2, ... with fresh secrets.
func credentials(n int) []battlenetCredential {
	out := make([]battlenetCredential, n)
	for i := range out {
		name := fmt.Sprintf("c%d", i+1)
		out[i] = battlenetCredential{name: name, id: "faults-" + name, secret: newSecret()}
	}
	return out
}

// metricsURL is where a started worker serves /metrics (PVP_METRICS_ADDR=127.0.0.1:0 picks a port; the
// start line says which).
func (p *workerProc) metricsURL(t *testing.T) string {
	t.Helper()
	f, err := os.Open(p.logPath)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var line struct {
			Msg     string `json:"msg"`
			Metrics string `json:"metrics"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "pvpsync worker started" && line.Metrics != "" {
			return line.Metrics
		}
	}
	t.Fatalf("worker %s logged no metrics address", p.name)
	return ""
}

// requestsBy is what a worker's /metrics counts of equipment requests (one per synced character), by
// credential.
func requestsBy(t *testing.T, url string, creds ...string) map[string]float64 {
	t.Helper()
	m, err := scrapeMetrics(url)
	require.NoError(t, err, "scrape %s", url)
	out := map[string]float64{}
	for _, c := range creds {
		out[c] = m.sum("pvpsync_battlenet_requests_total", map[string]string{"credential": c, "endpoint": fakeblizzard.EndpointEquipment})
	}
	return out
}
