// Package triage decides, from what PostgreSQL already holds, what one character needs in a sync cycle:
// nothing (private, cooling down after a 404, already done by another board, idle since it was last
// processed, or reusable), or Battle.net requests. It is pure — facts and a clock in, a decision out —
// so the page planner (one query for 500 characters), the character workflow's last check and
// `starter plan` apply the same rules, and tests pin the clock.
package triage

import (
	"time"
)

// Outcomes a decision can take. The character workflow reports the fetch outcomes (synced,
// not_modified, unavailable, failed) itself.
const (
	Fetch        = "fetch"        // Battle.net requests are needed
	Idle         = "idle"         // same rating, wins and losses on every board as when last processed
	Reused       = "reused"       // idle detection off: processed within the reuse TTL
	Private      = "private"      // a profile 404 marked it private
	Unavailable  = "unavailable"  // a gear 404 put it on cooldown
	Deduplicated = "deduplicated" // another board of this run already handled it
)

// Why a character is fetched; `starter plan` breaks the requests down by these.
const (
	ReasonNew      = "new"       // never processed (new to the mirror)
	ReasonNewBoard = "new_board" // ranked on a board it was not on when last processed
	ReasonPlayed   = "played"    // rating, wins or losses moved
	// ReasonLeftBoard: ranked on a board of this run when last processed and not any more. Its stats
	// there cannot be read, and dropping out of a ladder usually means games lost on it.
	ReasonLeftBoard = "left_board"
	ReasonStale     = "stale"   // idle, but its gear was last read more than IdleMaxAge ago
	ReasonExpired   = "expired" // idle detection off and the reuse TTL has passed
)

// Rules are the operator's knobs.
type Rules struct {
	// IdleMaxAge bounds how long an idle character's gear may go unread (PVP_IDLE_MAX_AGE); 0 turns
	// idle detection off, and ReuseTTL decides instead.
	IdleMaxAge time.Duration
	// ReuseTTL (PVP_EQUIPMENT_SNAPSHOT_TTL_HOURS): with idle detection off, a character processed this
	// recently is copied instead of fetched, played or not.
	ReuseTTL time.Duration
	// MetaTTL (PVP_CHARACTER_META_TTL): refresh class, race and faction this often.
	MetaTTL time.Duration
}

// Stats is what a board entry says about the games a character played.
type Stats struct {
	LeaderboardID        int64
	Rating, Wins, Losses int
	Processed            bool // the entry already carries gear and talents
	// InRun, on a Previous entry: its board is synced by the run being decided (the board has
	// entries at that run's snapshot). Absent from such a board now, the character left it.
	InRun bool
}

// Facts is everything the rules read about one character at one snapshot.
type Facts struct {
	Private          bool
	UnavailableUntil *time.Time
	UnreadableAt     *time.Time // when a 404 last marked it private or unavailable

	Current  []Stats // its entries at the snapshot being synced, one per board
	Previous []Stats // its entries at ProcessedSnapshot

	// The snapshot it was last processed for, by which board and with which outcome.
	ProcessedSnapshot *time.Time
	ProcessedBy       int64
	ProcessedOutcome  string

	HasState      bool       // a gear build is stored for it (it was processed at least once)
	GearFetchedAt *time.Time // last time Battle.net answered its equipment (200 or 304)

	MetaKnown    bool // class, race and faction are known
	MetaSyncedAt *time.Time
}

// Decision is what the character needs.
type Decision struct {
	Outcome        string
	Reason         string // for Fetch: why
	RefreshProfile bool   // with Fetch: also refresh the profile summary
}

// Decide applies the rules. board is the leaderboard syncing the character: a character this board's
// own planner already copied (a retried planner) keeps its outcome instead of counting as deduplicated.
func Decide(f Facts, snapshot time.Time, board int64, now time.Time, r Rules) Decision {
	coolingDown := f.UnavailableUntil != nil && f.UnavailableUntil.After(now)
	if (f.Private || coolingDown) && f.UnreadableAt != nil && !f.UnreadableAt.Before(snapshot) {
		// Marked by another board's workflow during this very run: handled once already.
		return Decision{Outcome: Deduplicated}
	}
	switch {
	case f.Private:
		return Decision{Outcome: Private}
	case coolingDown:
		return Decision{Outcome: Unavailable}
	}
	if allProcessed(f.Current) {
		if f.ProcessedSnapshot != nil && f.ProcessedSnapshot.Equal(snapshot) && f.ProcessedBy == board &&
			(f.ProcessedOutcome == Idle || f.ProcessedOutcome == Reused) {
			return Decision{Outcome: f.ProcessedOutcome}
		}
		return Decision{Outcome: Deduplicated}
	}
	fetch := func(reason string) Decision {
		return Decision{Outcome: Fetch, Reason: reason, RefreshProfile: needsProfile(f, now, r)}
	}
	if !f.HasState || f.ProcessedSnapshot == nil || !f.ProcessedSnapshot.Before(snapshot) {
		return fetch(ReasonNew)
	}
	if r.IdleMaxAge <= 0 {
		if f.GearFetchedAt != nil && !f.GearFetchedAt.Before(now.Add(-r.ReuseTTL)) && r.ReuseTTL > 0 {
			return Decision{Outcome: Reused}
		}
		return fetch(ReasonExpired)
	}
	if reason := changed(f.Current, f.Previous); reason != "" {
		return fetch(reason)
	}
	if f.GearFetchedAt == nil || f.GearFetchedAt.Before(now.Add(-r.IdleMaxAge)) {
		return fetch(ReasonStale)
	}
	return Decision{Outcome: Idle}
}

// changed compares every board of this snapshot with the same board at the last processed snapshot:
// "" when the character played no rated game since, else why it must be fetched. A board of this run
// the character was ranked on and is not any more hides whether it played there: fetched too.
func changed(current, previous []Stats) string {
	prev := make(map[int64]Stats, len(previous))
	for _, p := range previous {
		prev[p.LeaderboardID] = p
	}
	reason := ""
	onBoard := make(map[int64]bool, len(current))
	for _, c := range current {
		onBoard[c.LeaderboardID] = true
		p, ok := prev[c.LeaderboardID]
		switch {
		case !ok:
			return ReasonNewBoard
		case p.Rating != c.Rating || p.Wins != c.Wins || p.Losses != c.Losses:
			reason = ReasonPlayed
		}
	}
	if reason != "" {
		return reason
	}
	for _, p := range previous {
		if p.InRun && !onBoard[p.LeaderboardID] {
			return ReasonLeftBoard
		}
	}
	return ""
}

func allProcessed(entries []Stats) bool {
	for _, e := range entries {
		if !e.Processed {
			return false
		}
	}
	return len(entries) > 0
}

func needsProfile(f Facts, now time.Time, r Rules) bool {
	return !f.MetaKnown || f.MetaSyncedAt == nil || f.MetaSyncedAt.Before(now.Add(-r.MetaTTL))
}
