package fakeblizzard

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pvpsync/pvpsync/battlenet"
)

const (
	contentTypeJSON = "application/json;charset=UTF-8"
	// notFoundBody is byte for byte the captured error-404.json.
	notFoundBody     = "{\n  \"code\": 404,\n  \"type\": \"BLZWEBAPI00000404\",\n  \"detail\": \"Not Found\"\n}"
	unauthorizedBody = `{"code":401,"type":"BLZWEBAPI00000401","detail":"Unauthorized"}`
	tooManyBody      = `{"code":429,"type":"BLZWEBAPI00000429","detail":"Too Many Requests"}`
)

// route is a parsed request path.
type route struct {
	kind    string
	season  string
	bracket string
	realm   string
	name    string
}

// parseRoute splits the escaped path and unescapes each segment, so a name like mot%C3%ADvate
// arrives as "motívate" and an encoded slash could never split a segment.
func parseRoute(escaped string) route {
	raw := strings.Split(strings.Trim(escaped, "/"), "/")
	segs := make([]string, len(raw))
	for i, s := range raw {
		u, err := url.PathUnescape(s)
		if err != nil {
			return route{kind: EndpointUnknown}
		}
		segs[i] = u
	}
	switch {
	case len(segs) == 1 && segs[0] == "token" ||
		len(segs) == 2 && segs[0] == "oauth" && segs[1] == "token":
		return route{kind: EndpointToken}
	case len(segs) >= 3 && segs[0] == "data" && segs[1] == "wow" && segs[2] == "pvp-season":
		rest := segs[3:]
		switch {
		case len(rest) == 0 || len(rest) == 1 && rest[0] == "index":
			return route{kind: EndpointSeasonIndex}
		case len(rest) == 1:
			return route{kind: EndpointSeason, season: rest[0]}
		case rest[1] != "pvp-leaderboard" || len(rest) > 3:
			return route{kind: EndpointUnknown}
		case len(rest) == 2 || rest[2] == "index":
			return route{kind: EndpointLeaderboardIndex, season: rest[0]}
		default:
			return route{kind: EndpointLeaderboard, season: rest[0], bracket: rest[2]}
		}
	case len(segs) >= 5 && segs[0] == "profile" && segs[1] == "wow" && segs[2] == "character":
		rt := route{realm: segs[3], name: segs[4]}
		switch {
		case len(segs) == 5:
			rt.kind = EndpointProfile
		case len(segs) == 6 && segs[5] == "equipment":
			rt.kind = EndpointEquipment
		case len(segs) == 6 && segs[5] == "specializations":
			rt.kind = EndpointSpecializations
		default:
			rt.kind = EndpointUnknown
		}
		return rt
	}
	return route{kind: EndpointUnknown}
}

// recorder counts the status when it is written, i.e. before the client can see the answer, so Stats
// is exact as soon as a response has been received. An answer written after the client went away
// (the request's context is done) is also counted as abandoned.
type recorder struct {
	http.ResponseWriter
	stats    *statsCounter
	ctx      context.Context // the request's: net/http cancels it when the client's connection closes
	endpoint string
	client   string // the OAuth client, once the credentials or the token named one
	wrote    bool
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.wrote = true
		if r.ctx != nil && r.ctx.Err() != nil {
			r.stats.abandoned()
		}
		r.stats.answer(r.endpoint, strconv.Itoa(code), r.client)
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.wrote {
		r.WriteHeader(http.StatusOK)
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func writeBody(w http.ResponseWriter, status int, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	// #nosec G705 -- bodies are served with an explicit non-HTML type (nosniff); request text only reaches them
	// through encoding/json, which escapes <, > and &. The one text/html page holds only a status code.
	_, _ = w.Write(body)
}

// ServeHTTP routes a request: the test endpoints first (never counted nor faulted), then the token
// endpoint, then the API behind latency, auth, the client's quota and injected faults.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.serveTestAPI(w, r) {
		return
	}
	s.stats.request()
	rt := parseRoute(r.URL.EscapedPath())
	rec := &recorder{ResponseWriter: w, stats: &s.stats, ctx: r.Context(), endpoint: rt.kind}
	if rt.kind == EndpointToken {
		s.token(rec, r)
		return
	}
	s.api(rec, r, rt)
}

