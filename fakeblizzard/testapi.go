package fakeblizzard

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// serveTestAPI answers the endpoints that exist for tests and demos only: /stats, /stats/reset,
// /advance and /truth/{region}/{realm}/{name}. They need no token and are neither counted nor faulted,
// so looking at the fake never changes what it reports. It says whether it answered.
func (s *Server) serveTestAPI(w http.ResponseWriter, r *http.Request) bool {
	switch p := r.URL.Path; {
	case p == "/stats":
		writeJSON(w, http.StatusOK, s.Stats())
	case p == "/stats/reset":
		if postOnly(w, r) {
			s.ResetStats()
			w.WriteHeader(http.StatusNoContent)
		}
	case p == "/advance":
		if postOnly(w, r) {
			writeJSON(w, http.StatusOK, s.Advance())
		}
	case strings.HasPrefix(p, "/truth/"):
		s.serveTruth(w, r)
	default:
		return false
	}
	return true
}

func postOnly(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeBody(w, http.StatusMethodNotAllowed, "text/plain", []byte("POST only\n"))
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeBody(w, http.StatusInternalServerError, "text/plain", []byte("cannot encode the answer\n"))
		return
	}
	writeBody(w, status, "application/json", b)
}

// serveTruth answers GET /truth/{region}/{realmSlug}/{name}; the name may be percent-encoded.
func (s *Server) serveTruth(w http.ResponseWriter, r *http.Request) {
	segs := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/truth/"), "/")
	if len(segs) != 3 {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "want /truth/{region}/{realmSlug}/{name}"})
		return
	}
	for i, seg := range segs {
		u, err := url.PathUnescape(seg)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad path segment"})
			return
		}
		segs[i] = u
	}
	t, err := s.Truth(segs[0], segs[1], segs[2])
	switch {
	case errors.Is(err, ErrUnknownCharacter):
		writeJSON(w, http.StatusNotFound, map[string]string{"error": err.Error()})
	case err != nil:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
	default:
		writeJSON(w, http.StatusOK, t)
	}
}
