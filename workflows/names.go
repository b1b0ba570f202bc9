// Package workflows holds pvpsync's Temporal workflows: SyncRegion → SyncLeaderboard → SyncCharacter, and
// the retention workflow. Everything here is deterministic: no I/O, no wall clock, no map iteration.
package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
)

// Task queues, in one place: workflow tasks (and the local PostgreSQL steps), Battle.net requests (one
// rate-limited queue per credential, see BattlenetQueue), retention.
const (
	TaskQueueWorkflows  = "pvp-workflows"
	TaskQueueSync       = "pvp-sync" // prefix of the per-credential Battle.net queues
	TaskQueueProcessing = "pvp-processing"
)

// Quota scopes (PVP_QUOTA_SCOPE): Blizzard counts a credential's quota once, or once per region.
const (
	ScopeCredential = "credential"
	ScopeRegion     = "region"
)

// BattlenetQueue is the task queue of one credential's Battle.net budget: "pvp-sync.c1", or per region
// "pvp-sync.c1.eu". The Temporal server rate-limits each queue (TaskQueueActivitiesPerSecond), so the
// budget holds across every worker and every restart; every worker polls every credential's queue.
func BattlenetQueue(credential, region, scope string) string {
	if scope == ScopeRegion {
		return TaskQueueSync + "." + credential + "." + region
	}
	return TaskQueueSync + "." + credential
}

// Registered workflow type names: stable, so CLI starts and schedules survive refactors.
const (
	SyncRegionName      = "SyncRegion"
	SyncLeaderboardName = "SyncLeaderboard"
	SyncCharacterName   = "SyncCharacter"
	PurgeSnapshotsName  = "PurgeSnapshots"
)

// Change ids for workflow.GetVersion, one per change that altered a workflow's commands after runs of
// it were recorded (workflows/testdata/histories). A run that started before a change replays the old
// path; new runs take the new one. Remove an id only once no run older than its change can be open.
const (
	changeForecast         = "forecast"           // SyncRegion: Forecast activity between the two phases
	changeRefreshMeta      = "refresh-meta"       // SyncRegion: RefreshMeta activity after the boards
	changeRefreshMetaBoard = "refresh-meta-board" // SyncLeaderboard started on its own: RefreshMeta at its end
	changeRefreshMetaPurge = "refresh-meta-purge" // PurgeSnapshots: RefreshMeta after deleting
)

// ProgressQuery is the query every sync workflow answers with its counters.
const ProgressQuery = "progress"

// Custom search attributes, so an operator can filter `PvpRegion = "eu" AND PvpBracket = "3v3"`.
var (
	SearchRegion  = temporal.NewSearchAttributeKeyKeyword("PvpRegion")
	SearchBracket = temporal.NewSearchAttributeKeyKeyword("PvpBracket")
	SearchSeason  = temporal.NewSearchAttributeKeyInt64("PvpSeason")
	SearchOutcome = temporal.NewSearchAttributeKeyKeyword("PvpOutcome") // character workflows: PvpOutcome = "failed"
)

// SearchAttributeTypes lists the attributes to register on a namespace (name → CLI type).
var SearchAttributeTypes = [][2]string{{"PvpRegion", "Keyword"}, {"PvpBracket", "Keyword"}, {"PvpSeason", "Int"}, {"PvpOutcome", "Keyword"}}

// snapshotKey formats a snapshot time for ids: second precision, UTC, RFC 3339.
func snapshotKey(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// RegionWorkflowID reads "pvp-sync/eu/42/2026-11-30T08:00:00Z" (season "current" when not given).
func RegionWorkflowID(region string, season int64, at time.Time) string {
	s := "current"
	if season > 0 {
		s = fmt.Sprint(season)
	}
	return fmt.Sprintf("pvp-sync/%s/%s/%s", region, s, snapshotKey(at))
}

// LeaderboardWorkflowID reads "pvp-leaderboard/eu/3v3/2026-11-30T08:00:00Z".
func LeaderboardWorkflowID(region, bracket string, snapshot time.Time) string {
	return fmt.Sprintf("pvp-leaderboard/%s/%s/%s", region, bracket, snapshotKey(snapshot))
}

// CharacterWorkflowID reads "pvp-character/eu/203590047". One per character: a running one means the
// character is already being synced, which is how boards deduplicate shared characters.
func CharacterWorkflowID(region string, blizzardID int64) string {
	return fmt.Sprintf("pvp-character/%s/%d", region, blizzardID)
}

// ScheduleID is the id of a region's recurring sync.
func ScheduleID(region string) string { return "pvp-sync-" + strings.ToLower(region) }

// PurgeScheduleID is the id of the retention schedule.
const PurgeScheduleID = "pvp-retention"
