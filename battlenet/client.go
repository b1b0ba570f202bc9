// Package battlenet talks to the Blizzard Battle.net API with one or more credentials: OAuth
// client-credentials tokens per credential, requests spaced within Blizzard's per-second limit and
// held back after a 429, conditional GETs on profile resources, and errors classified into kinds the
// activities map to retry behaviour. The hourly quota is held by each credential's Temporal task
// queue, or in process for requests marked WithProcessBudget.
package battlenet

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Client makes the requests of one credential. It is safe for concurrent use: all goroutines share
// its token, its pacing and its 429 pause.
type Client struct {
	cred   Credential
	cfg    Config
	http   *http.Client
	pacers map[string]*pacer // by region; the same one for every region under QuotaPerCredential
	tokens *tokens
}

// Response is the raw side of a profile-resource answer: the body as received (kept for storage),
// the Last-Modified to send next time, and the status.
type Response struct {
	Body         []byte
	LastModified string
	Status       int
}

// Name is the credential's name.
func (c *Client) Name() string { return c.cred.Name }

// Credential returns the credential this client uses.
func (c *Client) Credential() Credential { return c.cred }

// String describes the client without its secret.
func (c *Client) String() string {
	return fmt.Sprintf("battlenet.Client{%s api=%s}", c.cred, redactURL(c.cfg.APIURL))
}

// GoString keeps %#v from walking into the credential.
func (c *Client) GoString() string { return c.String() }

// Verify fetches a fresh token now (ErrBadCredentials if the OAuth endpoint refuses it).
func (c *Client) Verify(ctx context.Context) error {
	_, err := c.tokens.get(ctx, true)
	return err
}

// request describes one API call.
type request struct {
	region, locale  string
	namespace       string // "dynamic" or "profile"; the region is appended
	path            string // escaped path, e.g. /profile/wow/character/sargeras/mot%C3%ADvate
	label           string // metrics label
	ifModifiedSince string
}

// get performs the call: pacing, token, one retry with a fresh token after a 401, and the mapping of
// statuses to error kinds. On 200 the body goes through decode; anything else is an *Error.
func (c *Client) get(ctx context.Context, r request, decode func([]byte) error) (Response, error) {
	if err := ValidateLocale(r.region, r.locale); err != nil {
		return Response{}, &Error{Kind: ErrBadRequest, Endpoint: r.path, Err: err}
	}
	if !c.cred.Serves(r.region) {
		return Response{}, &Error{Kind: ErrBadRequest, Endpoint: r.path,
			Err: fmt.Errorf("credential %q does not serve region %s", c.cred.Name, r.region)}
	}
	if r.locale == "" {
		r.locale = DefaultLocale(r.region)
	}
	u, err := url.Parse(strings.ReplaceAll(c.cfg.APIURL, "{region}", r.region) + r.path)
	if err != nil {
		return Response{}, &Error{Kind: ErrBadRequest, Endpoint: r.path, Err: err}
	}
	u.RawQuery = url.Values{"namespace": {r.namespace + "-" + r.region}, "locale": {r.locale}}.Encode()
	endpoint := u.EscapedPath()
	p := c.pacers[r.region]

	for attempt := 1; ; attempt++ {
		tok, err := c.tokens.get(ctx, false)
		if err != nil {
			return Response{}, err
		}
		resp, err := c.once(ctx, p, u, endpoint, r, tok)
		if err != nil {
			return Response{}, err
		}
		if resp.StatusCode == http.StatusUnauthorized {
			if attempt == 1 {
				// Expired or revoked: drop it and try once more with a new one.
				c.tokens.invalidate(tok)
				continue
			}
			return Response{}, &Error{Kind: ErrUnauthorized, Endpoint: endpoint, Status: resp.StatusCode,
				Err: errors.New("API refused a freshly issued token")}
		}
		out, err := classify(resp, endpoint, r.ifModifiedSince)
		if resp.StatusCode == http.StatusTooManyRequests {
			// Blizzard is over its limit for this credential: every request of the budget waits, not
			// only this one's retry, or the other goroutines keep hitting the limit meanwhile.
			p.pause(cmp.Or(parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()), defaultPause))
		}
		if err != nil {
			return out, err
		}
		if err := decode(out.Body); err != nil {
			return out, withEndpoint(err, endpoint, out.Status)
		}
		return out, nil
	}
}

