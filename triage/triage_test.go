package triage

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

var (
	snap  = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	prev  = snap.Add(-6 * time.Hour)
	now   = snap.Add(10 * time.Minute)
	rules = Rules{IdleMaxAge: 24 * time.Hour, ReuseTTL: 24 * time.Hour, MetaTTL: 7 * 24 * time.Hour}
)

func at(t time.Time) *time.Time { return &t }

// known is a character processed at the previous snapshot on boards 1 and 2 whose stats have not moved.
func known() Facts {
	return Facts{
		Current:           []Stats{{LeaderboardID: 1, Rating: 2400, Wins: 50, Losses: 40}, {LeaderboardID: 2, Rating: 1800, Wins: 10, Losses: 12}},
		Previous:          []Stats{{LeaderboardID: 1, Rating: 2400, Wins: 50, Losses: 40, Processed: true}, {LeaderboardID: 2, Rating: 1800, Wins: 10, Losses: 12, Processed: true}},
		ProcessedSnapshot: at(prev), ProcessedBy: 1, ProcessedOutcome: "synced",
		HasState: true, GearFetchedAt: at(prev.Add(time.Minute)),
		MetaKnown: true, MetaSyncedAt: at(prev),
	}
}

func TestIdleCostsNothing(t *testing.T) {
	assert.Equal(t, Decision{Outcome: Idle}, Decide(known(), snap, 1, now, rules))
}

func TestPlayedOnOneBoardIsFetched(t *testing.T) {
	for name, mut := range map[string]func(*Stats){
		"rating": func(s *Stats) { s.Rating += 12 },
		"wins":   func(s *Stats) { s.Wins++ },
		"losses": func(s *Stats) { s.Losses++ },
	} {
		t.Run(name, func(t *testing.T) {
			f := known()
			mut(&f.Current[1]) // idle on board 1, active on board 2
			d := Decide(f, snap, 1, now, rules)
			assert.Equal(t, Fetch, d.Outcome)
			assert.Equal(t, ReasonPlayed, d.Reason)
			assert.False(t, d.RefreshProfile)
		})
	}
}

func TestNewToBoardOrMirrorIsFetched(t *testing.T) {
	f := known()
	f.Current = append(f.Current, Stats{LeaderboardID: 3, Rating: 1500})
	assert.Equal(t, Decision{Outcome: Fetch, Reason: ReasonNewBoard}, Decide(f, snap, 1, now, rules))

	fresh := Facts{Current: []Stats{{LeaderboardID: 1, Rating: 2000}}}
	assert.Equal(t, Decision{Outcome: Fetch, Reason: ReasonNew, RefreshProfile: true}, Decide(fresh, snap, 1, now, rules))
}

// A character who dropped off a board of this run may have played (and lost) there: its stats on that
// board cannot be read, so it is fetched. A board the run does not sync says nothing.
func TestLeftABoardOfTheRunIsFetched(t *testing.T) {
	f := known()
	f.Current = f.Current[:1] // still on board 1, unchanged; gone from board 2
	assert.Equal(t, Decision{Outcome: Idle}, Decide(f, snap, 1, now, rules), "board 2 is not synced by this run")
	f.Previous[1].InRun = true
	assert.Equal(t, Decision{Outcome: Fetch, Reason: ReasonLeftBoard}, Decide(f, snap, 1, now, rules))
	f.Current[0].Wins++
	assert.Equal(t, ReasonPlayed, Decide(f, snap, 1, now, rules).Reason, "played on a board it is still on says more")
}

func TestIdleMaxAgeBoundsStaleness(t *testing.T) {
	f := known()
	f.GearFetchedAt = at(now.Add(-rules.IdleMaxAge))
	assert.Equal(t, Idle, Decide(f, snap, 1, now, rules).Outcome, "exactly the maximum age is still idle")
	f.GearFetchedAt = at(now.Add(-rules.IdleMaxAge - time.Second))
	assert.Equal(t, Decision{Outcome: Fetch, Reason: ReasonStale}, Decide(f, snap, 1, now, rules))
}

func TestIdleOffFallsBackToReuseTTL(t *testing.T) {
	off := rules
	off.IdleMaxAge = 0
	f := known()
	f.Current[0].Wins++ // played: with idle detection off only the TTL decides
	f.GearFetchedAt = at(now.Add(-off.ReuseTTL))
	assert.Equal(t, Decision{Outcome: Reused}, Decide(f, snap, 1, now, off), "reuse cutoff is inclusive at exactly the TTL")
	f.GearFetchedAt = at(now.Add(-off.ReuseTTL - time.Nanosecond))
	assert.Equal(t, Decision{Outcome: Fetch, Reason: ReasonExpired}, Decide(f, snap, 1, now, off))
	off.ReuseTTL = 0
	f.GearFetchedAt = at(now)
	assert.Equal(t, Fetch, Decide(f, snap, 1, now, off).Outcome, "a zero TTL never reuses")
}

func TestCooldownExpiry(t *testing.T) {
	f := known()
	f.UnavailableUntil = at(now.Add(time.Second))
	assert.Equal(t, Decision{Outcome: Unavailable}, Decide(f, snap, 1, now, rules))
	f.UnavailableUntil = at(now)
	assert.Equal(t, Idle, Decide(f, snap, 1, now, rules).Outcome, "a cooldown ending now is over")
}

func TestMetaTTLRefresh(t *testing.T) {
	f := known()
	f.Current[0].Wins++
	f.MetaSyncedAt = at(now.Add(-rules.MetaTTL))
	assert.False(t, Decide(f, snap, 1, now, rules).RefreshProfile, "exactly the TTL old is still fresh")
	f.MetaSyncedAt = at(now.Add(-rules.MetaTTL - time.Second))
	assert.True(t, Decide(f, snap, 1, now, rules).RefreshProfile)
	f.MetaSyncedAt, f.MetaKnown = at(now), false
	assert.True(t, Decide(f, snap, 1, now, rules).RefreshProfile, "unknown class, race or faction")
}

func TestPrivateAndDeduplicated(t *testing.T) {
	f := known()
	f.Private = true
	assert.Equal(t, Private, Decide(f, snap, 1, now, rules).Outcome)
	f.UnreadableAt = at(snap.Add(time.Minute))
	assert.Equal(t, Deduplicated, Decide(f, snap, 1, now, rules).Outcome, "marked during this run by another board")

	done := known()
	for i := range done.Current {
		done.Current[i].Processed = true
	}
	done.ProcessedSnapshot, done.ProcessedBy, done.ProcessedOutcome = at(snap), 2, Idle
	assert.Equal(t, Deduplicated, Decide(done, snap, 1, now, rules).Outcome, "board 2 copied it")
	assert.Equal(t, Idle, Decide(done, snap, 2, now, rules).Outcome, "board 2's planner, retried, keeps its outcome")
	done.ProcessedOutcome = "synced"
	assert.Equal(t, Deduplicated, Decide(done, snap, 2, now, rules).Outcome)
}

func TestProcessedLaterSnapshotIsNotIdle(t *testing.T) {
	f := known()
	f.ProcessedSnapshot = at(snap.Add(time.Hour)) // replaying an older snapshot
	assert.Equal(t, Decision{Outcome: Fetch, Reason: ReasonNew}, Decide(f, snap, 1, now, rules))
}
