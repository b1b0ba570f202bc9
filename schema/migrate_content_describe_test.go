package schema_test

// Reads what every leaderboard entry shows — gear and talents — from either layout into one canonical
// description, so the data can be compared across the 00003 migration in both directions.

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

type slotDesc struct {
	ItemID              int64
	ItemLevel, Context  int
	Enchants, Gems, Bon []int64
}

type talentDesc struct {
	NodeID, TalentID int64
	Name             string
	Rank             int
}

type pvpDesc struct {
	Slot     int
	TalentID int64
	Name     string
}

// entryDesc is what an entry shows. Talents are in node order: the 00002 documents kept Battle.net's
// response order, which carries no meaning and which content addressing does not keep.
type entryDesc struct {
	SpecID     int
	HasGear    bool
	ItemLevel  int
	TierID     int64
	TierName   string
	TierPieces int
	Tier4p     bool
	Slots      map[string]slotDesc

	HasTalents        bool
	HeroID            int64
	HeroName, Code    string
	Class, Spec, Hero []talentDesc
	Pvp               []pvpDesc
}

func ids(v []int64) []int64 {
	if v == nil {
		return []int64{}
	}
	return v
}

func sortTalents(ts []talentDesc) []talentDesc {
	if ts == nil {
		ts = []talentDesc{}
	}
	slices.SortStableFunc(ts, func(a, b talentDesc) int {
		return cmp.Or(cmp.Compare(a.NodeID, b.NodeID), cmp.Compare(a.TalentID, b.TalentID))
	})
	return ts
}

// describeOld reads the 00002 layout.
func describeOld(t *testing.T, ctx context.Context, conn *pgx.Conn) map[int64]entryDesc {
	t.Helper()
	out := map[int64]entryDesc{}
	rows, err := conn.Query(ctx, `SELECT id, COALESCE(spec_id, 0), equipment_processed_at IS NOT NULL, COALESCE(item_level, 0),
       COALESCE(tier_set_id, 0), COALESCE(tier_set_name, ''), COALESCE(tier_set_pieces, 0), COALESCE(tier_4p_active, false),
       talents IS NOT NULL, COALESCE(hero_talent_tree_id, 0), COALESCE(hero_talent_tree_name, ''),
       COALESCE(talent_loadout_code, ''), talents, pvp_talents
FROM pvp_leaderboard_entries`)
	require.NoError(t, err)
	for rows.Next() {
		var id int64
		var d entryDesc
		var talents, pvp []byte
		require.NoError(t, rows.Scan(&id, &d.SpecID, &d.HasGear, &d.ItemLevel, &d.TierID, &d.TierName, &d.TierPieces,
			&d.Tier4p, &d.HasTalents, &d.HeroID, &d.HeroName, &d.Code, &talents, &pvp))
		if d.HasTalents {
			var doc map[string][]talentDesc // the 00002 keys are the Go field names, which these fields share
			require.NoError(t, json.Unmarshal(talents, &doc))
			d.Class, d.Spec, d.Hero = sortTalents(doc["class"]), sortTalents(doc["spec"]), sortTalents(doc["hero"])
			d.Pvp = []pvpDesc{}
			if pvp != nil {
				require.NoError(t, json.Unmarshal(pvp, &d.Pvp))
			}
		}
		d.Slots = map[string]slotDesc{}
		out[id] = d
	}
	require.NoError(t, rows.Err())

	rows, err = conn.Query(ctx, `SELECT ei.pvp_leaderboard_entry_id, ei.slot, i.blizzard_id, COALESCE(ei.item_level, 0),
       COALESCE(ei.context, 0), ei.enchantment_ids, ei.gem_item_ids, ei.bonus_list
FROM pvp_leaderboard_entry_items AS ei JOIN items AS i ON i.id = ei.item_id`)
	require.NoError(t, err)
	for rows.Next() {
		var id int64
		var slot string
		var s slotDesc
		require.NoError(t, rows.Scan(&id, &slot, &s.ItemID, &s.ItemLevel, &s.Context, &s.Enchants, &s.Gems, &s.Bon))
		s.Enchants, s.Gems, s.Bon = ids(s.Enchants), ids(s.Gems), ids(s.Bon)
		out[id].Slots[slot] = s
	}
	require.NoError(t, rows.Err())
	return out
}

// storedPick is one talent of a 00003 document.
type storedPick struct {
	NodeID   int64 `json:"node_id"`
	TalentID int64 `json:"talent_id"`
	Rank     int   `json:"rank"`
	Slot     int   `json:"slot"`
}

