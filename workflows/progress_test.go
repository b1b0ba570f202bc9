package workflows_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/pvpsync/pvpsync/workflows"
)

func TestProgressRecord(t *testing.T) {
	var p workflows.Progress
	p.RecordN(workflows.OutcomeIdle, 3)
	p.RecordN(workflows.OutcomePrivate, 0)
	p.Record(workflows.OutcomeSynced, 2, nil)
	p.Record(workflows.OutcomeNotModified, 2, nil)
	p.Record(workflows.OutcomeFailed, 3, &workflows.Failure{CharacterID: 1, Reason: "equipment: Transient: boom"})
	p.Record(workflows.OutcomeFailed, 0, nil)
	p.Record("surprise", 0, nil) // an outcome nobody knows is a failure, not lost

	assert.Equal(t, workflows.Progress{Done: 8, Idle: 3, Synced: 1, NotModified: 1, Failed: 3, Requests: 7,
		Failures: []workflows.Failure{{CharacterID: 1, Reason: "equipment: Transient: boom"}}}, p)
}

func TestProgressBoundsFailures(t *testing.T) {
	var p, q workflows.Progress
	for i := range 60 {
		p.Record(workflows.OutcomeFailed, 0, &workflows.Failure{CharacterID: int64(i)})
	}
	assert.Equal(t, 60, p.Failed, "every failure is counted")
	assert.Len(t, p.Failures, 50, "the list carried in history is bounded")

	q.Record(workflows.OutcomeFailed, 0, &workflows.Failure{CharacterID: 1000})
	q.Add(p)
	assert.Equal(t, 61, q.Failed)
	assert.Len(t, q.Failures, 50)
	assert.Equal(t, int64(1000), q.Failures[0].CharacterID, "the first failures are kept")
}

func TestProgressAdd(t *testing.T) {
	a := workflows.Progress{Total: 10, Done: 9, Synced: 1, Idle: 2, Reused: 1, NotModified: 1, Unavailable: 1, Private: 1,
		Deduplicated: 1, Failed: 1, Requests: 5, Failures: []workflows.Failure{{CharacterID: 1}}}
	var sum workflows.Progress
	sum.Add(a)
	sum.Add(a)
	assert.Equal(t, workflows.Progress{Total: 20, Done: 18, Synced: 2, Idle: 4, Reused: 2, NotModified: 2, Unavailable: 2, Private: 2,
		Deduplicated: 2, Failed: 2, Requests: 10, Failures: []workflows.Failure{{CharacterID: 1}, {CharacterID: 1}}}, sum)
}

func TestProgressString(t *testing.T) {
	p := workflows.Progress{Total: 1234567, Done: 4812, Synced: 12, Idle: 999, Requests: 1000}
	s := p.String()
	assert.Contains(t, s, "4,812/1,234,567 characters")
	assert.Contains(t, s, "idle 999")
	assert.Contains(t, s, "1,000 requests")
}

func TestNames(t *testing.T) {
	at := time.Date(2026, 11, 30, 8, 0, 0, 500, time.FixedZone("CET", 3600))
	assert.Equal(t, "pvp-sync.c1", workflows.BattlenetQueue("c1", "eu", workflows.ScopeCredential))
	assert.Equal(t, "pvp-sync.c1.eu", workflows.BattlenetQueue("c1", "eu", workflows.ScopeRegion))
	assert.Equal(t, "pvp-sync/eu/current/2026-11-30T07:00:00Z", workflows.RegionWorkflowID("eu", 0, at))
	assert.Equal(t, "pvp-sync/eu/40/2026-11-30T07:00:00Z", workflows.RegionWorkflowID("eu", 40, at))
	assert.Equal(t, "pvp-leaderboard/eu/3v3/2026-11-30T07:00:00Z", workflows.LeaderboardWorkflowID("eu", "3v3", at))
	assert.Equal(t, "pvp-character/eu/203590047", workflows.CharacterWorkflowID("eu", 203590047))
	assert.Equal(t, "pvp-sync-eu", workflows.ScheduleID("EU"))
	var names []string
	for _, sa := range workflows.SearchAttributeTypes {
		names = append(names, sa[0])
	}
	for _, key := range []interface{ GetName() string }{workflows.SearchRegion, workflows.SearchBracket, workflows.SearchSeason, workflows.SearchOutcome} {
		assert.Contains(t, names, key.GetName(), fmt.Sprintf("%s is registered on the namespace", key.GetName()))
	}
}
