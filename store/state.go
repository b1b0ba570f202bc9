package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// A character's current state — its gear build (characters.gear_build_id), the spec it is in
// (talent_spec_id) and its loadout per spec (character_loadouts) — is what its entries reference.
// Processing a fetched character moves the state and writes it onto the snapshot's entries; an idle,
// reused or 304 character only writes the unchanged state onto the new entries: one small row each.

// writeEntryStateSQL points a character's entries at one snapshot to its current state. Each entry
// takes the loadout of its own spec: a shuffle-mage-frost entry shows frost talents even if the player
// logged out as fire; 2v2/3v3 entries take the spec the player is in. $1 snapshot, $2 character ids.
const writeEntryStateSQL = `UPDATE pvp_leaderboard_entries AS e SET
    gear_build_id = c.gear_build_id,
    spec_id = COALESCE(e.spec_id, c.talent_spec_id),
    talent_loadout_id = (SELECT x.talent_loadout_id FROM character_loadouts AS x
                         WHERE x.character_id = e.character_id AND x.spec_id = COALESCE(e.spec_id, c.talent_spec_id)),
    processed_at = now()
FROM characters AS c
WHERE c.id = e.character_id AND e.snapshot_at = $1 AND e.character_id = ANY($2::bigint[])`

// Claim asks to copy one character's state onto its entries of a snapshot with the given outcome
// (idle or reused).
type Claim struct {
	CharacterID int64
	Outcome     string
}

// copyStateSQL claims characters for this board (unless another board already processed them for this
// snapshot) and writes their state onto the snapshot's entries, in one statement. Characters are locked
// in id order, so concurrent planners of two boards cannot deadlock; the second one finds the character
// claimed and leaves it out. $1 ids (sorted), $2 outcomes, $3 snapshot, $4 board.
const copyStateSQL = `WITH v AS (SELECT * FROM unnest($1::bigint[], $2::text[]) AS v(id, outcome)),
locked AS (SELECT c.id FROM characters AS c WHERE c.id = ANY($1::bigint[]) ORDER BY c.id FOR UPDATE),
claimed AS (
    UPDATE characters AS c SET processed_snapshot_at = $3, processed_leaderboard_id = $4, processed_outcome = v.outcome
    FROM v JOIN locked USING (id)
    WHERE c.id = v.id AND c.gear_build_id IS NOT NULL
      AND (c.processed_snapshot_at IS NULL OR c.processed_snapshot_at < $3)
    RETURNING c.id, c.gear_build_id, c.talent_spec_id
),
written AS (
    UPDATE pvp_leaderboard_entries AS e SET
        gear_build_id = cl.gear_build_id,
        spec_id = COALESCE(e.spec_id, cl.talent_spec_id),
        talent_loadout_id = (SELECT x.talent_loadout_id FROM character_loadouts AS x
                             WHERE x.character_id = e.character_id AND x.spec_id = COALESCE(e.spec_id, cl.talent_spec_id)),
        processed_at = now()
    FROM claimed AS cl
    WHERE e.character_id = cl.id AND e.snapshot_at = $3
    RETURNING e.character_id
)
SELECT id FROM claimed ORDER BY id`

// CopyState writes the current state of the claimed characters onto their entries at snapshot, in one
// statement, and returns the ids this call claimed; the others were already processed for the snapshot
// (by another board) and are left alone.
func (s *Store) CopyState(ctx context.Context, snapshot time.Time, board int64, claims []Claim) ([]int64, error) {
	claims = uniqueBy(claims, func(c Claim) int64 { return c.CharacterID })
	if len(claims) == 0 {
		return nil, nil
	}
	ids, outcomes := make([]int64, len(claims)), make([]string, len(claims))
	for i, c := range claims {
		ids[i], outcomes[i] = c.CharacterID, c.Outcome
	}
	rows, err := s.Pool.Query(ctx, copyStateSQL, ids, outcomes, snapshot, board)
	if err != nil {
		return nil, fmt.Errorf("copy state of %d characters: %w", len(ids), err)
	}
	claimed, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("copy state of %d characters: %w", len(ids), err)
	}
	return claimed, nil
}

// EquipmentCommit is what the equipment request answered.
type EquipmentCommit struct {
	Answered     bool   // 200 or 304: the gear was read now
	BuildID      int64  // 200: the build SaveEquipment stored; 0 keeps the current one (304)
	LastModified string // 200: for the next If-Modified-Since
}

// TalentsCommit is what the specializations request answered.
type TalentsCommit struct {
	Answered     bool
	Fetched      bool // 200: Loadouts, ActiveSpecID, ClassID and LastModified replace the current state
	Loadouts     []SpecLoadout
	ActiveSpecID int
	ClassID      int
	LastModified string
}

// Commit is the end of one character's sync for one snapshot.
type Commit struct {
	CharacterID   int64
	SnapshotAt    time.Time
	LeaderboardID int64
	Outcome       string
	Equipment     EquipmentCommit
	Talents       TalentsCommit
}

