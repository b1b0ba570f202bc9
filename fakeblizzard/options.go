package fakeblizzard

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/pvpsync/pvpsync/battlenet"
)

// Defaults applied by New to zero-valued Options fields.
const (
	DefaultSeason          = 42
	DefaultCharacters      = 5000
	DefaultSpecCharacters  = 300
	DefaultPrivateFraction = 0.05
	DefaultClientID        = "fake-client-id"
	DefaultClientSecret    = "fake-client-secret" // #nosec G101 -- the fake's public demo credential; it guards nothing real
	DefaultTokenTTL        = 24 * time.Hour
	DefaultSlowDelay       = 20 * time.Second
	DefaultQuotaWindow     = time.Hour
)

// Client is one OAuth client the token endpoint accepts. Each has its own quota (RPS, RPH) and its own
// counters in Stats.ByClient, as Battle.net meters each API client separately.
type Client struct {
	ID     string
	Secret string
}

// Options configures a Server. Zero values mean "default" (see the Default* constants).
type Options struct {
	Seed           int64
	Season         int64 // current season id; the index lists min(40, Season)..Season
	Characters     int   // entries on 2v2 and 3v3 (rbg has Characters/5; the overall boards are capped at it)
	SpecCharacters int   // entries on each shuffle-/blitz-{class}-{spec} board

	// Brackets restricts the boards that exist: when non-empty only these are listed in the index and
	// served, every other bracket answers 404. Names are validated with battlenet.ValidateBracket.
	Brackets []string

	// PrivateFraction of characters answer 404 on every profile endpoint while still ranked on boards.
	// 0 means the default 0.05; a negative value means no private characters at all.
	PrivateFraction float64

	// Clients are the accepted OAuth clients. Empty means one client made of ClientID and ClientSecret;
	// when set, ClientID and ClientSecret are ignored and become those of Clients[0].
	Clients      []Client
	ClientID     string
	ClientSecret string
	TokenTTL     time.Duration

	// Fault knobs; all of them can be changed later with SetFaults. The quotas are per client.
	RPS             int           // API requests per second per client before answering 429; 0 = unlimited
	RPH             int           // API requests per hour per client, over a sliding QuotaWindow; 0 = unlimited
	QuotaWindow     time.Duration // the sliding window RPH is enforced over (RPH*QuotaWindow/1h requests in any window); 0 = 1h
	RetryAfter      bool          // send Retry-After with 429s ("1" for RPS, the wait for a free slot for RPH)
	ServerErrorRate float64       // share of API requests answered 500/502/503/504
	DropRate        float64       // share of API requests whose connection is closed without an answer
	SlowRate        float64       // share of API requests delayed by SlowDelay before the answer
	MalformedRate   float64       // share of profile-endpoint 200s with a truncated body or a renamed key
	SlowDelay       time.Duration
	EmptyBoards     bool          // boards answer 200 with "entries": []
	Latency         time.Duration // added to every API request

	// Active is the fraction of the characters ranked on the served boards that play rated games
	// between two cycles of the world (see Server.Advance); 0 keeps the world frozen.
	Active float64
	// Cycle, when positive, advances the world by itself every Cycle (Close stops the clock).
	Cycle time.Duration
	// GearChange, when positive, is the fraction of the public characters ranked on the served boards
	// whose gear changes in a cycle, in place of the default shares (40 % of those who played, 2 % of
	// the others). Players regear first, so idle detection sees the change; only what exceeds them
	// goes to characters who did not play (AdvanceReport.IdleGearChanged). Storage benchmarks set it
	// to pin how much new gear a cycle brings.
	GearChange float64

	// FixturesDir serves captured responses (the layout of shared/fixtures/blizzard) instead of the
	// generated world.
	FixturesDir string
}

// Faults are the knobs tests flip while a server runs.
type Faults struct {
	RPS             int
	RPH             int
	QuotaWindow     time.Duration // 0 means DefaultQuotaWindow
	RetryAfter      bool
	ServerErrorRate float64
	DropRate        float64
	SlowRate        float64
	MalformedRate   float64
	SlowDelay       time.Duration // 0 means DefaultSlowDelay
	EmptyBoards     bool
	Latency         time.Duration
}

