package battlenet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Clients holds one Client per credential. They share the HTTP transport (same hosts, one connection
// pool) and nothing else: each credential has its own token, pacing and 429 pause.
type Clients struct {
	cfg    Config
	byName map[string]*Client
	creds  []Credential // sorted by name
}

// New builds a client per credential. It does not contact Battle.net; call Verify for that.
func New(cfg Config) (*Clients, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("battlenet config: %w", err)
	}
	transport := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   5 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          max(100, 2*cfg.MaxIdleConnsPerHost),
		MaxIdleConnsPerHost:   cfg.MaxIdleConnsPerHost,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ExpectContinueTimeout: time.Second,
		// Compression stays on: the transport asks for gzip and decompresses transparently, and the
		// body cap then applies to the decompressed size.
	}
	hc := &http.Client{Transport: transport, Timeout: cfg.Timeout}
	creds := slices.Clone(cfg.Credentials)
	slices.SortFunc(creds, func(a, b Credential) int { return strings.Compare(a.Name, b.Name) })
	cs := &Clients{cfg: cfg, byName: make(map[string]*Client, len(creds)), creds: creds}
	for _, cred := range creds {
		cs.byName[cred.Name] = &Client{cred: cred, cfg: cfg, http: hc, pacers: newPacers(cfg),
			tokens: newTokens(cfg, cred, transport)}
	}
	return cs, nil
}

// newPacers makes the budgets of one credential, by region: one shared by every region, or one per
// region under QuotaPerRegion.
func newPacers(cfg Config) map[string]*pacer {
	out := make(map[string]*pacer, len(Regions))
	shared := newPacer(cfg.RequestsPerSecond, cfg.SustainedRate())
	for _, r := range Regions {
		out[r] = shared
		if cfg.QuotaScope == QuotaPerRegion {
			out[r] = newPacer(cfg.RequestsPerSecond, cfg.SustainedRate())
		}
	}
	return out
}

// Verify fetches a fresh token for every credential now, so a worker with a wrong one fails at start
// instead of on its first activity. The error is one line naming each failing credential
// (`credential "c2" rejected: ...`); errors.Is still finds ErrBadCredentials and the other kinds.
func (c *Clients) Verify(ctx context.Context) error {
	errs := make([]error, len(c.creds))
	var wg sync.WaitGroup
	for i, cred := range c.creds {
		wg.Go(func() {
			if err := c.byName[cred.Name].Verify(ctx); err != nil {
				verb := ""
				if errors.Is(err, ErrBadCredentials) {
					verb = " rejected"
				}
				errs[i] = fmt.Errorf("credential %q%s: %w", cred.Name, verb, err)
			}
		})
	}
	wg.Wait()
	var failed oneLine
	for _, err := range errs {
		if err != nil {
			failed = append(failed, err)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	return failed
}

// oneLine joins errors with "; " (errors.Join would use newlines; operators grep one line).
type oneLine []error

func (e oneLine) Error() string {
	msgs := make([]string, len(e))
	for i, err := range e {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "; ")
}

func (e oneLine) Unwrap() []error { return e }

// Get returns the client of the named credential.
func (c *Clients) Get(name string) (*Client, bool) {
	cl, ok := c.byName[name]
	return cl, ok
}

// Credentials lists the credentials, sorted by name.
func (c *Clients) Credentials() []Credential { return slices.Clone(c.creds) }

// ForRegion names the credentials allowed to serve region, sorted.
func (c *Clients) ForRegion(region string) []string {
	var out []string
	for _, cred := range c.creds {
		if cred.Serves(region) {
			out = append(out, cred.Name)
		}
	}
	return out
}

// Config returns the effective configuration (defaults filled in).
func (c *Clients) Config() Config { return c.cfg }

// String describes the clients without their secrets.
func (c *Clients) String() string { return "battlenet.Clients{" + c.cfg.String() + "}" }

// GoString keeps %#v from walking into the credentials.
func (c *Clients) GoString() string { return c.String() }
