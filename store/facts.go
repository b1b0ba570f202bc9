package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pvpsync/pvpsync/triage"
)

// CharacterFacts is what the sync knows about one character at one snapshot: where to ask Battle.net,
// the Last-Modified values to send, and the facts the triage rules read.
type CharacterFacts struct {
	CharacterID, BlizzardID     int64
	Region, Name, RealmSlug     string
	Rank                        int // on the board of the roster page (PlanPage only)
	EquipmentLastModified       string
	SpecializationsLastModified string
	triage.Facts
}

// factColumns are read from characters AS c by PlanPage and CharacterFacts alike.
const factColumns = `c.id, c.blizzard_id, c.region, c.name, c.realm_slug, c.is_private, c.unavailable_until,
    c.unreadable_at, c.processed_snapshot_at, COALESCE(c.processed_leaderboard_id, 0), COALESCE(c.processed_outcome, ''),
    c.gear_build_id IS NOT NULL, c.equipment_fetched_at,
    c.class_id IS NOT NULL AND c.race_id IS NOT NULL AND c.faction IS NOT NULL, c.meta_synced_at,
    COALESCE(c.equipment_last_modified, ''), COALESCE(c.specializations_last_modified, '')`

func factTargets(f *CharacterFacts) []any {
	return []any{&f.CharacterID, &f.BlizzardID, &f.Region, &f.Name, &f.RealmSlug, &f.Private, &f.UnavailableUntil,
		&f.UnreadableAt, &f.ProcessedSnapshot, &f.ProcessedBy, &f.ProcessedOutcome,
		&f.HasState, &f.GearFetchedAt, &f.MetaKnown, &f.MetaSyncedAt,
		&f.EquipmentLastModified, &f.SpecializationsLastModified}
}

// planPageSQL reads one roster page in (rank, character id) order with each character's facts. The
// explicit "rank >= $3" lets PostgreSQL seek in index_entries_on_board_snapshot_rank.
const planPageSQL = `SELECT e.rank, ` + factColumns + `
FROM pvp_leaderboard_entries AS e
JOIN characters AS c ON c.id = e.character_id
WHERE e.pvp_leaderboard_id = $1 AND e.snapshot_at = $2
  AND e.rank >= $3 AND (e.rank, e.character_id) > ($3, $4)
ORDER BY e.rank, e.character_id
LIMIT $5`

