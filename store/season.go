package store

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pvpsync/pvpsync/battlenet"
)

// Season is one PvP season as the season index describes it.
type Season struct {
	BlizzardID int64
	Name       string
	StartsAt   *time.Time
	EndsAt     *time.Time
}

// A sparse season document (no name, no end yet) must not erase what an earlier, fuller one told us,
// hence COALESCE on every descriptive column.
const upsertSeasonSQL = `INSERT INTO pvp_seasons (blizzard_id, name, starts_at, ends_at)
VALUES ($1, $2, $3, $4)
ON CONFLICT (blizzard_id) DO UPDATE SET
    name       = COALESCE(EXCLUDED.name, pvp_seasons.name),
    starts_at  = COALESCE(EXCLUDED.starts_at, pvp_seasons.starts_at),
    ends_at    = COALESCE(EXCLUDED.ends_at, pvp_seasons.ends_at),
    updated_at = now()
RETURNING id`

// UpsertSeason creates or refreshes a season by its Battle.net id and returns our id for it.
func (s *Store) UpsertSeason(ctx context.Context, season Season) (int64, error) {
	// pvp_seasons.blizzard_id is an integer column; reject what it cannot hold instead of failing in SQL.
	if season.BlizzardID <= 0 || season.BlizzardID > math.MaxInt32 {
		return 0, fmt.Errorf("upsert season: %w: blizzard id %d out of range", ErrInvalidRow, season.BlizzardID)
	}
	var name *string
	if season.Name != "" {
		name = &season.Name
	}
	var id int64
	if err := s.Pool.QueryRow(ctx, upsertSeasonSQL, season.BlizzardID, name, season.StartsAt, season.EndsAt).Scan(&id); err != nil {
		return 0, fmt.Errorf("upsert season %d: %w", season.BlizzardID, err)
	}
	return id, nil
}

// The no-op DO UPDATE makes RETURNING yield the id of an existing row too, in one statement and without
// the race of insert-then-select.
const upsertLeaderboardSQL = `INSERT INTO pvp_leaderboards (pvp_season_id, region, bracket)
VALUES ($1, $2, $3)
ON CONFLICT (pvp_season_id, region, bracket) DO UPDATE SET updated_at = now()
RETURNING id`

// UpsertLeaderboard returns the id of the (season, region, bracket) board, creating it if needed.
func (s *Store) UpsertLeaderboard(ctx context.Context, seasonID int64, region, bracket string) (int64, error) {
	if seasonID <= 0 {
		return 0, fmt.Errorf("upsert leaderboard: %w: season id %d", ErrInvalidRow, seasonID)
	}
	if err := battlenet.ValidateRegion(region); err != nil {
		return 0, fmt.Errorf("upsert leaderboard: %w: %w", ErrInvalidRow, err)
	}
	if err := battlenet.ValidateBracket(bracket); err != nil {
		return 0, fmt.Errorf("upsert leaderboard: %w: %w", ErrInvalidRow, err)
	}
	var id int64
	if err := s.Pool.QueryRow(ctx, upsertLeaderboardSQL, seasonID, region, bracket).Scan(&id); err != nil {
		return 0, fmt.Errorf("upsert leaderboard %s/%s of season %d: %w", region, bracket, seasonID, err)
	}
	return id, nil
}

// BoardSnapshot is a board and its newest stored snapshot.
type BoardSnapshot struct {
	LeaderboardID int64
	Season        int64 // Battle.net season id
	Bracket       string
	SnapshotAt    time.Time
}

// LatestBoards lists the boards of the region's newest season that hold entries, each with its newest
// snapshot, by bracket.
func (s *Store) LatestBoards(ctx context.Context, region string) ([]BoardSnapshot, error) {
	rows, err := s.Pool.Query(ctx, `SELECT l.id, ps.blizzard_id, l.bracket,
       (SELECT max(e.snapshot_at) FROM pvp_leaderboard_entries AS e WHERE e.pvp_leaderboard_id = l.id)
FROM pvp_leaderboards AS l JOIN pvp_seasons AS ps ON ps.id = l.pvp_season_id
WHERE l.region = $1
  AND ps.blizzard_id = (SELECT max(s2.blizzard_id) FROM pvp_seasons AS s2
                        JOIN pvp_leaderboards AS l2 ON l2.pvp_season_id = s2.id WHERE l2.region = $1)
ORDER BY l.bracket`, region)
	if err != nil {
		return nil, fmt.Errorf("boards of region %s: %w", region, err)
	}
	var out []BoardSnapshot
	var b BoardSnapshot
	var at *time.Time
	if _, err := pgx.ForEachRow(rows, []any{&b.LeaderboardID, &b.Season, &b.Bracket, &at}, func() error {
		if at != nil {
			b.SnapshotAt = *at
			out = append(out, b)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("boards of region %s: %w", region, err)
	}
	return out, nil
}
