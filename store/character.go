package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
)

// Side names one of the two per-character profile resources a run fetches.
type Side string

const (
	SideEquipment       Side = "equipment"
	SideSpecializations Side = "specializations"
)

// rawColumn maps a side to its jsonb column. Column names come from this switch only, never from input.
func (sd Side) rawColumn() (string, error) {
	switch sd {
	case SideEquipment:
		return "raw_equipment", nil
	case SideSpecializations:
		return "raw_specialization", nil
	}
	return "", fmt.Errorf("unknown side %q: %w", string(sd), ErrInvalidRow)
}

// Character is one row of characters. Zero values stand for unknown (NULL) columns.
type Character struct {
	ID, BlizzardID                                     int64
	Region, Name, RealmSlug, Faction                   string
	ClassID, RaceID                                    int // 0 unknown
	IsPrivate                                          bool
	UnavailableUntil                                   *time.Time
	EquipmentLastModified, SpecializationsLastModified string
	MetaSyncedAt                                       *time.Time
	UnreadableAt                                       *time.Time // last marked private or unavailable
}

// ErrNoCharacter is returned when a character id matches no row.
var ErrNoCharacter = errors.New("store: no such character")

// ErrNoEntry is returned when an entry id matches no row (e.g. retention removed it meanwhile).
var ErrNoEntry = errors.New("store: no such leaderboard entry")

// Character loads one character.
func (s *Store) Character(ctx context.Context, id int64) (Character, error) {
	const q = `SELECT id, blizzard_id, region, name, realm_slug, COALESCE(faction, ''),
       COALESCE(class_id, 0), COALESCE(race_id, 0), is_private, unavailable_until,
       COALESCE(equipment_last_modified, ''), COALESCE(specializations_last_modified, ''), meta_synced_at,
       unreadable_at
FROM characters WHERE id = $1`
	var c Character
	err := s.Pool.QueryRow(ctx, q, id).Scan(&c.ID, &c.BlizzardID, &c.Region, &c.Name, &c.RealmSlug, &c.Faction,
		&c.ClassID, &c.RaceID, &c.IsPrivate, &c.UnavailableUntil,
		&c.EquipmentLastModified, &c.SpecializationsLastModified, &c.MetaSyncedAt, &c.UnreadableAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Character{}, fmt.Errorf("load character %d: %w", id, ErrNoCharacter)
	}
	if err != nil {
		return Character{}, fmt.Errorf("load character %d: %w", id, err)
	}
	return c, nil
}

// SnapshotEntry is one of the character's entries at one snapshot (one per board it is ranked on).
type SnapshotEntry struct {
	ID, LeaderboardID  int64
	SpecID             int  // 0 none
	EquipmentProcessed bool // equipment_processed_at is set (fetched, copied or reused)
}

// SnapshotEntries lists the character's entries written at snapshotAt, ordered by id.
func (s *Store) SnapshotEntries(ctx context.Context, characterID int64, snapshotAt time.Time) ([]SnapshotEntry, error) {
	const q = `SELECT id, pvp_leaderboard_id, COALESCE(spec_id, 0), equipment_processed_at IS NOT NULL
FROM pvp_leaderboard_entries WHERE character_id = $1 AND snapshot_at = $2 ORDER BY id`
	rows, err := s.Pool.Query(ctx, q, characterID, snapshotAt)
	if err != nil {
		return nil, fmt.Errorf("list snapshot entries of character %d: %w", characterID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (SnapshotEntry, error) {
		var e SnapshotEntry
		err := r.Scan(&e.ID, &e.LeaderboardID, &e.SpecID, &e.EquipmentProcessed)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("list snapshot entries of character %d: %w", characterID, err)
	}
	return out, nil
}

// ReusableSnapshot points at an entry whose equipment is fresh enough to copy instead of fetching again.
type ReusableSnapshot struct {
	EntryID                 int64
	SnapshotAt, ProcessedAt time.Time
}

// latestReusableEquipmentSQL is written so the planner can walk the partial index
// index_entries_on_character_id_and_equipment_processed_at backwards and stop at the first row. The
// IS NOT NULL spells out the index predicate, so eligibility does not rest on the planner inferring it
// from the strict >= comparison.
const latestReusableEquipmentSQL = `SELECT id, snapshot_at, equipment_processed_at
FROM pvp_leaderboard_entries
WHERE character_id = $1 AND equipment_processed_at IS NOT NULL AND equipment_processed_at >= $2
ORDER BY equipment_processed_at DESC
LIMIT 1`

// LatestReusableEquipment finds the character's newest entry whose equipment was processed at or after since.
func (s *Store) LatestReusableEquipment(ctx context.Context, characterID int64, since time.Time) (ReusableSnapshot, bool, error) {
	var r ReusableSnapshot
	err := s.Pool.QueryRow(ctx, latestReusableEquipmentSQL, characterID, since).Scan(&r.EntryID, &r.SnapshotAt, &r.ProcessedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return ReusableSnapshot{}, false, nil
	}
	if err != nil {
		return ReusableSnapshot{}, false, fmt.Errorf("find reusable equipment of character %d: %w", characterID, err)
	}
	return r, true, nil
}

// StoreRaw writes the raw payload of one side onto this snapshot's entries of the character and clears
// that side's payload on the character's older entries in the same transaction, so the table keeps one
// raw document per character and side instead of one per run.
func (s *Store) StoreRaw(ctx context.Context, characterID int64, snapshotAt time.Time, side Side, raw []byte) (int, error) {
	col, err := side.rawColumn()
	if err != nil {
		return 0, fmt.Errorf("store raw payload of character %d: %w", characterID, err)
	}
	if !json.Valid(raw) {
		return 0, fmt.Errorf("store raw %s of character %d: payload is not JSON: %w", side, characterID, ErrInvalidRow)
	}
	setQ := `UPDATE pvp_leaderboard_entries SET ` + col + ` = $3, updated_at = now()
WHERE character_id = $1 AND snapshot_at = $2`
	clearQ := `UPDATE pvp_leaderboard_entries SET ` + col + ` = NULL, updated_at = now()
WHERE character_id = $1 AND snapshot_at < $2 AND ` + col + ` IS NOT NULL`
	var n int
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, setQ, characterID, snapshotAt, raw)
		if err != nil {
			return err
		}
		n = int(tag.RowsAffected())
		if n == 0 {
			// Nothing newer was written, so the older payload is still the latest one: keep it.
			return nil
		}
		_, err = tx.Exec(ctx, clearQ, characterID, snapshotAt)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store raw %s of character %d: %w", side, characterID, err)
	}
	return n, nil
}

