// Package forecast says, before Battle.net is asked anything, what a region sync will cost: per board
// and in total, how many ranked characters are private, cooling down, reusable, idle or to fetch, the
// requests that implies, and how long they take at the credentials' budget. It applies the triage rules
// the sync itself applies, to what PostgreSQL holds (and, for `starter plan --fetch-boards`, to boards
// just fetched), so the plan and the run agree.
package forecast

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/pvpsync/pvpsync/store"
	"github.com/pvpsync/pvpsync/triage"
)

// DiscoveryRequests are what a region sync asks first: the season index, the season and its
// leaderboard index.
const DiscoveryRequests = 3

// Counts are the characters of one board (or of the region, each character once) by decision.
type Counts struct {
	Ranked         int            `json:"ranked"`
	Private        int            `json:"private"`
	Unavailable    int            `json:"cooling_down"`
	Deduplicated   int            `json:"deduplicated"`
	Reused         int            `json:"reusable"`
	Idle           int            `json:"idle"`
	Fetch          int            `json:"to_fetch"`
	FetchReasons   map[string]int `json:"fetch_reasons,omitempty"` // triage.Reason* → characters
	ProfileRefresh int            `json:"profile_refreshes"`
}

// Requests are the Battle.net requests these characters cost: equipment and specializations for each
// one fetched, plus its profile when it is due.
func (c Counts) Requests() int { return 2*c.Fetch + c.ProfileRefresh }

func (c *Counts) add(d triage.Decision) {
	c.Ranked++
	switch d.Outcome {
	case triage.Private:
		c.Private++
	case triage.Unavailable:
		c.Unavailable++
	case triage.Deduplicated:
		c.Deduplicated++
	case triage.Reused:
		c.Reused++
	case triage.Idle:
		c.Idle++
	case triage.Fetch:
		c.Fetch++
		if c.FetchReasons == nil {
			c.FetchReasons = map[string]int{}
		}
		c.FetchReasons[d.Reason]++
		if d.RefreshProfile {
			c.ProfileRefresh++
		}
	}
}

// Board is one board's forecast.
type Board struct {
	Bracket string `json:"bracket"`
	Counts
}

// Forecast is a region's.
type Forecast struct {
	Region   string    `json:"region"`
	Snapshot time.Time `json:"snapshot_at"`
	Boards   []Board   `json:"boards"`
	// Characters counts each character once, as the sync does (a character on five boards is fetched
	// once; its other entries are deduplicated).
	Characters Counts `json:"characters"`
	// Requests are the character requests, one per board, and the season discovery.
	Requests int `json:"requests"`
}

// Entries are one board's characters with their facts (Current must hold the board's entries).
type Entries struct {
	Bracket string
	Board   int64 // leaderboard id
	Facts   []store.CharacterFacts
}

// Count decides every character of every board as the sync will: boards in the given order, the first
// board of a character decides it, its entries on later boards count as deduplicated — except private
// and cooling-down characters, which each board skips on its own.
func Count(region string, snapshot, now time.Time, rules triage.Rules, boards []Entries) Forecast {
	f := Forecast{Region: region, Snapshot: snapshot}
	decided := map[int64]triage.Decision{}
	for _, b := range boards {
		board := Board{Bracket: b.Bracket}
		for _, c := range b.Facts {
			if d, seen := decided[c.CharacterID]; seen {
				if d.Outcome == triage.Private || d.Outcome == triage.Unavailable {
					board.add(d)
				} else {
					board.add(triage.Decision{Outcome: triage.Deduplicated})
				}
				continue
			}
			d := triage.Decide(c.Facts, snapshot, b.Board, now, rules)
			decided[c.CharacterID] = d
			board.add(d)
			f.Characters.add(d)
		}
		f.Boards = append(f.Boards, board)
	}
	f.Requests = f.Characters.Requests() + len(boards) + DiscoveryRequests
	return f
}

// Budget is how fast requests can go: credentials × their queue's rate.
type Budget struct {
	Credentials int     `json:"credentials"`
	RPS         float64 `json:"requests_per_second"` // per credential
}

// Duration is how long n requests take at the budget.
func (b Budget) Duration(n int) time.Duration {
	total := float64(b.Credentials) * b.RPS
	if total <= 0 {
		return 0
	}
	return time.Duration(float64(n) / total * float64(time.Second))
}

// Table renders a forecast for people: one line per board, the total, the time at the budget and
// whether it fits the interval between two runs.
func Table(f Forecast, b Budget, every time.Duration) string {
	var s strings.Builder
	fmt.Fprintf(&s, "%-30s %8s %8s %8s %8s %8s %8s %8s %9s\n", "board", "ranked", "private", "cooling", "dedup", "reusable", "idle", "fetch", "requests")
	line := func(name string, c Counts, requests int) {
		fmt.Fprintf(&s, "%-30s %8d %8d %8d %8d %8d %8d %8d %9d\n", name, c.Ranked, c.Private, c.Unavailable, c.Deduplicated, c.Reused, c.Idle, c.Fetch, requests)
	}
	for _, bd := range f.Boards {
		line(bd.Bracket, bd.Counts, 1+bd.Requests())
	}
	line("total (each character once)", f.Characters, f.Requests)
	if len(f.Characters.FetchReasons) > 0 {
		var parts []string
		for _, r := range slices.Sorted(maps.Keys(f.Characters.FetchReasons)) {
			parts = append(parts, fmt.Sprintf("%s %d", r, f.Characters.FetchReasons[r]))
		}
		fmt.Fprintf(&s, "to fetch because: %s; profile refreshes %d\n", strings.Join(parts, ", "), f.Characters.ProfileRefresh)
	}
	d := b.Duration(f.Requests)
	verdict := "fits"
	if every > 0 && d > every {
		verdict = "does NOT fit"
	}
	fmt.Fprintf(&s, "%d requests at %d credential(s) × %.2f/s: %s — %s the %s schedule interval\n",
		f.Requests, b.Credentials, b.RPS, d.Round(time.Second), verdict, every)
	return s.String()
}
