package fakeblizzard_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/fakeblizzard"
)

// fixturesDir is shared/ beside the repository, as CI lays it out.
const fixturesDir = "../../shared/fixtures/blizzard"

// small keeps generated worlds cheap; tests that need the defaults say so.
func small(seed int64) fakeblizzard.Options {
	return fakeblizzard.Options{Seed: seed, Characters: 400, SpecCharacters: 60}
}

func start(t testing.TB, o fakeblizzard.Options) *fakeblizzard.Server {
	t.Helper()
	s, err := fakeblizzard.Start(o)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}

// requestToken runs the client-credentials grant with HTTP Basic, as golang.org/x/oauth2 does.
func requestToken(t testing.TB, s *fakeblizzard.Server, id, secret string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL()+"/token", strings.NewReader("grant_type=client_credentials"))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	return do(t, req)
}

func token(t testing.TB, s *fakeblizzard.Server) string {
	t.Helper()
	resp, body := requestToken(t, s, s.ClientID(), s.ClientSecret())
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.Unmarshal(body, &tok))
	require.NotEmpty(t, tok.AccessToken)
	return tok.AccessToken
}

func do(t testing.TB, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, body
}

// get calls the API with a bearer token (none when tok is empty) and extra headers as name, value pairs.
func get(t testing.TB, s *fakeblizzard.Server, tok, pathAndQuery string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL()+pathAndQuery, nil)
	require.NoError(t, err)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return do(t, req)
}

func dynamic(path, region string) string {
	return path + "?namespace=dynamic-" + region + "&locale=en_US"
}

func boardURL(region string, season int64, bracket string) string {
	return dynamic("/data/wow/pvp-season/"+itoa(season)+"/pvp-leaderboard/"+bracket, region)
}

// charURL builds a profile URL the way a client must: realm slug, lowercased percent-encoded name.
func charURL(region, realm, name, suffix string) string {
	return "/profile/wow/character/" + realm + "/" + url.PathEscape(strings.ToLower(name)) + suffix + "?namespace=profile-" + region + "&locale=en_US"
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func decode[T any](t testing.TB, body []byte) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(body, &v), "body: %.300s", body)
	return v
}

func fetchBoard(t testing.TB, s *fakeblizzard.Server, tok, region, bracket string) battlenet.Leaderboard {
	t.Helper()
	resp, body := get(t, s, tok, boardURL(region, s.Options().Season, bracket))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	return decode[battlenet.Leaderboard](t, body)
}

// entryLike is the part of a board entry that identifies a character.
type entryLike struct {
	ID    int64
	Name  string
	Realm string
}

func entriesOf(es []battlenet.LeaderboardEntry) []entryLike {
	out := make([]entryLike, len(es))
	for i, e := range es {
		out[i] = entryLike{ID: e.Character.ID, Name: e.Character.Name, Realm: e.Character.Realm.Slug}
	}
	return out
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