// LatestRaw returns the newest stored raw payload of one side, whatever snapshot holds it.
func (s *Store) LatestRaw(ctx context.Context, characterID int64, side Side) (int64, []byte, bool, error) {
	col, err := side.rawColumn()
	if err != nil {
		return 0, nil, false, fmt.Errorf("load raw payload of character %d: %w", characterID, err)
	}
	q := `SELECT id, ` + col + ` FROM pvp_leaderboard_entries
WHERE character_id = $1 AND ` + col + ` IS NOT NULL
ORDER BY snapshot_at DESC, id DESC LIMIT 1`
	var (
		id  int64
		raw []byte
	)
	err = s.Pool.QueryRow(ctx, q, characterID).Scan(&id, &raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil, false, nil
	}
	if err != nil {
		return 0, nil, false, fmt.Errorf("load raw %s of character %d: %w", side, characterID, err)
	}
	return id, raw, true, nil
}

// EntrySpec is the specialization data of one entry. Talents and PvpTalents are JSON documents (nil = none).
type EntrySpec struct {
	EntryID      int64
	SpecID       int
	HeroTreeID   int64
	HeroTreeName string
	LoadoutCode  string
	Talents      []byte
	PvpTalents   []byte
}

// saveSpecializationsSQL updates every listed entry in one statement. Arrays keep the parameter count
// fixed whatever the number of entries. spec_id is only filled where it is NULL: a per-spec board fixes
// the spec, and the character's active spec must not overwrite it.
const saveSpecializationsSQL = `UPDATE pvp_leaderboard_entries AS e SET
    spec_id = COALESCE(e.spec_id, NULLIF(v.spec_id, 0)),
    hero_talent_tree_id = NULLIF(v.hero_tree_id, 0),
    hero_talent_tree_name = NULLIF(v.hero_tree_name, ''),
    talent_loadout_code = NULLIF(v.loadout_code, ''),
    talents = v.talents::jsonb,
    pvp_talents = v.pvp_talents::jsonb,
    specialization_processed_at = $8,
    updated_at = now()
FROM unnest($1::bigint[], $2::integer[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[])
    AS v(entry_id, spec_id, hero_tree_id, hero_tree_name, loadout_code, talents, pvp_talents)
WHERE e.id = v.entry_id AND e.character_id = $9`