// errNoEntries rolls a commit back: no entry of the snapshot would hold the new state.
var errNoEntries = errors.New("no entries at the snapshot")

// CommitCharacter moves the character's state to what was fetched and writes it onto its entries at
// the snapshot, in one transaction. A Last-Modified is only recorded together with entries holding the
// data (a later 304 copies from the state); with no entry at the snapshot nothing is written and 0 is
// returned.
func (s *Store) CommitCharacter(ctx context.Context, c Commit) (int, error) {
	if c.Equipment.BuildID == 0 && c.Equipment.LastModified != "" {
		return 0, fmt.Errorf("commit character %d: a Last-Modified without a build: %w", c.CharacterID, ErrInvalidRow)
	}
	var n int
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, commitCharacterSQL, c.CharacterID, zeroAsNull(c.Equipment.BuildID), c.Equipment.LastModified,
			c.Equipment.Answered, c.Talents.Fetched, c.Talents.ActiveSpecID, c.Talents.ClassID, c.Talents.LastModified,
			c.Talents.Answered, c.SnapshotAt, c.LeaderboardID, c.Outcome)
		if err != nil {
			return fmt.Errorf("update character: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return ErrNoCharacter
		}
		if c.Talents.Fetched {
			if err := replaceLoadouts(ctx, tx, c.CharacterID, c.Talents.Loadouts); err != nil {
				return err
			}
		}
		tag, err = tx.Exec(ctx, writeEntryStateSQL, c.SnapshotAt, []int64{c.CharacterID})
		if err != nil {
			return fmt.Errorf("write entries: %w", err)
		}
		if n = int(tag.RowsAffected()); n == 0 {
			return errNoEntries
		}
		return nil
	})
	if errors.Is(err, errNoEntries) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("commit character %d: %w", c.CharacterID, err)
	}
	return n, nil
}

// commitCharacterSQL: $2 build (NULL keeps), $3 its Last-Modified, $4 equipment answered, $5 talents
// fetched, $6 active spec, $7 class, $8 talents Last-Modified, $9 talents answered, $10 snapshot,
// $11 board, $12 outcome. The processed marks only move forward: replaying an older snapshot must not
// make idle detection compare against it.
const commitCharacterSQL = `UPDATE characters SET
    gear_build_id = COALESCE($2, gear_build_id),
    equipment_last_modified = CASE WHEN $2 IS NOT NULL THEN NULLIF($3::text, '') ELSE equipment_last_modified END,
    equipment_fetched_at = CASE WHEN $4 THEN now() ELSE equipment_fetched_at END,
    talent_spec_id = CASE WHEN $5 THEN COALESCE(NULLIF($6::integer, 0), talent_spec_id) ELSE talent_spec_id END,
    class_id = COALESCE(NULLIF($7::integer, 0), class_id),
    specializations_last_modified = CASE WHEN $5 THEN NULLIF($8::text, '') ELSE specializations_last_modified END,
    specializations_fetched_at = CASE WHEN $9 THEN now() ELSE specializations_fetched_at END,
    processed_leaderboard_id = CASE WHEN processed_snapshot_at IS NULL OR processed_snapshot_at <= $10 THEN $11 ELSE processed_leaderboard_id END,
    processed_outcome = CASE WHEN processed_snapshot_at IS NULL OR processed_snapshot_at <= $10 THEN $12 ELSE processed_outcome END,
    processed_snapshot_at = GREATEST(processed_snapshot_at, $10),
    updated_at = now()
WHERE id = $1`

// replaceLoadouts makes character_loadouts hold exactly the given specs, rewriting only what changed.
func replaceLoadouts(ctx context.Context, tx pgx.Tx, characterID int64, los []SpecLoadout) error {
	los = uniqueBy(los, func(l SpecLoadout) int64 { return int64(l.SpecID) })
	specs, ids := make([]int32, len(los)), make([]int64, len(los))
	for i, l := range los {
		if l.LoadoutID <= 0 {
			return fmt.Errorf("spec %d without a loadout id: %w", l.SpecID, ErrInvalidRow)
		}
		specs[i], ids[i] = *int32Ptr(l.SpecID), l.LoadoutID
	}
	_, err := tx.Exec(ctx, `WITH gone AS (
    DELETE FROM character_loadouts WHERE character_id = $1 AND NOT (spec_id = ANY($2::integer[]))
)
INSERT INTO character_loadouts (character_id, spec_id, talent_loadout_id)
SELECT $1, s, l FROM unnest($2::integer[], $3::bigint[]) AS v(s, l)
ON CONFLICT (character_id, spec_id) DO UPDATE SET talent_loadout_id = EXCLUDED.talent_loadout_id
WHERE character_loadouts.talent_loadout_id IS DISTINCT FROM EXCLUDED.talent_loadout_id`, characterID, specs, ids)
	if err != nil {
		return fmt.Errorf("replace loadouts: %w", err)
	}
	return nil
}

// sortedIDs returns ids sorted and without repeats.
func sortedIDs(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}
