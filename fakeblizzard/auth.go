package fakeblizzard

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Sub         string `json:"sub"`
}

type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// tokenInfo is an issued token: when it expires and which client it belongs to (its quota and stats).
type tokenInfo struct {
	exp    time.Time
	client string
}

// token is the client-credentials grant of oauth.battle.net: credentials in HTTP Basic (or, as
// golang.org/x/oauth2 falls back to, in the form), grant_type=client_credentials. Any configured
// client is accepted; the token remembers which.
func (s *Server) token(w *recorder, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeOAuthError(w, http.StatusMethodNotAllowed, "invalid_request", "Method not allowed")
		return
	}
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "Malformed request body")
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	client, ok := s.client(id, secret)
	if !ok {
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "Invalid client")
		return
	}
	w.client = client
	if gt := r.PostForm.Get("grant_type"); gt != "client_credentials" {
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant type: "+gt)
		return
	}
	tok := s.issue(client)
	// #nosec G117 -- returning access_token is the token endpoint's job (OAuth2 client-credentials response).
	b, _ := json.Marshal(tokenResponse{AccessToken: tok, TokenType: "bearer", ExpiresIn: expiresIn(s.opts.TokenTTL), Sub: client})
	w.Header().Set("Cache-Control", "no-store")
	writeBody(w, http.StatusOK, contentTypeJSON, b)
}

// expiresIn reports the TTL in whole seconds less one, as Battle.net answers 86399 for its 24 h tokens
// (the token really lives the full TTL); never below 1, which oauth2 would read as "no expiry".
func expiresIn(ttl time.Duration) int64 {
	return max(int64(ttl/time.Second)-1, 1)
}

func writeOAuthError(w http.ResponseWriter, status int, code, desc string) {
	b, _ := json.Marshal(oauthError{Error: code, Description: desc})
	writeBody(w, status, contentTypeJSON, b)
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// client finds the configured client with these credentials; every client is compared, so the time
// taken does not tell which id exists.
func (s *Server) client(id, secret string) (string, bool) {
	found := ""
	for _, c := range s.opts.Clients {
		if equal(id, c.ID) && equal(secret, c.Secret) {
			found = c.ID
		}
	}
	return found, found != ""
}

func (s *Server) issue(client string) string {
	var raw [16]byte
	_, _ = rand.Read(raw[:])
	tok := "US" + hex.EncodeToString(raw[:])
	now := time.Now()
	s.tokMu.Lock()
	defer s.tokMu.Unlock()
	if len(s.tokens) > 1000 {
		for t, ti := range s.tokens {
			if !now.Before(ti.exp) {
				delete(s.tokens, t)
			}
		}
	}
	s.tokens[tok] = tokenInfo{exp: now.Add(s.opts.TokenTTL), client: client}
	return tok
}

// authorized accepts only "Authorization: Bearer <token>" with a token issued here, not expired and
// not revoked, and says which client it was issued to.
func (s *Server) authorized(r *http.Request) (string, bool) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return "", false
	}
	s.tokMu.Lock()
	defer s.tokMu.Unlock()
	ti, ok := s.tokens[tok]
	if !ok || !time.Now().Before(ti.exp) {
		return "", false
	}
	return ti.client, true
}
