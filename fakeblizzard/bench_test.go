package fakeblizzard_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/fakeblizzard"
)

// BenchmarkProfileEndpoints measures the server side of an equipment + specializations pair, the
// load a pvpsync sync puts on the fake, without the network. The first pass over the characters
// generates, later passes hit the byte cache.
func BenchmarkProfileEndpoints(b *testing.B) {
	s, err := fakeblizzard.New(fakeblizzard.Options{Seed: 1})
	require.NoError(b, err)
	entries, err := s.Board("us", "3v3")
	require.NoError(b, err)
	tok := handlerToken(b, s)
	var paths []string
	for _, e := range entries {
		if !s.IsPrivate("us", e.Character.ID) {
			base := "/profile/wow/character/" + e.Character.Realm.Slug + "/" + url.PathEscape(strings.ToLower(e.Character.Name))
			paths = append(paths, base+"/equipment?namespace=profile-us", base+"/specializations?namespace=profile-us")
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		req := httptest.NewRequest(http.MethodGet, paths[i%len(paths)], nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("%s: %d", paths[i%len(paths)], w.Code)
		}
	}
}

func handlerToken(b *testing.B, s *fakeblizzard.Server) string {
	req := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(s.ClientID(), s.ClientSecret())
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	require.Equal(b, http.StatusOK, w.Code)
	return decode[struct {
		AccessToken string `json:"access_token"`
	}](b, w.Body.Bytes()).AccessToken
}

// BenchmarkAdvance measures one cycle of a default-size living world (four regions).
func BenchmarkAdvance(b *testing.B) {
	s, err := fakeblizzard.New(fakeblizzard.Options{Seed: 1, Active: 0.3})
	require.NoError(b, err)
	s.Advance() // builds the regions
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s.Advance()
	}
}