// PlanPage returns up to limit characters of one board snapshot after cur, in (rank, character id)
// order, with their facts: two statements for the whole page. An empty page means the end.
func (s *Store) PlanPage(ctx context.Context, board int64, snapshot time.Time, cur RosterCursor, limit int) ([]CharacterFacts, error) {
	if limit <= 0 || limit > maxRosterPage {
		return nil, fmt.Errorf("plan page: limit %d out of range 1..%d", limit, maxRosterPage)
	}
	rows, err := s.Pool.Query(ctx, planPageSQL, board, snapshot, cur.AfterRank, cur.AfterCharacterID, limit)
	if err != nil {
		return nil, fmt.Errorf("plan page of leaderboard %d: %w", board, err)
	}
	var out []CharacterFacts
	var f CharacterFacts
	_, err = pgx.ForEachRow(rows, append([]any{&f.Rank}, factTargets(&f)...), func() error {
		out = append(out, f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("plan page of leaderboard %d: %w", board, err)
	}
	if err := s.attachEntries(ctx, snapshot, out); err != nil {
		return nil, fmt.Errorf("plan page of leaderboard %d: %w", board, err)
	}
	return out, nil
}

// CharacterFacts returns one character's facts at a snapshot.
func (s *Store) CharacterFacts(ctx context.Context, characterID int64, snapshot time.Time) (CharacterFacts, error) {
	var f CharacterFacts
	err := s.Pool.QueryRow(ctx, `SELECT `+factColumns+` FROM characters AS c WHERE c.id = $1`, characterID).Scan(factTargets(&f)...)
	if err == pgx.ErrNoRows {
		return f, fmt.Errorf("facts of character %d: %w", characterID, ErrNoCharacter)
	}
	if err != nil {
		return f, fmt.Errorf("facts of character %d: %w", characterID, err)
	}
	facts := []CharacterFacts{f}
	if err := s.attachEntries(ctx, snapshot, facts); err != nil {
		return f, fmt.Errorf("facts of character %d: %w", characterID, err)
	}
	return facts[0], nil
}

// entriesSQL reads the entries the rules compare: each character's entries at the snapshot being synced
// and at the snapshot it was last processed for; of the latter, whether the board is synced at $2 too
// (a seek in index_entries_on_board_snapshot_rank). $1 ids, $2 snapshot.
const entriesSQL = `SELECT e.character_id, e.snapshot_at = $2, e.pvp_leaderboard_id, e.rating, e.wins, e.losses,
       e.processed_at IS NOT NULL,
       e.snapshot_at <> $2 AND EXISTS (SELECT 1 FROM pvp_leaderboard_entries AS x
                                       WHERE x.pvp_leaderboard_id = e.pvp_leaderboard_id AND x.snapshot_at = $2)
FROM characters AS c
JOIN pvp_leaderboard_entries AS e
  ON e.character_id = c.id AND (e.snapshot_at = $2 OR e.snapshot_at = c.processed_snapshot_at)
WHERE c.id = ANY($1::bigint[])`

func (s *Store) attachEntries(ctx context.Context, snapshot time.Time, facts []CharacterFacts) error {
	if len(facts) == 0 {
		return nil
	}
	index := make(map[int64]int, len(facts))
	ids := make([]int64, len(facts))
	for i, f := range facts {
		index[f.CharacterID], ids[i] = i, f.CharacterID
	}
	rows, err := s.Pool.Query(ctx, entriesSQL, sortedIDs(ids), snapshot)
	if err != nil {
		return fmt.Errorf("read entries: %w", err)
	}
	var (
		id      int64
		current bool
		st      triage.Stats
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &current, &st.LeaderboardID, &st.Rating, &st.Wins, &st.Losses, &st.Processed, &st.InRun}, func() error {
		f := &facts[index[id]]
		if current {
			f.Current = append(f.Current, st)
		} else {
			f.Previous = append(f.Previous, st)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("read entries: %w", err)
	}
	return nil
}

// FinishBoard records that a board's sync of a snapshot finished (meta pages read finished snapshots
// only) and returns the age, at now, of the oldest gear among its readable characters. The mark only
// moves forward: a late retry of an older snapshot does not hide a newer one.
func (s *Store) FinishBoard(ctx context.Context, board int64, snapshot, now time.Time) (time.Duration, error) {
	if _, err := s.Pool.Exec(ctx, `UPDATE pvp_leaderboards SET completed_snapshot_at = $2, updated_at = now()
WHERE id = $1 AND (completed_snapshot_at IS NULL OR completed_snapshot_at < $2)`, board, snapshot); err != nil {
		return 0, fmt.Errorf("finish leaderboard %d: %w", board, err)
	}
	return s.OldestGear(ctx, board, snapshot, now)
}

// OldestGear is the age, at now, of the oldest gear among a board snapshot's readable characters: how
// stale the mirror's answer for that board can be. 0 when none was ever read.
func (s *Store) OldestGear(ctx context.Context, board int64, snapshot, now time.Time) (time.Duration, error) {
	var oldest *time.Time
	err := s.Pool.QueryRow(ctx, `SELECT min(c.equipment_fetched_at)
FROM pvp_leaderboard_entries AS e JOIN characters AS c ON c.id = e.character_id
WHERE e.pvp_leaderboard_id = $1 AND e.snapshot_at = $2 AND NOT c.is_private
  AND (c.unavailable_until IS NULL OR c.unavailable_until <= $3)`, board, snapshot, now).Scan(&oldest)
	if err != nil {
		return 0, fmt.Errorf("oldest gear of leaderboard %d: %w", board, err)
	}
	if oldest == nil {
		return 0, nil
	}
	return now.Sub(*oldest), nil
}

// SnapshotFacts returns the facts of every character of one board snapshot, in rank order, page by page
// (the planner's query, without writing anything): what `starter plan` and a region's forecast count.
func (s *Store) SnapshotFacts(ctx context.Context, board int64, snapshot time.Time) ([]CharacterFacts, error) {
	var out []CharacterFacts
	cur := RosterCursor{}
	for {
		page, err := s.PlanPage(ctx, board, snapshot, cur, maxRosterPage)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < maxRosterPage {
			return out, nil
		}
		last := page[len(page)-1]
		cur = RosterCursor{AfterRank: last.Rank, AfterCharacterID: last.CharacterID}
	}
}

// FactsByBlizzardID returns the facts of the region's characters known to the mirror among ids, keyed by
// Battle.net id, with their entries at their last processed snapshot as Previous and no Current (the
// caller has the boards it is about to compare).
func (s *Store) FactsByBlizzardID(ctx context.Context, region string, ids []int64) (map[int64]CharacterFacts, error) {
	rows, err := s.Pool.Query(ctx, `SELECT `+factColumns+` FROM characters AS c WHERE c.region = $1 AND c.blizzard_id = ANY($2::bigint[])`,
		region, sortedIDs(ids))
	if err != nil {
		return nil, fmt.Errorf("facts of %d characters: %w", len(ids), err)
	}
	var list []CharacterFacts
	var f CharacterFacts
	if _, err := pgx.ForEachRow(rows, factTargets(&f), func() error {
		list = append(list, f)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("facts of %d characters: %w", len(ids), err)
	}
	// No entry is at the zero time: every entry read is one of the last processed snapshot.
	if err := s.attachEntries(ctx, time.Time{}, list); err != nil {
		return nil, fmt.Errorf("facts of %d characters: %w", len(ids), err)
	}
	out := make(map[int64]CharacterFacts, len(list))
	for _, f := range list {
		out[f.BlizzardID] = f
	}
	return out, nil
}
