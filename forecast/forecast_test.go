package forecast

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/store"
	"github.com/pvpsync/pvpsync/triage"
)

var (
	prev  = time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)
	next  = prev.Add(6 * time.Hour)
	now   = next.Add(time.Minute)
	rules = triage.Rules{IdleMaxAge: 24 * time.Hour, ReuseTTL: 24 * time.Hour, MetaTTL: 7 * 24 * time.Hour}
)

func at(t time.Time) *time.Time { return &t }

// known is a character processed at prev on the boards listed, with the stats given.
func known(id int64, stats ...triage.Stats) store.CharacterFacts {
	f := store.CharacterFacts{CharacterID: id, BlizzardID: 1000 + id}
	f.Previous = stats
	f.ProcessedSnapshot, f.HasState, f.GearFetchedAt = at(prev), true, at(prev)
	f.MetaKnown, f.MetaSyncedAt = true, at(prev)
	return f
}

func entry(id int64, rank, rating, wins, losses int) battlenet.LeaderboardEntry {
	return battlenet.LeaderboardEntry{Character: battlenet.EntryCharacter{ID: 1000 + id, Name: "x"}, Rank: rank, Rating: rating,
		SeasonMatchStatistics: battlenet.MatchStatistics{Won: wins, Lost: losses, Played: wins + losses}}
}

func TestFetchedBoardsAreDecidedAcrossBoards(t *testing.T) {
	facts := map[int64]store.CharacterFacts{
		1001: known(1, triage.Stats{LeaderboardID: 1, Rating: 2000, Wins: 10, Losses: 5}, triage.Stats{LeaderboardID: 2, Rating: 1800, Wins: 3, Losses: 3}),
		1002: known(2, triage.Stats{LeaderboardID: 1, Rating: 1900, Wins: 8, Losses: 8}),
	}
	boards := FromBoards([]FetchedBoard{
		{Bracket: "3v3", Board: 1, Entries: []battlenet.LeaderboardEntry{entry(1, 1, 2000, 10, 5), entry(2, 2, 1900, 8, 8), entry(3, 3, 1850, 4, 1)}},
		// Character 1 played on board 2 only: idle on 3v3, but it must be fetched.
		{Bracket: "2v2", Board: 2, Entries: []battlenet.LeaderboardEntry{entry(1, 1, 1812, 4, 3)}},
	}, facts)
	f := Count("us", next, now, rules, boards)
	assert.Equal(t, Counts{Ranked: 3, Idle: 1, Fetch: 2, FetchReasons: map[string]int{triage.ReasonPlayed: 1, triage.ReasonNew: 1}, ProfileRefresh: 1}, f.Characters)
	assert.Equal(t, 2*2+1+2+DiscoveryRequests, f.Requests, "two per fetched character, a profile for the new one, one per board, the discovery")
	assert.Equal(t, 1, f.Boards[1].Deduplicated, "its 2v2 entry is the same character")
	out := Table(f, Budget{Credentials: 2, RPS: 10}, 6*time.Hour)
	assert.Contains(t, out, "fits the 6h0m0s schedule interval")
	assert.True(t, strings.Contains(out, "played 1"), out)
}

func TestAsNextRunIsTheNobodyPlayedBound(t *testing.T) {
	f := known(1)
	f.Current = []triage.Stats{{LeaderboardID: 1, Rating: 2000, Processed: true}}
	f.Previous = nil // processed at the stored snapshot itself: its entries are the current ones
	next := AsNextRun([]store.CharacterFacts{f}, prev)
	assert.False(t, next[0].Current[0].Processed)
	assert.Equal(t, next[0].Current[0].Rating, next[0].Previous[0].Rating)
	c := Count("us", now, now, rules, []Entries{{Bracket: "3v3", Board: 1, Facts: next}})
	assert.Equal(t, 1, c.Characters.Idle)
	assert.Equal(t, 1+DiscoveryRequests, c.Requests, "only the board and discovery requests")
}

func TestBudgetDuration(t *testing.T) {
	assert.Equal(t, time.Hour, Budget{Credentials: 1, RPS: 10}.Duration(36000))
	assert.Equal(t, 30*time.Minute, Budget{Credentials: 2, RPS: 10}.Duration(36000))
	assert.Zero(t, Budget{}.Duration(5))
	assert.Contains(t, Table(Forecast{Requests: 720001}, Budget{Credentials: 1, RPS: 10}, 6*time.Hour), "does NOT fit")
}
