package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	sq "github.com/Masterminds/squirrel"
	"github.com/jackc/pgx/v5"

	"github.com/pvpsync/pvpsync/battlenet"
)

// BoardEntry is one row of a leaderboard as Battle.net lists it.
type BoardEntry struct {
	BlizzardID int64
	Name       string
	RealmSlug  string
	Faction    string // "HORDE" / "ALLIANCE" as given; empty keeps what we knew
	Rank       int
	Rating     int
	Wins       int
	Losses     int
	SpecID     int // 0 = none (stored as NULL)
}

// SaveBoardInput is one snapshot of one leaderboard.
type SaveBoardInput struct {
	LeaderboardID int64
	Region        string
	SnapshotAt    time.Time
	Entries       []BoardEntry
}

// SaveBoardResult says what a SaveBoard call did.
type SaveBoardResult struct {
	Characters        int // distinct characters upserted
	Entries           int // rows in this snapshot after the call
	Inserted          int // new entry rows
	DuplicatesDropped int // payload rows dropped because the character was already on the board
}

// ErrNoLeaderboard means the leaderboard id does not exist (or belongs to another region).
var ErrNoLeaderboard = errors.New("store: no such leaderboard")

// boardRowsPerStatement bounds one bulk statement. The rows travel as one array per column (unnest), so
// a statement has a handful of bind parameters whatever its size — far from PostgreSQL's 65,535 — and a
// 5,000-entry board is one statement per table. Against a multi-row VALUES list, arrays spare
// PostgreSQL the parse and analysis of 40,000 expressions: measured here, the entry insert went from
// ~260 ms to ~120 ms (most of what remains is ON CONFLICT and the foreign-key checks).
const boardRowsPerStatement = 10_000

// boardExecMode runs the bulk statements without named prepared statements: their text differs with
// every board size, so the default statement cache would fill each connection (client and server side)
// with a prepared statement of up to ~65k parameters per size seen. Describe-then-execute still sends
// typed, binary parameters; measured on 5,000 rows it beat untyped QueryExecModeExec by about a third.
const boardExecMode = pgx.QueryExecModeDescribeExec

// SaveBoard persists one leaderboard snapshot: it upserts the characters, inserts the snapshot's entries
// (a rerun of the same snapshot inserts nothing) and records the sync on the leaderboard, all in one
// transaction. Every entry is validated before anything is written; a bad one fails the call with
// ErrInvalidRow naming it. A character listed twice keeps its best (lowest) rank.
func (s *Store) SaveBoard(ctx context.Context, in SaveBoardInput) (SaveBoardResult, error) {
	if err := validateBoard(in); err != nil {
		return SaveBoardResult{}, fmt.Errorf("save board %d: %w", in.LeaderboardID, err)
	}
	rows := dedupeBoard(in.Entries)
	res := SaveBoardResult{Characters: len(rows), DuplicatesDropped: len(in.Entries) - len(rows)}

	err := s.inTx(ctx, func(tx pgx.Tx) error {
		ids, err := upsertBoardCharacters(ctx, tx, in.Region, rows)
		if err != nil {
			return err
		}
		entries := make([]boardEntryRow, len(rows))
		for i, r := range rows {
			id, ok := ids[r.BlizzardID]
			if !ok {
				return fmt.Errorf("upsert characters: no id returned for blizzard id %d", r.BlizzardID)
			}
			entries[i] = boardEntryRow{characterID: id, BoardEntry: r}
		}
		slices.SortFunc(entries, func(a, b boardEntryRow) int { return cmp.Compare(a.characterID, b.characterID) })
		inserted, total, err := insertBoardEntries(ctx, tx, in, entries)
		if err != nil {
			return err
		}
		res.Inserted, res.Entries = inserted, total
		return nil
	})
	if err != nil {
		return SaveBoardResult{}, fmt.Errorf("save board %d (%s, snapshot %s): %w", in.LeaderboardID, in.Region, in.SnapshotAt.UTC().Format(time.RFC3339), err)
	}
	return res, nil
}