// describeNew reads the 00003 layout: builds through gear_build_slots, loadouts with catalogue names.
func describeNew(t *testing.T, ctx context.Context, conn *pgx.Conn) map[int64]entryDesc {
	t.Helper()
	talentNames := names(t, ctx, conn, `SELECT talent_id, name FROM talents`)
	pvpNames := names(t, ctx, conn, `SELECT talent_id, name FROM pvp_talents`)
	out := map[int64]entryDesc{}
	rows, err := conn.Query(ctx, `SELECT e.id, COALESCE(e.spec_id, 0), b.id IS NOT NULL, COALESCE(b.item_level, 0),
       COALESCE(b.tier_set_id, 0), COALESCE(s.name, ''), COALESCE(b.tier_set_pieces, 0), COALESCE(b.tier_4p_active, false),
       l.id IS NOT NULL, COALESCE(l.hero_talent_tree_id, 0), COALESCE(l.hero_talent_tree_name, ''),
       COALESCE(l.loadout_code, ''), l.talents, l.pvp_talents
FROM pvp_leaderboard_entries AS e
LEFT JOIN gear_builds AS b ON b.id = e.gear_build_id
LEFT JOIN item_sets AS s ON s.id = b.tier_set_id
LEFT JOIN talent_loadouts AS l ON l.id = e.talent_loadout_id`)
	require.NoError(t, err)
	for rows.Next() {
		var id int64
		var d entryDesc
		var talents, pvp []byte
		require.NoError(t, rows.Scan(&id, &d.SpecID, &d.HasGear, &d.ItemLevel, &d.TierID, &d.TierName, &d.TierPieces,
			&d.Tier4p, &d.HasTalents, &d.HeroID, &d.HeroName, &d.Code, &talents, &pvp))
		if d.HasTalents {
			var doc map[string][]storedPick
			require.NoError(t, json.Unmarshal(talents, &doc))
			named := func(ps []storedPick) []talentDesc {
				out := make([]talentDesc, 0, len(ps))
				for _, p := range ps {
					out = append(out, talentDesc{NodeID: p.NodeID, TalentID: p.TalentID, Name: talentNames[p.TalentID], Rank: p.Rank})
				}
				return sortTalents(out)
			}
			d.Class, d.Spec, d.Hero = named(doc["class"]), named(doc["spec"]), named(doc["hero"])
			var ps []storedPick
			require.NoError(t, json.Unmarshal(pvp, &ps))
			d.Pvp = []pvpDesc{}
			for _, p := range ps {
				d.Pvp = append(d.Pvp, pvpDesc{Slot: p.Slot, TalentID: p.TalentID, Name: pvpNames[p.TalentID]})
			}
		}
		d.Slots = map[string]slotDesc{}
		out[id] = d
	}
	require.NoError(t, rows.Err())

	rows, err = conn.Query(ctx, `SELECT e.id, s.slot, s.item_id, s.item_level, s.context, s.enchantment_ids, s.gem_item_ids, s.bonus_list
FROM pvp_leaderboard_entries AS e JOIN gear_build_slots AS s ON s.gear_build_id = e.gear_build_id`)
	require.NoError(t, err)
	for rows.Next() {
		var id int64
		var slot string
		var s slotDesc
		require.NoError(t, rows.Scan(&id, &slot, &s.ItemID, &s.ItemLevel, &s.Context, &s.Enchants, &s.Gems, &s.Bon))
		s.Enchants, s.Gems, s.Bon = ids(s.Enchants), ids(s.Gems), ids(s.Bon)
		out[id].Slots[slot] = s
	}
	require.NoError(t, rows.Err())
	return out
}

func names(t *testing.T, ctx context.Context, conn *pgx.Conn, q string) map[int64]string {
	t.Helper()
	rows, err := conn.Query(ctx, q)
	require.NoError(t, err)
	out := map[int64]string{}
	var id int64
	var name string
	_, err = pgx.ForEachRow(rows, []any{&id, &name}, func() error {
		out[id] = name
		return nil
	})
	require.NoError(t, err)
	return out
}

// strictOld is the 00002 rows as stored, NULLs included (format's %L prints NULL unquoted), with the
// talent arrays in node order, names as the catalogue has them (see catalogueNames) and timestamps
// reduced to set/unset: what a migration down must restore.
func strictOld(t *testing.T, ctx context.Context, conn *pgx.Conn, cat catalogue) map[int64]string {
	t.Helper()
	rows, err := conn.Query(ctx, `SELECT e.id,
       format('%L %L %L %L %L %L %L %L %L %L %L', e.spec_id, e.item_level, e.tier_set_id, e.tier_set_name,
           e.tier_set_pieces, e.tier_4p_active, e.hero_talent_tree_id, e.hero_talent_tree_name, e.talent_loadout_code,
           e.equipment_processed_at IS NOT NULL, e.specialization_processed_at IS NOT NULL),
       e.talents, e.pvp_talents,
       COALESCE((SELECT string_agg(format('%L %L %L %L %L %L %L', ei.slot, ei.item_id, ei.item_level, ei.context,
           ei.enchantment_ids, ei.gem_item_ids, ei.bonus_list), '; ' ORDER BY ei.slot)
           FROM pvp_leaderboard_entry_items AS ei WHERE ei.pvp_leaderboard_entry_id = e.id), '')
FROM pvp_leaderboard_entries AS e`)
	require.NoError(t, err)
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var cols, items string
		var talents, pvp []byte
		require.NoError(t, rows.Scan(&id, &cols, &talents, &pvp, &items))
		tal, pv := "NULL", "NULL"
		if talents != nil {
			var doc map[string][]talentDesc
			require.NoError(t, json.Unmarshal(talents, &doc))
			for k, v := range doc {
				doc[k] = cat.talents(sortTalents(v))
			}
			b, err := json.Marshal(doc)
			require.NoError(t, err)
			tal = string(b)
		}
		if pvp != nil {
			var ps []pvpDesc
			require.NoError(t, json.Unmarshal(pvp, &ps))
			b, err := json.Marshal(cat.pvp(ps))
			require.NoError(t, err)
			pv = string(b)
		}
		out[id] = strings.Join([]string{cols, tal, pv, items}, " | ")
	}
	require.NoError(t, rows.Err())
	return out
}

