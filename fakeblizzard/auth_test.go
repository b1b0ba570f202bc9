package fakeblizzard_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/fakeblizzard"
)

const unauthorized = `{"code":401,"type":"BLZWEBAPI00000401","detail":"Unauthorized"}`

func TestTokenEndpoint(t *testing.T) {
	s := start(t, fakeblizzard.Options{Seed: 41, Characters: 50, SpecCharacters: 10, ClientID: "id-1", ClientSecret: "s3cret"})
	resp, body := requestToken(t, s, "id-1", "s3cret")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "application/json;charset=UTF-8", resp.Header.Get("Content-Type"))
	tok := decode[struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
		Sub         string `json:"sub"`
	}](t, body)
	assert.NotEmpty(t, tok.AccessToken)
	assert.Equal(t, "bearer", tok.TokenType)
	assert.Equal(t, 86399, tok.ExpiresIn, "24 h tokens report 86399 s, as Battle.net does")
	assert.Equal(t, "id-1", tok.Sub)

	resp, body = requestToken(t, s, "id-1", "wrong")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.JSONEq(t, `{"error":"invalid_client","error_description":"Invalid client"}`, string(body))
	resp, _ = requestToken(t, s, "other", "s3cret")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	// Credentials in the form body (golang.org/x/oauth2's AuthStyleInParams) and the /oauth/token path.
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"id-1"}, "client_secret": {"s3cret"}}
	req, err := http.NewRequest(http.MethodPost, s.URL()+"/oauth/token", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, _ = do(t, req)
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	req, _ = http.NewRequest(http.MethodPost, s.URL()+"/token", strings.NewReader("grant_type=password"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("id-1", "s3cret")
	resp, _ = do(t, req)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)

	req, _ = http.NewRequest(http.MethodGet, s.URL()+"/token", nil)
	resp, _ = do(t, req)
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
}

func TestAPIRequiresAValidToken(t *testing.T) {
	s := start(t, small(42))
	index := dynamic("/data/wow/pvp-season/index", "us")
	for name, header := range map[string]string{
		"none":          "",
		"unknown token": "Bearer not-a-token",
		"basic":         "Basic ZmFrZS1jbGllbnQtaWQ6ZmFrZS1jbGllbnQtc2VjcmV0",
	} {
		resp, body := get(t, s, "", index, "Authorization", header)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, name)
		assert.Equal(t, unauthorized, string(body), name)
	}
	// Even unknown paths and characters answer 401 before 404: auth comes first.
	resp, _ := get(t, s, "", charURL("us", "nowhere", "nobody", ""))
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	tok := token(t, s)
	resp, _ = get(t, s, tok, index)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestRevokedTokensAreRefused(t *testing.T) {
	s := start(t, small(43))
	index := dynamic("/data/wow/pvp-season/index", "us")
	old := token(t, s)
	resp, _ := get(t, s, old, index)
	require.Equal(t, http.StatusOK, resp.StatusCode)

	s.RevokeTokens()
	resp, body := get(t, s, old, index)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Equal(t, unauthorized, string(body))

	fresh := token(t, s)
	resp, _ = get(t, s, fresh, index)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "a token issued after the revocation works")
}

func TestExpiredTokensAreRefused(t *testing.T) {
	o := small(44)
	o.TokenTTL = 150 * time.Millisecond
	s := start(t, o)
	index := dynamic("/data/wow/pvp-season/index", "us")
	tok := token(t, s)
	resp, _ := get(t, s, tok, index)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	time.Sleep(200 * time.Millisecond)
	resp, _ = get(t, s, tok, index)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}
