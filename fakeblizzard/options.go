package fakeblizzard

import (
	"fmt"
	"time"

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
)

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

	ClientID     string
	ClientSecret string
	TokenTTL     time.Duration

	// Fault knobs; all of them can be changed later with SetFaults.
	RPS             int     // API requests per second before answering 429; 0 = unlimited
	RetryAfter      bool    // send "Retry-After: 1" with 429s
	ServerErrorRate float64 // share of API requests answered 500/502/503/504
	DropRate        float64 // share of API requests whose connection is closed without an answer
	SlowRate        float64 // share of API requests delayed by SlowDelay before the answer
	MalformedRate   float64 // share of profile-endpoint 200s with a truncated body or a renamed key
	SlowDelay       time.Duration
	EmptyBoards     bool          // boards answer 200 with "entries": []
	Latency         time.Duration // added to every API request

	// FixturesDir serves captured responses (the layout of shared/fixtures/blizzard) instead of the
	// generated world.
	FixturesDir string
}

// Faults are the knobs tests flip while a server runs.
type Faults struct {
	RPS             int
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
		RPS: o.RPS, RetryAfter: o.RetryAfter, ServerErrorRate: o.ServerErrorRate, DropRate: o.DropRate,
		SlowRate: o.SlowRate, MalformedRate: o.MalformedRate, SlowDelay: o.SlowDelay,
		EmptyBoards: o.EmptyBoards, Latency: o.Latency,
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
	if o.ClientID == "" {
		o.ClientID = DefaultClientID
	}
	if o.ClientSecret == "" {
		o.ClientSecret = DefaultClientSecret
	}
	if o.TokenTTL <= 0 {
		o.TokenTTL = DefaultTokenTTL
	}
	if o.SlowDelay <= 0 {
		o.SlowDelay = DefaultSlowDelay
	}
	if o.RPS < 0 {
		return o, fmt.Errorf("rps %d: must not be negative", o.RPS)
	}
	for _, r := range []float64{o.ServerErrorRate, o.DropRate, o.SlowRate, o.MalformedRate} {
		if r < 0 || r > 1 {
			return o, fmt.Errorf("fault rate %v: must be within [0, 1]", r)
		}
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