// catalogue is the name of each talent and PvP talent id as the catalogue tables keep it.
type catalogue struct {
	talentNames, pvpNames map[int64]string
	talentRows            map[int64]string // "tree node name" per talent id
}

func (c catalogue) talents(ts []talentDesc) []talentDesc {
	out := slices.Clone(ts)
	for i := range out {
		if name, ok := c.talentNames[out[i].TalentID]; ok {
			out[i].Name = name
		}
	}
	return out
}

func (c catalogue) pvp(ps []pvpDesc) []pvpDesc {
	out := slices.Clone(ps)
	for i := range out {
		if name, ok := c.pvpNames[out[i].TalentID]; ok {
			out[i].Name = name
		}
	}
	return out
}

// entries applies the catalogue's names to every entry.
func (c catalogue) entries(in map[int64]entryDesc) map[int64]entryDesc {
	out := make(map[int64]entryDesc, len(in))
	for id, d := range in {
		if d.HasTalents {
			d.Class, d.Spec, d.Hero, d.Pvp = c.talents(d.Class), c.talents(d.Spec), c.talents(d.Hero), c.pvp(d.Pvp)
		}
		out[id] = d
	}
	return out
}

// latestRaw is the 00002 LatestRaw of every character and side, as canonical jsonb text.
func latestRaw(t *testing.T, ctx context.Context, conn *pgx.Conn) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, col := range []string{"raw_equipment", "raw_specialization"} {
		rows, err := conn.Query(ctx, `SELECT DISTINCT ON (character_id) character_id, `+col+`::text
FROM pvp_leaderboard_entries WHERE `+col+` IS NOT NULL ORDER BY character_id, snapshot_at DESC, id DESC`)
		require.NoError(t, err)
		var id int64
		var body string
		_, err = pgx.ForEachRow(rows, []any{&id, &body}, func() error {
			out[fmt.Sprintf("%d/%s", id, col)] = body
			return nil
		})
		require.NoError(t, err)
	}
	return out
}

// schemaDump describes the public schema: columns in order with type, default and nullability, then
// constraints, indexes and sequences. Dropped columns are invisible, so a column re-added in its old
// place after the others compares equal.
func schemaDump(t *testing.T, ctx context.Context, conn *pgx.Conn) []string {
	t.Helper()
	query := func(q string) []string {
		rows, err := conn.Query(ctx, q)
		require.NoError(t, err)
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		require.NoError(t, err)
		return lines
	}
	cols := query(`SELECT format('column %s.%s %s default=%s notnull=%s', c.relname, a.attname,
       format_type(a.atttypid, a.atttypmod), pg_get_expr(d.adbin, d.adrelid), a.attnotnull)
FROM pg_attribute AS a
JOIN pg_class AS c ON c.oid = a.attrelid
JOIN pg_namespace AS n ON n.oid = c.relnamespace AND n.nspname = 'public'
LEFT JOIN pg_attrdef AS d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE c.relkind IN ('r', 'v') AND a.attnum > 0 AND NOT a.attisdropped AND c.relname <> 'goose_db_version'
ORDER BY c.relname, a.attnum`)
	rest := query(`SELECT format('constraint %s %s %s', r.relname, k.conname, pg_get_constraintdef(k.oid))
FROM pg_constraint AS k JOIN pg_class AS r ON r.oid = k.conrelid
JOIN pg_namespace AS n ON n.oid = r.relnamespace AND n.nspname = 'public'
WHERE r.relname <> 'goose_db_version'
UNION ALL
SELECT format('index %s', indexdef) FROM pg_indexes WHERE schemaname = 'public' AND tablename <> 'goose_db_version'
UNION ALL
SELECT format('sequence %s', sequencename) FROM pg_sequences WHERE schemaname = 'public' AND sequencename NOT LIKE 'goose%'
ORDER BY 1`)
	return append(cols, rest...)
}
