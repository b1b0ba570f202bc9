package activities

import (
	"time"

	"github.com/pvpsync/pvpsync/store"
)

// Inputs and results of every activity. They are small on purpose: boards, rosters and raw JSON stay in
// PostgreSQL, and only ids, cursors, statuses and counters cross Temporal history. JSON names are
// snake_case so histories read like the API.

// RoutesInput asks which credentials may serve a region.
type RoutesInput struct {
	Region string `json:"region"`
}

// RoutesResult lists them (sorted) and how their budgets are scoped; the workflows turn a credential into
// its task queue (workflows.BattlenetQueue) and spread requests over them.
type RoutesResult struct {
	Credentials []string `json:"credentials"`
	Scope       string   `json:"scope"`
}

// DiscoverSeasonInput asks for the season (0 = current) and its bracket list.
type DiscoverSeasonInput struct {
	Region     string `json:"region"`
	Locale     string `json:"locale,omitempty"`
	Season     int64  `json:"season,omitempty"`
	Credential string `json:"credential"`
}

// DiscoverSeasonResult is the season and every bracket of its leaderboard index, in index order.
type DiscoverSeasonResult struct {
	Season     int64    `json:"season"`
	SeasonName string   `json:"season_name,omitempty"`
	Brackets   []string `json:"brackets"`
	Requests   int      `json:"requests"`
}

// SaveBoardInput names one board and the snapshot it is stored under.
type SaveBoardInput struct {
	Region     string    `json:"region"`
	Locale     string    `json:"locale,omitempty"`
	Season     int64     `json:"season"`
	Bracket    string    `json:"bracket"`
	SnapshotAt time.Time `json:"snapshot_at"`
	Credential string    `json:"credential"`
}

// SaveBoardResult says what was stored. Empty means Battle.net answered a board with no entries: nothing
// was written and the previous snapshot stays the latest.
type SaveBoardResult struct {
	LeaderboardID    int64      `json:"leaderboard_id"`
	Entries          int        `json:"entries"`
	Characters       int        `json:"characters"`
	Inserted         int        `json:"inserted"`
	Empty            bool       `json:"empty,omitempty"`
	PreviousSnapshot *time.Time `json:"previous_snapshot,omitempty"`
	Requests         int        `json:"requests"`
}

// Cursor is a keyset position in a board's roster (by rank, then character id).
type Cursor struct {
	Rank        int   `json:"rank"`
	CharacterID int64 `json:"character_id"`
}

// PlanInput asks for the next roster page of a board snapshot to be triaged.
type PlanInput struct {
	LeaderboardID int64     `json:"leaderboard_id"`
	SnapshotAt    time.Time `json:"snapshot_at"`
	After         Cursor    `json:"after"`
	Limit         int       `json:"limit"`
}

// FetchCharacter is a character of a page that needs Battle.net requests.
type FetchCharacter struct {
	CharacterID int64  `json:"character_id"`
	BlizzardID  int64  `json:"blizzard_id"`
	Name        string `json:"name"`
	RealmSlug   string `json:"realm_slug"`
	Rank        int    `json:"rank"`
	Reason      string `json:"reason"` // triage.Reason*
}

// PlanResult is one triaged page: how many characters needed nothing (their entries already written,
// for idle and reused ones), and the ones to fetch, in rank order.
type PlanResult struct {
	Rows         int              `json:"rows"`
	Last         Cursor           `json:"last"`
	Idle         int              `json:"idle,omitempty"`
	Reused       int              `json:"reused,omitempty"`
	Private      int              `json:"private,omitempty"`
	Unavailable  int              `json:"unavailable,omitempty"`
	Deduplicated int              `json:"deduplicated,omitempty"`
	Fetch        []FetchCharacter `json:"fetch,omitempty"`
}

// PrepareInput asks what a character sync has to do, right before it does it.
type PrepareInput struct {
	CharacterID   int64     `json:"character_id"`
	SnapshotAt    time.Time `json:"snapshot_at"`
	LeaderboardID int64     `json:"leaderboard_id,omitempty"`
}

// PrepareResult is the decision (a triage outcome) and what the requests need. An idle or reused
// character has already been written when this returns.
type PrepareResult struct {
	Outcome                     string `json:"outcome"`
	Region                      string `json:"region"`
	Name                        string `json:"name"`
	RealmSlug                   string `json:"realm_slug"`
	EquipmentLastModified       string `json:"equipment_last_modified,omitempty"`
	SpecializationsLastModified string `json:"specializations_last_modified,omitempty"`
	RefreshProfile              bool   `json:"refresh_profile,omitempty"`
}

// FetchInput is one Battle.net request for one character, made with one credential.
type FetchInput struct {
	CharacterID     int64  `json:"character_id"`
	Region          string `json:"region"`
	Locale          string `json:"locale,omitempty"`
	RealmSlug       string `json:"realm_slug"`
	Name            string `json:"name"`
	IfModifiedSince string `json:"if_modified_since,omitempty"`
	Credential      string `json:"credential"`
}

// Fetch statuses.
const (
	StatusFetched     = "fetched"
	StatusNotModified = "not_modified"
	StatusNotFound    = "not_found"
)

// FetchResult is the status of a fetch and the ids of what it stored (the payload itself, its gear
// build or its loadouts are in PostgreSQL).
type FetchResult struct {
	Status       string              `json:"status"`
	LastModified string              `json:"last_modified,omitempty"`
	Requests     int                 `json:"requests"`
	BuildID      int64               `json:"build_id,omitempty"`       // equipment
	Loadouts     []store.SpecLoadout `json:"loadouts,omitempty"`       // specializations
	ActiveSpecID int                 `json:"active_spec_id,omitempty"` // specializations
	ClassID      int                 `json:"class_id,omitempty"`       // specializations
}

// CommitInput ends a fetched character's sync: what each request answered moves its state, and the
// snapshot's entries get it.
type CommitInput struct {
	CharacterID     int64       `json:"character_id"`
	SnapshotAt      time.Time   `json:"snapshot_at"`
	LeaderboardID   int64       `json:"leaderboard_id,omitempty"`
	Outcome         string      `json:"outcome"`
	Equipment       FetchResult `json:"equipment"`
	Specializations FetchResult `json:"specializations"`
}

// CommitResult counts the entries written.
type CommitResult struct {
	Entries int `json:"entries"`
}

// MarkInput records that a character's gear answered 404: unavailable for the cooldown.
type MarkInput struct {
	CharacterID int64 `json:"character_id"`
}

// FreshnessInput asks how stale the gear of a board's ranked characters is.
type FreshnessInput struct {
	LeaderboardID int64     `json:"leaderboard_id"`
	SnapshotAt    time.Time `json:"snapshot_at"`
}

// FreshnessResult is the age of the oldest gear among the board's public characters at that snapshot.
type FreshnessResult struct {
	OldestGearSeconds int64 `json:"oldest_gear_seconds"`
}

// PurgeInput deletes snapshots older than the retention.
type PurgeInput struct {
	RetentionDays int `json:"retention_days,omitempty"`
	BatchSize     int `json:"batch_size,omitempty"`
}

// PurgeResult counts what was deleted.
type PurgeResult struct {
	Deleted   int64     `json:"deleted"`
	Before    time.Time `json:"before"`
	Builds    int64     `json:"builds,omitempty"`
	Loadouts  int64     `json:"loadouts,omitempty"`
	GearItems int64     `json:"gear_items,omitempty"`
}