// validateBoard rejects the whole payload on the first bad row, so a half-valid board is never written.
// Integer columns are int4: out-of-range values are caught here rather than as an encode error mid-write.
func validateBoard(in SaveBoardInput) error {
	if in.LeaderboardID <= 0 {
		return fmt.Errorf("%w: leaderboard id %d", ErrInvalidRow, in.LeaderboardID)
	}
	if err := battlenet.ValidateRegion(in.Region); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidRow, err)
	}
	if in.SnapshotAt.IsZero() {
		return fmt.Errorf("%w: snapshot time is zero", ErrInvalidRow)
	}
	for i, e := range in.Entries {
		if reason := boardEntryProblem(e); reason != "" {
			return fmt.Errorf("%w: entry %d (blizzard id %d, name %q): %s", ErrInvalidRow, i, e.BlizzardID, e.Name, reason)
		}
	}
	return nil
}

func boardEntryProblem(e BoardEntry) string {
	switch {
	case e.BlizzardID <= 0:
		return "blizzard id must be positive"
	case e.Name == "":
		return "name is empty"
	case e.RealmSlug == "":
		return "realm slug is empty"
	case e.Rank <= 0:
		return fmt.Sprintf("rank %d must be positive", e.Rank)
	case e.SpecID < 0:
		return fmt.Sprintf("spec id %d is negative", e.SpecID)
	}
	for _, f := range []struct {
		name string
		v    string
	}{{"name", e.Name}, {"realm slug", e.RealmSlug}, {"faction", e.Faction}} {
		// PostgreSQL text cannot hold NUL or invalid UTF-8; either would abort the transaction mid-way.
		if !utf8.ValidString(f.v) || strings.ContainsRune(f.v, 0) {
			return f.name + " is not valid text (invalid UTF-8 or NUL byte)"
		}
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"rank", e.Rank}, {"rating", e.Rating}, {"wins", e.Wins}, {"losses", e.Losses}, {"spec id", e.SpecID}} {
		if f.v < math.MinInt32 || f.v > math.MaxInt32 {
			return fmt.Sprintf("%s %d does not fit in a 32-bit integer", f.name, f.v)
		}
	}
	return ""
}

// dedupeBoard keeps one row per character, the best-ranked one (the first of equal ranks), sorted by
// blizzard id: a duplicate key in one INSERT ... ON CONFLICT DO UPDATE is an error in PostgreSQL, and
// sorted keys make concurrent writers take row locks in the same order, so they cannot deadlock.
func dedupeBoard(entries []BoardEntry) []BoardEntry {
	best := make(map[int64]int, len(entries))
	for i, e := range entries {
		if j, ok := best[e.BlizzardID]; !ok || e.Rank < entries[j].Rank {
			best[e.BlizzardID] = i
		}
	}
	rows := make([]BoardEntry, 0, len(best))
	for _, i := range best {
		rows = append(rows, entries[i])
	}
	slices.SortFunc(rows, func(a, b BoardEntry) int { return cmp.Compare(a.BlizzardID, b.BlizzardID) })
	return rows
}

type boardEntryRow struct {
	characterID int64
	BoardEntry
}

// The last chunk of entries carries the leaderboard bookkeeping in the same statement. All parts of a
// WITH see the same snapshot, so "existing" excludes this statement's own inserts and the total is
// existing + inserted. The bookkeeping only moves forward: replaying an older snapshot (a retried
// activity of an earlier run) must not make the board look staler than it is. The region condition
// catches a caller pairing a board with the wrong region; no row updated rolls the whole call back.
const boardSyncTail = `
), counted AS (
    SELECT (SELECT count(*) FROM ins) AS inserted,
           (SELECT count(*) FROM pvp_leaderboard_entries
             WHERE pvp_leaderboard_id = ?::bigint AND snapshot_at = ?::timestamptz) AS existing
), upd AS (
    UPDATE pvp_leaderboards AS b SET
        last_synced_at   = now(),
        last_snapshot_at = CASE WHEN b.last_snapshot_at IS NULL OR b.last_snapshot_at <= ?::timestamptz
                                THEN ?::timestamptz ELSE b.last_snapshot_at END,
        last_entry_count = CASE WHEN b.last_snapshot_at IS NULL OR b.last_snapshot_at <= ?::timestamptz
                                THEN (c.existing + c.inserted)::integer ELSE b.last_entry_count END,
        updated_at       = now()
    FROM counted AS c
    WHERE b.id = ?::bigint AND b.region = ?::text
    RETURNING b.id
)
SELECT c.inserted, c.existing + c.inserted, EXISTS (SELECT 1 FROM upd) FROM counted AS c`

