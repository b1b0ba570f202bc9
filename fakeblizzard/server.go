package fakeblizzard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/pvpsync/pvpsync/battlenet"
)

// Server is the fake Battle.net API. It is an http.Handler; Start also runs it on a local port.
type Server struct {
	opts Options
	src  source

	faultMu  sync.Mutex
	faults   Faults
	limiter  *rate.Limiter
	faultRng *rand.Rand

	tokMu  sync.Mutex
	tokens map[string]time.Time

	stats statsCounter

	notFound []byte

	closeOnce sync.Once
	hs        *http.Server
	url       string
}

// New builds a server without listening (use it as an http.Handler, e.g. with httptest.NewServer).
func New(opts Options) (*Server, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("fakeblizzard options: %w", err)
	}
	s := &Server{
		opts:     o,
		tokens:   map[string]time.Time{},
		faultRng: rand.New(rand.NewPCG(hashInt(o.Seed), 0x0fa17)), // #nosec G404 -- seeded so fault runs replay; never used for secrets
		notFound: []byte(notFoundBody),
	}
	s.stats.reset()
	s.SetFaults(o.faults())
	if o.FixturesDir != "" {
		fx, err := loadFixtures(o.FixturesDir, &s.opts)
		if err != nil {
			return nil, err
		}
		s.src = fx
		if fx.notFound != nil {
			s.notFound = fx.notFound
		}
	} else {
		s.src = newGenerated(&s.opts)
	}
	return s, nil
}

// Start builds a server and serves it on 127.0.0.1 at a free port until Close.
func Start(opts Options) (*Server, error) {
	s, err := New(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fakeblizzard listen: %w", err)
	}
	s.hs = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		// Dropped connections and clients hanging up on slow answers are the point; do not log them.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	s.url = "http://" + ln.Addr().String()
	go func() { _ = s.hs.Serve(ln) }()
	return s, nil
}

// URL is the base URL of a started server ("" for one built with New).
func (s *Server) URL() string { return s.url }

// TokenURL is the OAuth token endpoint of a started server.
func (s *Server) TokenURL() string { return s.url + "/token" }

// Close stops a started server and drops open connections; slow answers in flight return at once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		if s.hs != nil {
			_ = s.hs.Close()
		}
	})
}

// ClientID is the client id the token endpoint accepts.
func (s *Server) ClientID() string { return s.opts.ClientID }

// ClientSecret is the client secret the token endpoint accepts.
func (s *Server) ClientSecret() string { return s.opts.ClientSecret }

// Options returns the effective options (defaults applied).
func (s *Server) Options() Options { return s.opts }

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats { return s.stats.snapshot() }

// ResetStats zeroes the counters.
func (s *Server) ResetStats() { s.stats.reset() }

// RevokeTokens invalidates every token issued so far: API calls with them answer 401 from now on.
func (s *Server) RevokeTokens() {
	s.tokMu.Lock()
	defer s.tokMu.Unlock()
	clear(s.tokens)
}

// SetFaults replaces the fault knobs; requests already past the fault gate are not affected.
func (s *Server) SetFaults(f Faults) {
	if f.SlowDelay <= 0 {
		f.SlowDelay = DefaultSlowDelay
	}
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	s.faults = f
	s.limiter = nil
	if f.RPS > 0 {
		s.limiter = rate.NewLimiter(rate.Limit(f.RPS), f.RPS)
	}
}

// Faults returns the current fault knobs.
func (s *Server) Faults() Faults {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	return s.faults
}

// Brackets lists the boards the leaderboard index serves, in index order.
func (s *Server) Brackets() []string { return s.src.brackets() }

// Board is the ground truth of what GET .../pvp-leaderboard/{bracket} answers for the current season
// (empty while EmptyBoards is on). It errors for a bracket that is not served.
func (s *Server) Board(region, bracket string) ([]battlenet.LeaderboardEntry, error) {
	if err := battlenet.ValidateRegion(region); err != nil {
		return nil, err
	}
	entries, err := s.src.entries(region, s.opts.Season, bracket)
	if errors.Is(err, errNotFound) {
		return nil, fmt.Errorf("bracket %q is not served", bracket)
	}
	if err != nil {
		return nil, err
	}
	if s.Faults().EmptyBoards {
		return []battlenet.LeaderboardEntry{}, nil
	}
	return slices.Clone(entries), nil
}

// IsPrivate says whether a character answers 404 on the profile endpoints.
func (s *Server) IsPrivate(region string, blizzardID int64) bool {
	return s.src.isPrivate(region, blizzardID)
}

// ChangeGear gives n public characters ranked on the served "us" boards new gear: their profile,
// equipment and specializations change and their Last-Modified moves forward; everybody else's stays.
// The choice depends only on the seed and the number of earlier calls. It returns the ids changed.
func (s *Server) ChangeGear(n int) []int64 {
	ids, _ := s.ChangeGearIn("us", s.Brackets(), n)
	return ids
}

// ChangeGearIn is ChangeGear for another region, or for characters ranked on some brackets only
// (a test that syncs only 3v3 wants the changed characters to be on 3v3).
func (s *Server) ChangeGearIn(region string, brackets []string, n int) ([]int64, error) {
	if err := battlenet.ValidateRegion(region); err != nil {
		return nil, err
	}
	ids, err := s.src.changeGear(region, brackets, n)
	if errors.Is(err, errNotFound) {
		return nil, fmt.Errorf("change gear: a bracket of %v is not served", brackets)
	}
	return ids, err
}

// sleepCtx waits d or until the request is abandoned.
func sleepCtx(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
