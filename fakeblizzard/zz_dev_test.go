package fakeblizzard_test

import (
	"fmt"
	"io"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/pvpsync/pvpsync/fakeblizzard"
)

func TestDevSizes(t *testing.T) {
	s := start(t, fakeblizzard.Options{Seed: 1})
	tok := token(t, s)
	entries, _ := s.Board("us", "3v3")
	mins := map[string]int{"/equipment": 1 << 30, "/specializations": 1 << 30}
	maxs := map[string]int{}
	sum := map[string]int{}
	n := 0
	for _, e := range entries[:600] {
		if s.IsPrivate("us", e.Character.ID) {
			continue
		}
		n++
		for _, k := range []string{"/equipment", "/specializations"} {
			_, b := get(t, s, tok, charURL("us", e.Character.Realm.Slug, e.Character.Name, k))
			mins[k] = min(mins[k], len(b))
			maxs[k] = max(maxs[k], len(b))
			sum[k] += len(b)
		}
	}
	for k := range sum {
		fmt.Println(k, mins[k], sum[k]/n, maxs[k])
	}
	// server-side cost, bypassing the cache with fresh servers
	s2, _ := fakeblizzard.New(fakeblizzard.Options{Seed: 2})
	entries, _ = s2.Board("us", "3v3")
	// get token through handler
	t0 := time.Now()
	cnt := 0
	for _, e := range entries[:1000] {
		for _, k := range []string{"/equipment", "/specializations", ""} {
			r := httptest.NewRequest("GET", charURL("us", e.Character.Realm.Slug, e.Character.Name, k), nil)
			r.Header.Set("Authorization", "Bearer "+tokenFor(t, s2))
			w := httptest.NewRecorder()
			s2.ServeHTTP(w, r)
			cnt++
		}
	}
	fmt.Println("per request", time.Since(t0)/time.Duration(cnt))
}

var toks = map[*fakeblizzard.Server]string{}

func tokenFor(t *testing.T, s *fakeblizzard.Server) string {
	if tk, ok := toks[s]; ok {
		return tk
	}
	r := httptest.NewRequest("POST", "/token", stringsReader("grant_type=client_credentials"))
	r.SetBasicAuth(s.ClientID(), s.ClientSecret())
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	var v struct{ AccessToken string `json:"access_token"` }
	v = decode[struct{ AccessToken string `json:"access_token"` }](t, w.Body.Bytes())
	toks[s] = v.AccessToken
	return v.AccessToken
}

func stringsReader(s string) *stringsR { return &stringsR{s: s} }

type stringsR struct{ s string; i int }

func (r *stringsR) Read(p []byte) (int, error) {
	if r.i >= len(r.s) {
		return 0, io.EOF
	}
	n := copy(p, r.s[r.i:])
	r.i += n
	return n, nil
}
