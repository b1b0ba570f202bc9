package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

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