func (s *Server) api(w *recorder, r *http.Request, rt route) {
	f := s.Faults()
	sleepCtx(r.Context(), f.Latency)
	// Auth comes before the quota: the quota is the client's, and only its token says which client.
	client, ok := s.authorized(r)
	if !ok {
		writeBody(w, http.StatusUnauthorized, contentTypeJSON, []byte(unauthorizedBody))
		return
	}
	w.client = client
	s.arrivals.record(client, s.clock)
	if ok, retry := s.quotas.allow(client, s.clock); !ok {
		s.stats.fault(FaultRateLimit)
		if f.RetryAfter {
			w.Header().Set("Retry-After", strconv.Itoa(retry))
		}
		writeBody(w, http.StatusTooManyRequests, contentTypeJSON, []byte(tooManyBody))
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeBody(w, http.StatusMethodNotAllowed, contentTypeJSON, []byte(`{"code":405,"type":"BLZWEBAPI00000405","detail":"Method Not Allowed"}`))
		return
	}
	drop, serverErr, slow := s.rollFaults(f)
	switch {
	case drop:
		s.stats.fault(FaultDrop)
		w.wrote = true
		s.stats.answer(w.endpoint, FaultDrop, w.client)
		dropConnection(w.ResponseWriter)
		return
	case serverErr != 0:
		s.stats.fault(FaultServerError)
		writeServerError(w, serverErr)
		return
	case slow:
		s.stats.fault(FaultSlow)
		sleepCtx(r.Context(), f.SlowDelay)
	}

	prefix := "dynamic-"
	if rt.kind == EndpointProfile || rt.kind == EndpointEquipment || rt.kind == EndpointSpecializations {
		prefix = "profile-"
	}
	ns := r.URL.Query().Get("namespace")
	if ns == "" {
		ns = r.Header.Get("Battlenet-Namespace") // the real API takes either
	}
	region, ok := strings.CutPrefix(ns, prefix)
	if !ok || battlenet.ValidateRegion(region) != nil || rt.kind == EndpointUnknown {
		s.writeNotFound(w)
		return
	}
	w.Header().Set("Battlenet-Namespace", ns)

	var (
		body []byte
		err  error
	)
	switch rt.kind {
	case EndpointSeasonIndex:
		body, err = s.src.seasonIndex(region)
	case EndpointSeason:
		var id int64
		if id, err = parseSeason(rt.season); err == nil {
			body, err = s.src.season(region, id)
		}
	case EndpointLeaderboardIndex:
		var id int64
		if id, err = parseSeason(rt.season); err == nil {
			body, err = s.src.leaderboardIndex(region, id)
		}
	case EndpointLeaderboard:
		var id int64
		if id, err = parseSeason(rt.season); err == nil {
			body, err = s.src.leaderboard(region, id, rt.bracket, f.EmptyBoards)
		}
	default:
		s.character(w, r, rt, region, f)
		return
	}
	s.finish(w, body, err)
}

func parseSeason(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errNotFound
	}
	return id, nil
}

func (s *Server) finish(w http.ResponseWriter, body []byte, err error) {
	switch {
	case errors.Is(err, errNotFound):
		s.writeNotFound(w)
	case err != nil:
		writeServerError(w, http.StatusInternalServerError)
	default:
		writeBody(w, http.StatusOK, contentTypeJSON, body)
	}
}

func (s *Server) writeNotFound(w http.ResponseWriter) {
	writeBody(w, http.StatusNotFound, contentTypeJSON, s.notFound)
}

// character serves the three profile endpoints with Last-Modified / If-Modified-Since.
func (s *Server) character(w http.ResponseWriter, r *http.Request, rt route, region string, f Faults) {
	ps, err := s.src.character(region, rt.realm, rt.name, rt.kind)
	if err != nil {
		s.finish(w, nil, err)
		return
	}
	lm := ps.lastModified(rt.kind).UTC().Truncate(time.Second)
	w.Header().Set("Last-Modified", lm.Format(http.TimeFormat))
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		if t, err := http.ParseTime(ims); err == nil && !lm.After(t) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	body, err := ps.body(rt.kind)
	if err == nil && f.MalformedRate > 0 {
		if bad, truncate := s.rollMalformed(f); bad {
			s.stats.fault(FaultMalformed)
			body = malform(rt.kind, body, truncate)
		}
	}
	s.finish(w, body, err)
}

// malform breaks a body the two ways Battle.net has been seen to: cut short, or with an essential key
// renamed (the JSON stays valid but the field the client needs is gone).
func malform(kind string, body []byte, truncate bool) []byte {
	if truncate {
		return body[:len(body)/2]
	}
	renames := map[string][2]string{
		kindEquipment:       {`"equipped_items":`, `"equiped_items":`},
		kindSpecializations: {`"specializations":`, `"specialisations":`},
		kindProfile:         {`"id":`, `"i_d":`},
	}
	rn := renames[kind]
	return bytes.Replace(body, []byte(rn[0]), []byte(rn[1]), 1)
}

func (s *Server) rollFaults(f Faults) (drop bool, serverErr int, slow bool) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	if f.DropRate > 0 && s.faultRng.Float64() < f.DropRate {
		return true, 0, false
	}
	if f.ServerErrorRate > 0 && s.faultRng.Float64() < f.ServerErrorRate {
		return false, []int{500, 502, 503, 504}[s.faultRng.IntN(4)], false
	}
	return false, 0, f.SlowRate > 0 && s.faultRng.Float64() < f.SlowRate
}

func (s *Server) rollMalformed(f Faults) (bad, truncate bool) {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	return s.faultRng.Float64() < f.MalformedRate, s.faultRng.IntN(2) == 0
}

// writeServerError answers like Blizzard's edge: JSON from the API itself for 500/503, an HTML page
// from the gateway for 502/504.
func writeServerError(w http.ResponseWriter, status int) {
	switch status {
	case http.StatusBadGateway, http.StatusGatewayTimeout:
		text := strconv.Itoa(status) + " " + http.StatusText(status)
		writeBody(w, status, "text/html", []byte("<html>\r\n<head><title>"+text+"</title></head>\r\n<body>\r\n<center><h1>"+text+"</h1></center>\r\n</body>\r\n</html>\r\n"))
	default:
		b, _ := json.Marshal(battlenet.ErrorBody{Code: status, Type: "BLZWEBAPI00000" + strconv.Itoa(status), Detail: http.StatusText(status)})
		writeBody(w, status, contentTypeJSON, b)
	}
}

// dropConnection closes the TCP connection without a response.
func dropConnection(w http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		_ = conn.Close()
		return
	}
	panic(http.ErrAbortHandler)
}
