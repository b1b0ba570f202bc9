package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/pvpsync/pvpsync/gear"
)

// SpecLoadout is the loadout a character shows for one spec.
type SpecLoadout struct {
	SpecID    int   `json:"spec_id"`
	LoadoutID int64 `json:"loadout_id"`
}

// lookupLoadoutsSQL finds loadouts by content and refreshes seen_at when over an hour old (see
// lookupBuildSQL).
const lookupLoadoutsSQL = `WITH hit AS (SELECT hash, id, seen_at FROM talent_loadouts WHERE hash = ANY($1::bytea[])),
touch AS (
    UPDATE talent_loadouts AS l SET seen_at = now()
    FROM hit WHERE l.id = hit.id AND hit.seen_at < now() - interval '1 hour'
    RETURNING l.hash, l.id
)
SELECT hash, id FROM hit WHERE seen_at >= now() - interval '1 hour'
UNION ALL
SELECT hash, id FROM touch`

// SaveSpecializations keeps one specializations response: the raw JSON as the character's latest
// payload and one content-addressed loadout per spec (with the talent catalogue), in one transaction.
// It returns the loadout id of each spec, in spec order. Known loadouts cost two statements (payload,
// lookup) and no other write.
func (s *Store) SaveSpecializations(ctx context.Context, characterID int64, raw []byte, lastModified string, loadouts []gear.Loadout) ([]SpecLoadout, error) {
	byHash := map[string]gear.Loadout{}
	specs := map[int]string{}
	for _, lo := range loadouts {
		if lo.SpecID <= 0 || !fitsInt32(lo.SpecID) {
			return nil, fmt.Errorf("save specializations of character %d: spec id %d: %w", characterID, lo.SpecID, ErrInvalidRow)
		}
		if _, dup := specs[lo.SpecID]; dup {
			return nil, fmt.Errorf("save specializations of character %d: spec %d listed twice: %w", characterID, lo.SpecID, ErrInvalidRow)
		}
		h := string(gear.LoadoutHash(lo))
		byHash[h], specs[lo.SpecID] = lo, h
	}
	var out []SpecLoadout
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := savePayload(ctx, tx, characterID, SideSpecializations, raw, lastModified); err != nil {
			return err
		}
		ids, err := loadoutIDs(ctx, tx, byHash)
		if err != nil {
			return err
		}
		out = make([]SpecLoadout, 0, len(specs))
		for spec, h := range specs {
			out = append(out, SpecLoadout{SpecID: spec, LoadoutID: ids[h]})
		}
		slices.SortFunc(out, func(a, b SpecLoadout) int { return cmp.Compare(a.SpecID, b.SpecID) })
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("save specializations of character %d: %w", characterID, err)
	}
	return out, nil
}

// loadoutIDs maps each loadout hash to its row, inserting the loadouts (and catalogue rows) not stored yet.
func loadoutIDs(ctx context.Context, tx pgx.Tx, byHash map[string]gear.Loadout) (map[string]int64, error) {
	ids := make(map[string]int64, len(byHash))
	if len(byHash) == 0 {
		return ids, nil
	}
	hashes := make([][]byte, 0, len(byHash))
	for h := range byHash {
		hashes = append(hashes, []byte(h))
	}
	slices.SortFunc(hashes, func(a, b []byte) int { return cmp.Compare(string(a), string(b)) })
	if err := collectIDs(ctx, tx, ids, lookupLoadoutsSQL, hashes); err != nil {
		return nil, fmt.Errorf("look up loadouts: %w", err)
	}
	var missing []gear.Loadout
	for _, h := range hashes {
		if _, ok := ids[string(h)]; !ok {
			missing = append(missing, byHash[string(h)])
		}
	}
	if len(missing) == 0 {
		return ids, nil
	}
	if err := saveTalentCatalogue(ctx, tx, missing); err != nil {
		return nil, err
	}
	ins := psql.Insert("talent_loadouts").
		Columns("hash", "spec_id", "loadout_code", "hero_talent_tree_id", "hero_talent_tree_name", "talents", "pvp_talents")
	for _, lo := range missing {
		talents, err := lo.TalentsJSON()
		if err != nil {
			return nil, fmt.Errorf("encode talents: %w", err)
		}
		pvp, err := lo.PvpTalentsJSON()
		if err != nil {
			return nil, fmt.Errorf("encode pvp talents: %w", err)
		}
		ins = ins.Values(gear.LoadoutHash(lo), lo.SpecID, emptyAsNull(lo.Code), zeroAsNull(lo.HeroTreeID),
			emptyAsNull(lo.HeroTreeName), string(talents), string(pvp))
	}
	sql, args, err := ins.Suffix("ON CONFLICT (hash) DO UPDATE SET seen_at = now() RETURNING hash, id").ToSql()
	if err != nil {
		return nil, fmt.Errorf("build loadout insert: %w", err)
	}
	if err := collectIDs(ctx, tx, ids, sql, args...); err != nil {
		return nil, fmt.Errorf("insert loadouts: %w", err)
	}
	return ids, nil
}

// saveTalentCatalogue stores the names of the talents and PvP talents of new loadouts.
func saveTalentCatalogue(ctx context.Context, tx pgx.Tx, loadouts []gear.Loadout) error {
	var talents []talentRow
	var pvp []gear.Named
	for _, lo := range loadouts {
		for _, tree := range []struct {
			name string
			ts   []gear.Talent
		}{{"class", lo.Class}, {"spec", lo.Spec}, {"hero", lo.Hero}} {
			for _, t := range tree.ts {
				talents = append(talents, talentRow{TalentID: t.TalentID, NodeID: t.NodeID, Name: t.Name, Tree: tree.name})
			}
		}
		for _, p := range lo.Pvp {
			pvp = append(pvp, gear.Named{ID: p.TalentID, Name: p.Name})
		}
	}
	if err := upsertTalents(ctx, tx, talents); err != nil {
		return err
	}
	return upsertNames(ctx, tx, "pvp_talents", "talent_id", pvp)
}

// collectIDs runs a query returning (hash, id) rows into ids.
func collectIDs(ctx context.Context, tx pgx.Tx, ids map[string]int64, sql string, args ...any) error {
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	var h []byte
	var id int64
	_, err = pgx.ForEachRow(rows, []any{&h, &id}, func() error {
		ids[string(h)] = id
		return nil
	})
	return err
}