const boardEntryConflict = `ON CONFLICT (pvp_leaderboard_id, snapshot_at, character_id) DO NOTHING`

// insertBoardEntries inserts the snapshot's rows (sorted by character id) and updates the leaderboard;
// it returns the rows inserted and the snapshot's row count afterwards.
func insertBoardEntries(ctx context.Context, tx pgx.Tx, in SaveBoardInput, rows []boardEntryRow) (inserted, total int, err error) {
	parts := chunks(rows, boardRowsPerStatement)
	// Every chunk but the last is a plain insert; the last one also does the bookkeeping.
	for len(parts) > 1 {
		sql, args, err := boardEntryInsert(in, parts[0]).Suffix(boardEntryConflict).ToSql()
		if err != nil {
			return 0, 0, fmt.Errorf("build entry insert: %w", err)
		}
		tag, err := tx.Exec(ctx, sql, append([]any{boardExecMode}, args...)...)
		if err != nil {
			return 0, 0, fmt.Errorf("insert leaderboard entries: %w", err)
		}
		inserted += int(tag.RowsAffected())
		parts = parts[1:]
	}

	tailArgs := []any{in.LeaderboardID, in.SnapshotAt, in.SnapshotAt, in.SnapshotAt, in.SnapshotAt, in.LeaderboardID, in.Region}
	var sql string
	var args []any
	if len(parts) == 0 {
		// An empty board still records that it was synced.
		sql, err = sq.Dollar.ReplacePlaceholders("WITH ins AS (SELECT 1 WHERE false" + boardSyncTail)
		args = tailArgs
	} else {
		sql, args, err = boardEntryInsert(in, parts[0]).
			Prefix("WITH ins AS (").
			Suffix(boardEntryConflict+" RETURNING 1"+boardSyncTail, tailArgs...).
			ToSql()
	}
	if err != nil {
		return 0, 0, fmt.Errorf("build entry insert: %w", err)
	}
	var lastInserted, after int64
	var found bool
	if err := tx.QueryRow(ctx, sql, append([]any{boardExecMode}, args...)...).Scan(&lastInserted, &after, &found); err != nil {
		return 0, 0, fmt.Errorf("insert leaderboard entries: %w", err)
	}
	if !found {
		return 0, 0, fmt.Errorf("leaderboard %d in region %s: %w", in.LeaderboardID, in.Region, ErrNoLeaderboard)
	}
	return inserted + int(lastInserted), int(after), nil
}

func boardEntryInsert(in SaveBoardInput, rows []boardEntryRow) sq.InsertBuilder {
	n := len(rows)
	charIDs, ranks, ratings, wins, losses := make([]int64, n), make([]int32, n), make([]int32, n), make([]int32, n), make([]int32, n)
	specs := make([]*int32, n)
	for i, r := range rows {
		// validateBoard has checked that every number fits an int4 column.
		charIDs[i] = r.characterID
		ranks[i], ratings[i], wins[i], losses[i] = int32(r.Rank), int32(r.Rating), int32(r.Wins), int32(r.Losses) // #nosec G115 -- range-checked by validateBoard
		if r.SpecID != 0 {
			spec := int32(r.SpecID) // #nosec G115 -- range-checked by validateBoard
			specs[i] = &spec
		}
	}
	rowsSel := sq.Select().
		Column(sq.Expr("?::bigint", in.LeaderboardID)).
		Column(sq.Expr("unnest(?::bigint[])", charIDs)).
		Column(sq.Expr("?::timestamptz", in.SnapshotAt)).
		Column(sq.Expr("unnest(?::integer[])", ranks)).
		Column(sq.Expr("unnest(?::integer[])", ratings)).
		Column(sq.Expr("unnest(?::integer[])", wins)).
		Column(sq.Expr("unnest(?::integer[])", losses)).
		Column(sq.Expr("unnest(?::integer[])", specs))
	return psql.Insert("pvp_leaderboard_entries").
		Columns("pvp_leaderboard_id", "character_id", "snapshot_at", "rank", "rating", "wins", "losses", "spec_id").
		Select(rowsSel)
}