// SaveSpecializations writes talents onto the listed entries of the character and, when known, the
// character's class and the Last-Modified of its specializations resource. Entries of other characters
// are ignored. Returns the number of entries updated.
func (s *Store) SaveSpecializations(ctx context.Context, characterID int64, processedAt time.Time, rows []EntrySpec, classID int, lastModified string) (int, error) {
	sorted := append([]EntrySpec(nil), rows...)
	// Sorted so concurrent writers touching the same entries lock them in the same order.
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].EntryID < sorted[j].EntryID })
	var (
		ids        = make([]int64, len(sorted))
		specIDs    = make([]int32, len(sorted))
		heroIDs    = make([]int64, len(sorted))
		heroNames  = make([]string, len(sorted))
		loadouts   = make([]string, len(sorted))
		talents    = make([]*string, len(sorted))
		pvpTalents = make([]*string, len(sorted))
	)
	for i, r := range sorted {
		if i > 0 && r.EntryID == sorted[i-1].EntryID {
			return 0, fmt.Errorf("save specializations of character %d: entry %d listed twice: %w", characterID, r.EntryID, ErrInvalidRow)
		}
		// spec_id is an integer column: a value outside int32 would wrap silently in the conversion below.
		if r.SpecID < 0 || r.SpecID > math.MaxInt32 {
			return 0, fmt.Errorf("save specializations of character %d: spec id %d of entry %d out of range: %w", characterID, r.SpecID, r.EntryID, ErrInvalidRow)
		}
		var err error
		if talents[i], err = optionalJSON(r.Talents); err != nil {
			return 0, fmt.Errorf("save specializations of character %d: talents of entry %d: %w", characterID, r.EntryID, err)
		}
		if pvpTalents[i], err = optionalJSON(r.PvpTalents); err != nil {
			return 0, fmt.Errorf("save specializations of character %d: pvp talents of entry %d: %w", characterID, r.EntryID, err)
		}
		ids[i], specIDs[i], heroIDs[i] = r.EntryID, int32(r.SpecID), r.HeroTreeID
		heroNames[i], loadouts[i] = r.HeroTreeName, r.LoadoutCode
	}

	var n int
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if len(sorted) > 0 {
			tag, err := tx.Exec(ctx, saveSpecializationsSQL, ids, specIDs, heroIDs, heroNames, loadouts, talents, pvpTalents, processedAt, characterID)
			if err != nil {
				return fmt.Errorf("update entries: %w", err)
			}
			n = int(tag.RowsAffected())
		}
		// A Last-Modified with no entry holding the data would let the next run's 304 skip a character
		// whose talents were never stored, so it is only recorded alongside at least one entry.
		if n == 0 {
			lastModified = ""
		}
		if classID <= 0 && lastModified == "" {
			return nil
		}
		_, err := tx.Exec(ctx, `UPDATE characters SET
    class_id = CASE WHEN $2::integer > 0 THEN $2::integer ELSE class_id END,
    specializations_last_modified = COALESCE(NULLIF($3::text, ''), specializations_last_modified),
    updated_at = now()
WHERE id = $1`, characterID, classID, lastModified)
		if err != nil {
			return fmt.Errorf("update character: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("save specializations of character %d: %w", characterID, err)
	}
	return n, nil
}

// optionalJSON turns an optional JSON document into a nullable text parameter, rejecting invalid JSON
// before anything is written.
func optionalJSON(doc []byte) (*string, error) {
	if len(doc) == 0 {
		return nil, nil
	}
	if !json.Valid(doc) {
		return nil, fmt.Errorf("not JSON: %w", ErrInvalidRow)
	}
	str := string(doc)
	return &str, nil
}

// MarkPrivate records that Battle.net hides the character's profile.
func (s *Store) MarkPrivate(ctx context.Context, characterID int64) error {
	return s.updateCharacter(ctx, fmt.Sprintf("mark character %d private", characterID),
		`UPDATE characters SET is_private = true, unreadable_at = now(), updated_at = now() WHERE id = $1`, characterID)
}

// MarkUnavailable makes the sync skip the character until the given time.
func (s *Store) MarkUnavailable(ctx context.Context, characterID int64, until time.Time) error {
	return s.updateCharacter(ctx, fmt.Sprintf("mark character %d unavailable", characterID),
		`UPDATE characters SET unavailable_until = $2, unreadable_at = now(), updated_at = now() WHERE id = $1`, characterID, until)
}

// ProfileMeta is what the profile summary adds to a character. Zero values mean "not in the response"
// and keep what is stored.
type ProfileMeta struct {
	ClassID, RaceID                int
	Race, Faction                  string
	Level, ActiveSpecID, ItemLevel int
	LastLoginAt                    *time.Time
}

// SaveProfile stores profile metadata. A profile that answered is visible, so the character is no longer
// private nor unavailable.
func (s *Store) SaveProfile(ctx context.Context, characterID int64, m ProfileMeta) error {
	const q = `UPDATE characters SET
    class_id = COALESCE(NULLIF($2::integer, 0), class_id),
    race_id = COALESCE(NULLIF($3::integer, 0), race_id),
    race = COALESCE(NULLIF($4::text, ''), race),
    faction = COALESCE(NULLIF($5::text, ''), faction),
    level = COALESCE(NULLIF($6::integer, 0), level),
    active_spec_id = COALESCE(NULLIF($7::integer, 0), active_spec_id),
    profile_item_level = COALESCE(NULLIF($8::integer, 0), profile_item_level),
    last_login_at = COALESCE($9::timestamptz, last_login_at),
    is_private = false,
    unavailable_until = NULL,
    meta_synced_at = now(),
    updated_at = now()
WHERE id = $1`
	return s.updateCharacter(ctx, fmt.Sprintf("save profile of character %d", characterID), q,
		characterID, m.ClassID, m.RaceID, m.Race, m.Faction, m.Level, m.ActiveSpecID, m.ItemLevel, m.LastLoginAt)
}

// updateCharacter runs a one-row update of characters and reports a missing row as ErrNoCharacter.
func (s *Store) updateCharacter(ctx context.Context, what, q string, args ...any) error {
	tag, err := s.Pool.Exec(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%s: %w", what, ErrNoCharacter)
	}
	return nil
}