func (o Options) faults() Faults {
	return Faults{
		RPS: o.RPS, RPH: o.RPH, QuotaWindow: o.QuotaWindow, RetryAfter: o.RetryAfter,
		ServerErrorRate: o.ServerErrorRate, DropRate: o.DropRate, SlowRate: o.SlowRate,
		MalformedRate: o.MalformedRate, SlowDelay: o.SlowDelay, EmptyBoards: o.EmptyBoards, Latency: o.Latency,
	}
}

func (o Options) withDefaults() (Options, error) {
	if o.Season == 0 {
		o.Season = DefaultSeason
	}
	if o.Season < 1 {
		return o, fmt.Errorf("season %d: must be positive", o.Season)
	}
	if o.Characters == 0 {
		o.Characters = DefaultCharacters
	}
	if o.SpecCharacters == 0 {
		o.SpecCharacters = DefaultSpecCharacters
	}
	if o.Characters < 0 || o.SpecCharacters < 0 {
		return o, fmt.Errorf("characters %d / spec characters %d: must not be negative", o.Characters, o.SpecCharacters)
	}
	switch {
	case o.PrivateFraction == 0:
		o.PrivateFraction = DefaultPrivateFraction
	case o.PrivateFraction < 0:
		o.PrivateFraction = 0
	case o.PrivateFraction > 1:
		return o, fmt.Errorf("private fraction %v: must be at most 1", o.PrivateFraction)
	}
	if err := o.clientDefaults(); err != nil {
		return o, err
	}
	if o.TokenTTL <= 0 {
		o.TokenTTL = DefaultTokenTTL
	}
	if o.SlowDelay <= 0 {
		o.SlowDelay = DefaultSlowDelay
	}
	if o.QuotaWindow <= 0 {
		o.QuotaWindow = DefaultQuotaWindow
	}
	if o.RPS < 0 || o.RPH < 0 {
		return o, fmt.Errorf("rps %d / rph %d: must not be negative", o.RPS, o.RPH)
	}
	for _, r := range []float64{o.ServerErrorRate, o.DropRate, o.SlowRate, o.MalformedRate, o.Active, o.GearChange} {
		if r < 0 || r > 1 {
			return o, fmt.Errorf("rate %v: must be within [0, 1]", r)
		}
	}
	if o.Cycle < 0 {
		return o, fmt.Errorf("cycle %s: must not be negative", o.Cycle)
	}
	seen := map[string]bool{}
	for _, b := range o.Brackets {
		if err := battlenet.ValidateBracket(b); err != nil {
			return o, fmt.Errorf("brackets: %w", err)
		}
		if seen[b] {
			return o, fmt.Errorf("brackets: %q listed twice", b)
		}
		seen[b] = true
	}
	return o, nil
}

// clientDefaults fills Clients from ClientID/ClientSecret (or the reverse) and validates them. Ids and
// secrets may not hold whitespace: they end up in a whitespace-separated credentials file.
func (o *Options) clientDefaults() error {
	if len(o.Clients) == 0 {
		if o.ClientID == "" {
			o.ClientID = DefaultClientID
		}
		if o.ClientSecret == "" {
			o.ClientSecret = DefaultClientSecret
		}
		o.Clients = []Client{{ID: o.ClientID, Secret: o.ClientSecret}}
	} else {
		o.Clients = append([]Client(nil), o.Clients...)
	}
	ids := map[string]bool{}
	for i, c := range o.Clients {
		if c.ID == "" || c.Secret == "" {
			return fmt.Errorf("client %d: id and secret must not be empty", i+1)
		}
		if strings.IndexFunc(c.ID+c.Secret, unicode.IsSpace) >= 0 || strings.HasPrefix(c.ID, "#") || strings.HasPrefix(c.Secret, "#") {
			return fmt.Errorf("client %d: id and secret must not contain whitespace nor start with #", i+1)
		}
		if ids[c.ID] {
			return fmt.Errorf("client %d: id %q listed twice", i+1, c.ID)
		}
		ids[c.ID] = true
	}
	o.ClientID, o.ClientSecret = o.Clients[0].ID, o.Clients[0].Secret
	return nil
}
