package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// The latest raw payload of each character and side, so a payload can be reprocessed without a
// request. A newer payload replaces the older one: storage holds one document per character and side,
// not one per snapshot. The table's jsonb column is lz4-compressed where the server supports it.
const savePayloadSQL = `INSERT INTO character_payloads (character_id, side, body, last_modified, fetched_at)
VALUES ($1, $2, $3, NULLIF($4, ''), now())
ON CONFLICT (character_id, side) DO UPDATE SET
    body = EXCLUDED.body, last_modified = EXCLUDED.last_modified, fetched_at = EXCLUDED.fetched_at`

func savePayload(ctx context.Context, tx pgx.Tx, characterID int64, side Side, raw []byte, lastModified string) error {
	if !side.valid() {
		return fmt.Errorf("unknown side %q: %w", string(side), ErrInvalidRow)
	}
	if !json.Valid(raw) {
		return fmt.Errorf("raw %s is not JSON: %w", side, ErrInvalidRow)
	}
	if _, err := tx.Exec(ctx, savePayloadSQL, characterID, string(side), raw, lastModified); err != nil {
		var fk interface{ SQLState() string }
		if errors.As(err, &fk) && fk.SQLState() == "23503" {
			return fmt.Errorf("store raw %s: %w", side, ErrNoCharacter)
		}
		return fmt.Errorf("store raw %s: %w", side, err)
	}
	return nil
}

// Payload is a stored raw document.
type Payload struct {
	Body         []byte
	LastModified string
}

// LatestPayload returns the character's latest raw payload of one side; ok is false when none is stored.
func (s *Store) LatestPayload(ctx context.Context, characterID int64, side Side) (Payload, bool, error) {
	if !side.valid() {
		return Payload{}, false, fmt.Errorf("load raw payload of character %d: unknown side %q: %w", characterID, string(side), ErrInvalidRow)
	}
	var p Payload
	var lm *string
	err := s.Pool.QueryRow(ctx, `SELECT body, last_modified FROM character_payloads WHERE character_id = $1 AND side = $2`,
		characterID, string(side)).Scan(&p.Body, &lm)
	if errors.Is(err, pgx.ErrNoRows) {
		return Payload{}, false, nil
	}
	if err != nil {
		return Payload{}, false, fmt.Errorf("load raw %s of character %d: %w", side, characterID, err)
	}
	if lm != nil {
		p.LastModified = *lm
	}
	return p, true, nil
}
