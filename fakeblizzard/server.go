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

	"github.com/pvpsync/pvpsync/battlenet"
)

// Server is the fake Battle.net API. It is an http.Handler; Start also runs it on a local port.
type Server struct {
	opts Options
	src  source

	faultMu  sync.Mutex
	faults   Faults
	faultRng *rand.Rand

	quotas   *quotas
	arrivals arrivals
	epoch    time.Time // the clock of quotas and arrivals: monotonic time since New

	tokMu  sync.Mutex
	tokens map[string]tokenInfo

	stats statsCounter

	advMu sync.Mutex
	cycle int

	notFound []byte

	closeOnce sync.Once
	stop      chan struct{}
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
		tokens:   map[string]tokenInfo{},
		faultRng: rand.New(rand.NewPCG(hashInt(o.Seed), 0x0fa17)), // #nosec G404 -- seeded so fault runs replay; never used for secrets
		quotas:   newQuotas(),
		epoch:    time.Now(),
		notFound: []byte(notFoundBody),
		stop:     make(chan struct{}),
	}
	s.stats.reset()
	s.arrivals.reset()
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
	if o.Cycle > 0 {
		go s.tick(o.Cycle)
	}
	return s, nil
}

// tick advances the world every d until Close.
func (s *Server) tick(d time.Duration) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			s.Advance()
		case <-s.stop:
			return
		}
	}
}

// clock is the time of the quotas: nanoseconds since New, on the monotonic clock.
func (s *Server) clock() int64 { return int64(time.Since(s.epoch)) }

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
// It also stops the world's clock (Options.Cycle), also for a server built with New.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.stop)
		if s.hs != nil {
			_ = s.hs.Close()
		}
	})
}

// ClientID is the client id of the first configured client.
func (s *Server) ClientID() string { return s.opts.Clients[0].ID }

// ClientSecret is the client secret of the first configured client.
func (s *Server) ClientSecret() string { return s.opts.Clients[0].Secret }

// Clients lists the OAuth clients the token endpoint accepts.
func (s *Server) Clients() []Client { return slices.Clone(s.opts.Clients) }

// Options returns the effective options (defaults applied).
func (s *Server) Options() Options { return s.opts }

// Stats returns a copy of the counters.
func (s *Server) Stats() Stats { return s.stats.snapshot() }

// ResetStats zeroes the counters and forgets the arrival times PeakWindow reads (the quotas keep
// theirs: a reset of the statistics is no new hour for Battle.net).
func (s *Server) ResetStats() {
	s.stats.reset()
	s.arrivals.reset()
}

// PeakWindow is the largest number of API requests one client made within any window of length d
// since start or the last ResetStats, 429s included (what the client asked, not what it got); ""
// means all clients together. Tests compare it with the rate a client was configured to keep.
func (s *Server) PeakWindow(clientID string, d time.Duration) int {
	return s.arrivals.peak(clientID, d)
}

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
	if f.QuotaWindow <= 0 {
		f.QuotaWindow = DefaultQuotaWindow
	}
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	s.faults = f
	s.quotas.configure(s.opts.Clients, f)
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

// ChangeGear gives n public characters ranked on the served "us" boards new gear and new talents:
// their profile, equipment and specializations change and their Last-Modified values move forward;
// everybody else's stay. The choice depends only on the seed and the calls before (ChangeGear and
// Advance). It returns the ids changed.
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

// Advance moves the world one cycle on (see Options.Active): in every region, the active share of the
// characters ranked on the served boards play, boards are re-ranked, some characters change gear or
// talents. It is what POST /advance and the Options.Cycle clock call; a frozen world (Active 0) only
// counts the cycle. Deterministic from the seed and the calls before.
func (s *Server) Advance() AdvanceReport {
	s.advMu.Lock()
	defer s.advMu.Unlock()
	s.cycle++
	rep := s.src.advance(s.opts.Active)
	rep.Cycle = s.cycle
	return rep
}

// Cycle is the number of cycles the world has advanced.
func (s *Server) Cycle() int {
	s.advMu.Lock()
	defer s.advMu.Unlock()
	return s.cycle
}

// Truth is what a correct consumer must know about a character now (also GET
// /truth/{region}/{realmSlug}/{name}), read from the world model rather than from the JSON served.
// The name is matched like the API does (case-insensitively). It errors with ErrUnknownCharacter, or
// ErrNoWorld when serving fixtures.
func (s *Server) Truth(region, realmSlug, name string) (CharacterTruth, error) {
	if err := battlenet.ValidateRegion(region); err != nil {
		return CharacterTruth{}, err
	}
	return s.src.truth(region, realmSlug, name)
}

// BoardTruth is a whole board of the current season as the world has it now, whatever the faults
// (EmptyBoards included). It errors for a bracket that is not served.
func (s *Server) BoardTruth(region, bracket string) ([]EntryTruth, error) {
	if err := battlenet.ValidateRegion(region); err != nil {
		return nil, err
	}
	t, err := s.src.boardTruth(region, bracket)
	if errors.Is(err, errNotFound) {
		return nil, fmt.Errorf("bracket %q is not served", bracket)
	}
	return t, err
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