// once sends one paced request and reads its body. Only transport-level failures are errors here.
func (c *Client) once(ctx context.Context, p *pacer, u *url.URL, endpoint string, r request, tok *oauth2.Token) (*http.Response, error) {
	if err := p.wait(ctx); err != nil {
		if ctx.Err() != nil {
			return nil, &Error{Kind: ErrTransport, Endpoint: endpoint, Err: ctx.Err()}
		}
		// The budget will not allow a request before the context deadline.
		e := &Error{Kind: ErrRateLimited, Endpoint: endpoint, Err: err}
		var pe *pausedError
		if errors.As(err, &pe) {
			e.RetryAfter = pe.left
		}
		return nil, e
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, &Error{Kind: ErrBadRequest, Endpoint: endpoint, Err: err}
	}
	tok.SetAuthHeader(req)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "pvpsync")
	if r.ifModifiedSince != "" {
		req.Header.Set("If-Modified-Since", r.ifModifiedSince)
	}

	start := time.Now()
	status := 0
	defer func() {
		if c.cfg.OnRequest != nil {
			c.cfg.OnRequest(c.cred.Name, r.label, status, time.Since(start))
		}
	}()
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, &Error{Kind: ErrTransport, Endpoint: endpoint, Err: unwrapURLError(err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxBodyBytes+1))
	if err != nil {
		return nil, &Error{Kind: ErrTransport, Endpoint: endpoint, Status: resp.StatusCode,
			Err: fmt.Errorf("read body: %w", unwrapURLError(err))}
	}
	status = resp.StatusCode
	if int64(len(body)) > c.cfg.MaxBodyBytes {
		return nil, &Error{Kind: ErrTooLarge, Endpoint: endpoint, Status: resp.StatusCode,
			Err: fmt.Errorf("body exceeds %d bytes", c.cfg.MaxBodyBytes)}
	}
	// Hand back a response whose body is already in memory so the connection can be reused.
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// classify turns a complete HTTP response into the body or an *Error.
func classify(resp *http.Response, endpoint, ifModifiedSince string) (Response, error) {
	body, _ := io.ReadAll(resp.Body) // in memory already
	out := Response{Body: body, LastModified: resp.Header.Get("Last-Modified"), Status: resp.StatusCode}
	e := &Error{Endpoint: endpoint, Status: resp.StatusCode}
	switch s := resp.StatusCode; {
	case s == http.StatusOK:
		return out, nil
	case s == http.StatusNotModified:
		out.Body, out.LastModified = nil, ifModifiedSince
		e.Kind, e.LastModified = ErrNotModified, ifModifiedSince
	case s == http.StatusNotFound:
		e.Kind = ErrNotFound
	case s == http.StatusTooManyRequests:
		e.Kind = ErrRateLimited
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	case s >= 500:
		e.Kind = ErrServer
	case s >= 400:
		e.Kind = ErrBadRequest
	default:
		// 1xx/2xx other than 200 and 3xx other than 304: nothing we asked for.
		e.Kind = ErrServer
		e.Err = fmt.Errorf("unexpected status %s", resp.Status)
	}
	return out, e
}

// parseRetryAfter reads Retry-After as delay-seconds or an HTTP date; absent or unreadable is 0.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, int64(24*time.Hour/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// unwrapURLError drops the *url.Error layer: its message repeats the full URL with the query, and
// the endpoint is already on the *Error. The cause (timeout, reset, context) stays inspectable.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}

// withEndpoint attaches the endpoint and status to a decoder's error.
func withEndpoint(err error, endpoint string, status int) error {
	var e *Error
	if errors.As(err, &e) {
		e.Endpoint, e.Status = endpoint, status
		return e
	}
	return &Error{Kind: ErrDecode, Endpoint: endpoint, Status: status, Err: err}
}
