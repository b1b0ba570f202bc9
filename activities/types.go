package activities

import "time"

// Inputs and results of every activity. They are small on purpose: boards, rosters and raw JSON stay in
// PostgreSQL, and only ids, cursors, statuses and counters cross Temporal history. JSON names are
// snake_case so histories read like the API.

// DiscoverSeasonInput asks for the season (0 = current) and its bracket list.
type DiscoverSeasonInput struct {
	Region string `json:"region"`
	Locale string `json:"locale,omitempty"`
	Season int64  `json:"season,omitempty"`
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

// RosterInput asks for the next page of a board snapshot.
type RosterInput struct {
	LeaderboardID int64     `json:"leaderboard_id"`
	SnapshotAt    time.Time `json:"snapshot_at"`
	After         Cursor    `json:"after"`
	Limit         int       `json:"limit"`
}

// RosterCharacter is one character of a roster page.
type RosterCharacter struct {
	CharacterID int64 `json:"character_id"`
	BlizzardID  int64 `json:"blizzard_id"`
	Rank        int   `json:"rank"`
	SpecID      int   `json:"spec_id,omitempty"`
}

// RosterResult is one page, in rank order.
type RosterResult struct {
	Characters []RosterCharacter `json:"characters"`
}

// PrepareInput asks what a character sync has to do.
type PrepareInput struct {
	CharacterID int64     `json:"character_id"`
	SnapshotAt  time.Time `json:"snapshot_at"`
}

// Skip reasons returned by PrepareCharacter.
const (
	SkipNone     = ""
	SkipPrivate  = "private"  // a profile 404 marked it private: no API call until a board shows it again
	SkipCooldown = "cooldown" // a 404 on gear less than PVP_UNAVAILABLE_COOLDOWN ago
	SkipDone     = "done"     // every entry of this snapshot is already processed (another board did it)
)

// PrepareResult is everything the character workflow needs to decide without touching Battle.net.
type PrepareResult struct {
	Skip                        string `json:"skip,omitempty"`
	Region                      string `json:"region"`
	Name                        string `json:"name"`
	RealmSlug                   string `json:"realm_slug"`
	ReuseEntryID                int64  `json:"reuse_entry_id,omitempty"`
	EquipmentLastModified       string `json:"equipment_last_modified,omitempty"`
	SpecializationsLastModified string `json:"specializations_last_modified,omitempty"`
	RefreshProfile              bool   `json:"refresh_profile,omitempty"`
}

// FetchInput is one Battle.net request for one character.
type FetchInput struct {
	CharacterID     int64     `json:"character_id"`
	Region          string    `json:"region"`
	Locale          string    `json:"locale,omitempty"`
	RealmSlug       string    `json:"realm_slug"`
	Name            string    `json:"name"`
	SnapshotAt      time.Time `json:"snapshot_at"`
	IfModifiedSince string    `json:"if_modified_since,omitempty"`
}

// Fetch statuses.
const (
	StatusFetched     = "fetched"
	StatusNotModified = "not_modified"
	StatusNotFound    = "not_found"
)

// FetchResult is the status of a fetch; the payload itself was stored in PostgreSQL.
type FetchResult struct {
	Status       string `json:"status"`
	LastModified string `json:"last_modified,omitempty"`
	Requests     int    `json:"requests"`
}

// Where the processing step takes a side's payload from.
const (
	SourceFetched = "fetched" // the raw JSON this run stored
	SourceLatest  = "latest"  // the newest stored raw JSON (a 304, or the spec side of a reuse)
	SourceReuse   = "reuse"   // copy the processed rows of ReuseEntryID (equipment side only)
	SourceSkip    = ""        // leave this side alone
)

// SideSource tells ProcessCharacter how to fill one side.
type SideSource struct {
	Source       string `json:"source,omitempty"`
	ReuseEntryID int64  `json:"reuse_entry_id,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

// ProcessInput processes both sides of a character for one snapshot (one transaction per side).
type ProcessInput struct {
	CharacterID     int64      `json:"character_id"`
	SnapshotAt      time.Time  `json:"snapshot_at"`
	Equipment       SideSource `json:"equipment"`
	Specializations SideSource `json:"specializations"`
}

// ProcessResult summarises what was written.
type ProcessResult struct {
	Entries      int    `json:"entries"`
	ItemLevel    int    `json:"item_level,omitempty"`
	TierSet      string `json:"tier_set,omitempty"`
	TierPieces   int    `json:"tier_pieces,omitempty"`
	SpecEntries  int    `json:"spec_entries,omitempty"`
	MissingSpecs int    `json:"missing_specs,omitempty"`
}

// MarkInput records that a character cannot be read: private (profile 404) or unavailable (gear 404).
type MarkInput struct {
	CharacterID int64 `json:"character_id"`
	Private     bool  `json:"private,omitempty"`
}

// PurgeInput deletes snapshots older than the retention.
type PurgeInput struct {
	RetentionDays int `json:"retention_days,omitempty"`
	BatchSize     int `json:"batch_size,omitempty"`
}

// PurgeResult counts what was deleted.
type PurgeResult struct {
	Deleted int64     `json:"deleted"`
	Before  time.Time `json:"before"`
}
