package battlenet

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// tokens caches the client-credentials token. It behaves like oauth2.ReuseTokenSource (one fetch
// shared by all callers, refreshed ahead of expiry) but can also drop a token the API refused, which
// ReuseTokenSource cannot: a token revoked before its expiry would otherwise be reused until then.
type tokens struct {
	conf      *clientcredentials.Config
	transport http.RoundTripper
	timeout   time.Duration
	onRequest func(credential, endpoint string, status int, d time.Duration)
	cred      Credential
	endpoint  string // path of the OAuth URL, for errors

	fetching chan struct{} // one slot: one fetch at a time, while waiters still honour their context

	mu       sync.Mutex
	tok      *oauth2.Token
	issuedAt time.Time
	fetches  uint64 // completed fetches, to recognise one that finished while a caller queued
	lastErr  error  // outcome of the latest fetch if it failed
}

// refreshAhead bounds how long before expiry a token is replaced; short-lived tokens are replaced
// after 90% of their life instead.
const refreshAhead = 5 * time.Minute

func newTokens(cfg Config, cred Credential, transport http.RoundTripper) *tokens {
	endpoint := "/token"
	if u, err := url.Parse(cfg.OAuthURL); err == nil && u.Path != "" {
		endpoint = u.Path
	}
	return &tokens{
		conf: &clientcredentials.Config{
			ClientID:     cred.ClientID,
			ClientSecret: cred.ClientSecret,
			TokenURL:     cfg.OAuthURL,
			AuthStyle:    oauth2.AuthStyleInHeader,
		},
		transport: transport,
		timeout:   cfg.Timeout,
		onRequest: cfg.OnRequest,
		cred:      cred,
		endpoint:  endpoint,
		fetching:  make(chan struct{}, 1),
	}
}

// get returns a usable token, fetching one if none is cached, the cached one is close to expiry, or
// force is set.
func (t *tokens) get(ctx context.Context, force bool) (*oauth2.Token, error) {
	if !force {
		if tok := t.cached(); tok != nil {
			return tok, nil
		}
	}
	t.mu.Lock()
	seen := t.fetches
	t.mu.Unlock()
	select {
	case t.fetching <- struct{}{}:
	case <-ctx.Done():
		return nil, &Error{Kind: ErrTransport, Endpoint: t.endpoint, Err: ctx.Err()}
	}
	defer func() { <-t.fetching }()
	if !force {
		// A fetch finished while this caller queued: share its token, or its failure, so a refused
		// credential costs one token request rather than one per waiting caller.
		if tok := t.cached(); tok != nil {
			return tok, nil
		}
		t.mu.Lock()
		if t.fetches != seen && t.lastErr != nil {
			err := t.lastErr
			t.mu.Unlock()
			return nil, err
		}
		t.mu.Unlock()
	}
	issued := time.Now()
	tok, err := t.fetch(ctx)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.fetches++
	t.lastErr = err
	if ctx.Err() != nil {
		// This caller gave up; that says nothing about the credentials, so waiters try themselves.
		t.lastErr = nil
	}
	if err != nil {
		return nil, err
	}
	t.tok, t.issuedAt = tok, issued
	return tok, nil
}

func (t *tokens) cached() *oauth2.Token {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok == nil {
		return nil
	}
	if t.tok.Expiry.IsZero() {
		return t.tok
	}
	ahead := min(refreshAhead, t.tok.Expiry.Sub(t.issuedAt)/10)
	if time.Until(t.tok.Expiry) <= ahead {
		return nil
	}
	return t.tok
}

// invalidate drops the cached token if it is still the one the API refused, so concurrent 401s
// on the same token cause one refetch, not one each.
func (t *tokens) invalidate(bad *oauth2.Token) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok != nil && bad != nil && t.tok.AccessToken == bad.AccessToken {
		t.tok = nil
	}
}

// fetch asks the OAuth endpoint for a token and maps failures to error kinds.
func (t *tokens) fetch(ctx context.Context) (*oauth2.Token, error) {
	rec := &recordingTransport{base: t.transport, onRequest: t.onRequest, credential: t.cred.Name}
	hc := &http.Client{Transport: rec, Timeout: t.timeout}
	tok, err := t.conf.Token(context.WithValue(ctx, oauth2.HTTPClient, hc))
	if err == nil {
		return tok, nil
	}
	e := &Error{Endpoint: t.endpoint}
	var re *oauth2.RetrieveError
	switch {
	case errors.As(err, &re) && re.Response != nil:
		e.Status = re.Response.StatusCode
		e.Kind = tokenStatusKind(re.Response.StatusCode, re.ErrorCode)
		e.Err = t.describeRejection(re)
		if e.Kind == ErrRateLimited {
			e.RetryAfter = parseRetryAfter(re.Response.Header.Get("Retry-After"), time.Now())
		}
	case rec.err != nil:
		e.Kind, e.Err = ErrTransport, unwrapURLError(rec.err)
	case rec.status >= 200 && rec.status < 300 && !strings.Contains(err.Error(), "cannot fetch token"):
		// The endpoint answered 2xx with something that is not a token.
		e.Kind, e.Status, e.Err = ErrDecode, rec.status, t.scrub(err)
	default:
		// Body read failures and the like.
		e.Kind, e.Status, e.Err = ErrTransport, rec.status, t.scrub(err)
	}
	return nil, e
}

func tokenStatusKind(status int, code string) error {
	switch {
	case status == http.StatusUnauthorized, status == http.StatusForbidden,
		status == http.StatusBadRequest && (code == "invalid_client" || code == "unauthorized_client"):
		return ErrBadCredentials
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	case status >= 500:
		return ErrServer
	default:
		return ErrBadRequest
	}
}

// describeRejection builds the message from the status and OAuth error fields only; the raw
// RetrieveError text carries the whole response body.
func (t *tokens) describeRejection(re *oauth2.RetrieveError) error {
	msg := "token endpoint answered " + re.Response.Status
	if re.ErrorCode != "" {
		msg += ": " + re.ErrorCode
		if re.ErrorDescription != "" {
			msg += " (" + re.ErrorDescription + ")"
		}
	}
	if k := tokenStatusKind(re.Response.StatusCode, re.ErrorCode); k == ErrBadCredentials {
		// No client id here: in a credentials line with a missing field it would be the secret.
		msg += "; check the client id and secret of " + t.cred.label()
	}
	return t.scrub(errors.New(msg))
}

// scrub removes the secret from a message in case an endpoint echoed it back.
func (t *tokens) scrub(err error) error {
	secret := t.cred.ClientSecret
	if secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), secret, "***"))
}

// recordingTransport reports each token exchange to the metrics hook and remembers how it ended, so
// fetch can tell a transport failure from an answer oauth2 could not parse.
type recordingTransport struct {
	base       http.RoundTripper
	onRequest  func(credential, endpoint string, status int, d time.Duration)
	credential string
	status     int
	err        error
}

func (r *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := r.base.RoundTrip(req)
	r.err = err
	if resp != nil {
		r.status = resp.StatusCode
	}
	if r.onRequest != nil {
		r.onRequest(r.credential, "token", r.status, time.Since(start))
	}
	return resp, err
}
