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

// token is the client-credentials grant of oauth.battle.net: credentials in HTTP Basic (or, as
// golang.org/x/oauth2 falls back to, in the form), grant_type=client_credentials.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
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
	if !equal(id, s.opts.ClientID) || !equal(secret, s.opts.ClientSecret) {
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "Invalid client")
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "client_credentials" {
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant type: "+gt)
		return
	}
	tok := s.issue()
	// #nosec G117 -- returning access_token is the token endpoint's job (OAuth2 client-credentials response).
	b, _ := json.Marshal(tokenResponse{AccessToken: tok, TokenType: "bearer", ExpiresIn: expiresIn(s.opts.TokenTTL), Sub: s.opts.ClientID})
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

func (s *Server) issue() string {
	var raw [16]byte
	_, _ = rand.Read(raw[:])
	tok := "US" + hex.EncodeToString(raw[:])
	now := time.Now()
	s.tokMu.Lock()
	defer s.tokMu.Unlock()
	if len(s.tokens) > 1000 {
		for t, exp := range s.tokens {
			if !now.Before(exp) {
				delete(s.tokens, t)
			}
		}
	}
	s.tokens[tok] = now.Add(s.opts.TokenTTL)
	return tok
}

// authorized accepts only "Authorization: Bearer <token>" with a token issued here, not expired and
// not revoked.
func (s *Server) authorized(r *http.Request) bool {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return false
	}
	s.tokMu.Lock()
	defer s.tokMu.Unlock()
	exp, ok := s.tokens[tok]
	return ok && time.Now().Before(exp)
}