// RosterCursor is where a roster page starts: after (AfterRank, AfterCharacterID). The zero value starts
// from the top.
type RosterCursor struct {
	AfterRank        int
	AfterCharacterID int64
}

// RosterRow is one character of a snapshot, in rank order.
type RosterRow struct {
	CharacterID int64
	BlizzardID  int64
	Rank        int
	SpecID      int // 0 = none
}

// maxRosterPage bounds one page so a caller's mistake cannot pull a whole board into one activity result.
const maxRosterPage = 10_000

// Keyset pagination on (rank, character_id): ranks can tie, so the character id breaks ties and no row is
// skipped or repeated between pages. The explicit "rank >= $3" lets PostgreSQL seek in
// index_entries_on_board_snapshot_rank (board, snapshot, rank) rather than filter the whole snapshot.
const rosterPageSQL = `SELECT e.character_id, c.blizzard_id, e.rank, COALESCE(e.spec_id, 0)
FROM pvp_leaderboard_entries AS e
JOIN characters AS c ON c.id = e.character_id
WHERE e.pvp_leaderboard_id = $1
  AND e.snapshot_at = $2
  AND e.rank >= $3
  AND (e.rank, e.character_id) > ($3, $4)
ORDER BY e.rank, e.character_id
LIMIT $5`

// RosterPage returns up to limit rows of one snapshot after cur, in (rank, character id) order. An empty
// page means the end. Pass the last row's (Rank, CharacterID) as the next cursor.
func (s *Store) RosterPage(ctx context.Context, leaderboardID int64, snapshotAt time.Time, cur RosterCursor, limit int) ([]RosterRow, error) {
	if limit <= 0 || limit > maxRosterPage {
		return nil, fmt.Errorf("roster page: limit %d out of range 1..%d", limit, maxRosterPage)
	}
	rows, err := s.Pool.Query(ctx, rosterPageSQL, leaderboardID, snapshotAt, cur.AfterRank, cur.AfterCharacterID, limit)
	if err != nil {
		return nil, fmt.Errorf("roster page of leaderboard %d: %w", leaderboardID, err)
	}
	out := make([]RosterRow, 0, limit)
	var r RosterRow
	_, err = pgx.ForEachRow(rows, []any{&r.CharacterID, &r.BlizzardID, &r.Rank, &r.SpecID}, func() error {
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("roster page of leaderboard %d: %w", leaderboardID, err)
	}
	return out, nil
}

// The newest snapshot is read from the entries themselves, not from pvp_leaderboards.last_snapshot_at:
// retention may have deleted that snapshot, and the roster must only be paged over rows that exist.
// max() is an index-only backward scan of index_entries_on_board_snapshot_rank.
const latestSnapshotSQL = `SELECT e.snapshot_at, count(*)
FROM pvp_leaderboard_entries AS e
WHERE e.pvp_leaderboard_id = $1
  AND e.snapshot_at = (SELECT max(snapshot_at) FROM pvp_leaderboard_entries WHERE pvp_leaderboard_id = $1)
GROUP BY e.snapshot_at`

// LatestSnapshot returns the newest snapshot of a leaderboard and its row count; ok is false when the
// leaderboard has no entries.
func (s *Store) LatestSnapshot(ctx context.Context, leaderboardID int64) (snapshotAt time.Time, entries int, ok bool, err error) {
	err = s.Pool.QueryRow(ctx, latestSnapshotSQL, leaderboardID).Scan(&snapshotAt, &entries)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, 0, false, nil
	}
	if err != nil {
		return time.Time{}, 0, false, fmt.Errorf("latest snapshot of leaderboard %d: %w", leaderboardID, err)
	}
	return snapshotAt, entries, true, nil
}
