package battlenet

import (
	"errors"
	"fmt"
	"time"
)

// Error kinds. Callers test them with errors.Is; the activity boundary maps them to Temporal retry
// behaviour (see Retryable) in one place.
var (
	ErrNotFound       = errors.New("battlenet: not found")            // 404: private, renamed, deleted, <10, absent bracket
	ErrNotModified    = errors.New("battlenet: not modified")         // 304 answer to If-Modified-Since
	ErrRateLimited    = errors.New("battlenet: rate limited")         // 429
	ErrUnauthorized   = errors.New("battlenet: unauthorized")         // API 401 even after one token refresh (token revoked mid-run)
	ErrBadCredentials = errors.New("battlenet: credentials rejected") // the OAuth endpoint refused the client id/secret
	ErrServer         = errors.New("battlenet: server error")         // 5xx
	ErrTransport      = errors.New("battlenet: transport")            // connect/reset/timeout/truncated body
	ErrDecode         = errors.New("battlenet: malformed JSON")       // body is not the JSON we expect
	ErrTooLarge       = errors.New("battlenet: response too large")
	ErrBadRequest     = errors.New("battlenet: bad request") // other 4xx
)

// Error carries the kind plus what a caller needs to act: the endpoint (never the token), the HTTP
// status, the Retry-After delay of a 429, and the Last-Modified a 304 answered.
type Error struct {
	Kind         error
	Endpoint     string // path without query, e.g. /profile/wow/character/sargeras/egirlbooster/equipment
	Status       int
	RetryAfter   time.Duration // 429 only; 0 when the header was absent
	LastModified string        // 304 only: the value the request asked about
	Err          error         // underlying cause, if any
}

func (e *Error) Error() string {
	msg := e.Kind.Error()
	if e.Status != 0 {
		msg += fmt.Sprintf(" (HTTP %d)", e.Status)
	}
	if e.Endpoint != "" {
		msg += " on " + e.Endpoint
	}
	if e.RetryAfter > 0 {
		msg += fmt.Sprintf(", retry after %s", e.RetryAfter)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Is makes errors.Is(err, ErrNotFound) work on *Error.
func (e *Error) Is(target error) bool { return target == e.Kind }

// Unwrap exposes the cause.
func (e *Error) Unwrap() error { return e.Err }

// Retryable says whether trying the same request again can succeed: rate limits, 5xx, transport
// failures and an expired token are transient; not-found, not-modified, malformed JSON, oversized
// bodies and other 4xx are answers, not accidents.
func Retryable(err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, ErrRateLimited), errors.Is(err, ErrServer), errors.Is(err, ErrTransport),
		errors.Is(err, ErrUnauthorized):
		return true
	default:
		return false
	}
}

// RetryAfter returns the server-requested delay of a 429, if it gave one.
func RetryAfter(err error) (time.Duration, bool) {
	var e *Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		return e.RetryAfter, true
	}
	return 0, false
}
