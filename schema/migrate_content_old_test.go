package schema_test

// Writes leaderboard data in the 00002 layout exactly as the 00002 store did (store/items.go and
// store/character.go before content addressing), so the 00003 migration can be run over it.

import (
	"context"
	"database/sql"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx" for goose
	"github.com/pressly/goose/v3"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/gear"
	"github.com/pvpsync/pvpsync/schema"
)

const fixtureDir = "../../shared/fixtures/blizzard"

// migrateTo applies the embedded migrations up to version (schema.Up has no target).
func migrateTo(t *testing.T, ctx context.Context, dsn string, version int64) {
	t.Helper()
	withProvider(t, dsn, func(p *goose.Provider) {
		_, err := p.UpTo(ctx, version)
		require.NoError(t, err)
	})
}

// migrateDownTo rolls back every migration after version (schema.Down counts steps, which a new
// migration would shift): tests name the layout they want.
func migrateDownTo(t *testing.T, ctx context.Context, dsn string, version int64) {
	t.Helper()
	withProvider(t, dsn, func(p *goose.Provider) {
		_, err := p.DownTo(ctx, version)
		require.NoError(t, err)
		got, err := p.GetDBVersion(ctx)
		require.NoError(t, err)
		require.Equal(t, version, got, "migrated down to version %d", version)
	})
}

// dbVersion is the version of the last migration applied (0: none).
func dbVersion(t *testing.T, ctx context.Context, dsn string) int64 {
	t.Helper()
	var v int64
	withProvider(t, dsn, func(p *goose.Provider) {
		var err error
		v, err = p.GetDBVersion(ctx)
		require.NoError(t, err)
	})
	return v
}

func withProvider(t *testing.T, dsn string, fn func(*goose.Provider)) {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	defer db.Close()
	sub, err := fs.Sub(schema.Migrations, "migrations")
	require.NoError(t, err)
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub)
	require.NoError(t, err)
	fn(p)
}

func fixtureBytes(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, rel))
	require.NoError(t, err)
	return b
}

func equipmentFixture(t *testing.T, name string) *battlenet.Equipment {
	t.Helper()
	e, err := battlenet.DecodeEquipment(fixtureBytes(t, "equipment/"+name+".json"))
	require.NoError(t, err)
	return e
}

func specializationsFixture(t *testing.T, name string) *battlenet.Specializations {
	t.Helper()
	s, err := battlenet.DecodeSpecializations(fixtureBytes(t, "specializations/"+name+".json"))
	require.NoError(t, err)
	return s
}

// sidePlan is one side of one character at one snapshot, as the 00002 sync left it.
type sidePlan[T any] struct {
	Data        *T        // nil: not processed at this snapshot
	ProcessedAt time.Time // a reused equipment keeps the processed time of its source
	Raw         []byte    // stored at this snapshot (fetched); nil: 304 or reuse, the older payload stays
}

type snapPlan struct {
	Present   bool // ranked on the character's boards at this snapshot
	Equipment sidePlan[battlenet.Equipment]
	Specs     sidePlan[battlenet.Specializations]
}

type charPlan struct {
	Name         string
	ActiveSpecID int // characters.active_spec_id from the profile; 0 NULL
	Boards       []string
	Snaps        []snapPlan
}

// oldEntry is what the test knows about one entry it wrote: its place and the Go values behind it.
type oldEntry struct {
	ID        int64
	Character string
	Bracket   string
	Snap      int
	SpecID    int           // after processing, 0 none
	Gear      *gear.Gear    // nil: equipment not processed
	Loadout   *gear.Loadout // nil: no talents stored
	SpecsAt   time.Time     // when Loadout was written
	Processed bool
}

// oldWorld is the data set written in the 00002 layout.
type oldWorld struct {
	Snapshots  []time.Time
	Boards     map[string]int64
	Characters map[string]int64
	Entries    map[int64]*oldEntry
	Plans      []charPlan
}

type oldWriter struct {
	t    *testing.T
	ctx  context.Context
	conn *pgx.Conn
	w    *oldWorld
}

func writeOldWorld(t *testing.T, ctx context.Context, conn *pgx.Conn, snapshots []time.Time, brackets []string, plans []charPlan) *oldWorld {
	t.Helper()
	ow := &oldWriter{t: t, ctx: ctx, conn: conn, w: &oldWorld{Snapshots: snapshots, Boards: map[string]int64{},
		Characters: map[string]int64{}, Entries: map[int64]*oldEntry{}, Plans: plans}}
	var season int64
	ow.queryRow(`INSERT INTO pvp_seasons (blizzard_id, name) VALUES (40, 'Season 40') RETURNING id`).Scan(&season)
	for _, b := range brackets {
		var id int64
		ow.queryRow(`INSERT INTO pvp_leaderboards (pvp_season_id, region, bracket) VALUES ($1, 'us', $2) RETURNING id`,
			season, b).Scan(&id)
		ow.w.Boards[b] = id
	}
	for i, p := range plans {
		var id int64
		ow.queryRow(`INSERT INTO characters (blizzard_id, region, name, realm_slug, active_spec_id)
VALUES ($1, 'us', $2, 'tichondrius', NULLIF($3, 0)) RETURNING id`, 1000+i, p.Name, p.ActiveSpecID).Scan(&id)
		ow.w.Characters[p.Name] = id
	}
	// Boards first, then characters, as a sync does: every board of a snapshot is stored before any
	// character runs.
	for si, snap := range snapshots {
		for pi, p := range plans {
			if p.Snaps[si].Present {
				ow.insertEntries(p, si, snap, pi)
			}
		}
		for _, p := range plans {
			sp := p.Snaps[si]
			if !sp.Present {
				continue
			}
			id := ow.w.Characters[p.Name]
			if sp.Equipment.Raw != nil {
				ow.storeRaw(id, snap, "raw_equipment", sp.Equipment.Raw)
			}
			if sp.Specs.Raw != nil {
				ow.storeRaw(id, snap, "raw_specialization", sp.Specs.Raw)
			}
			if sp.Equipment.Data != nil {
				ow.saveEquipment(id, snap, sp.Equipment)
			}
			if sp.Specs.Data != nil {
				ow.saveSpecializations(id, snap, sp.Specs)
			}
		}
	}
	return ow.w
}

func (ow *oldWriter) queryRow(q string, args ...any) interface{ Scan(...any) } {
	return scanner{ow.t, ow.conn.QueryRow(ow.ctx, q, args...)}
}

type scanner struct {
	t   *testing.T
	row pgx.Row
}

func (s scanner) Scan(dest ...any) { require.NoError(s.t, s.row.Scan(dest...)) }

func (ow *oldWriter) exec(q string, args ...any) int64 {
	ow.t.Helper()
	tag, err := ow.conn.Exec(ow.ctx, q, args...)
	require.NoError(ow.t, err, q)
	return tag.RowsAffected()
}

func (ow *oldWriter) insertEntries(p charPlan, si int, snap time.Time, rank int) {
	for _, b := range p.Boards {
		spec, _ := battlenet.BracketSpecID(b)
		var id int64
		ow.queryRow(`INSERT INTO pvp_leaderboard_entries (pvp_leaderboard_id, character_id, snapshot_at, rank, rating, spec_id)
VALUES ($1, $2, $3, $4, $5, NULLIF($6, 0)) RETURNING id`, ow.w.Boards[b], ow.w.Characters[p.Name], snap, rank+1, 2400-rank, spec).Scan(&id)
		ow.w.Entries[id] = &oldEntry{ID: id, Character: p.Name, Bracket: b, Snap: si, SpecID: spec}
	}
}

func (ow *oldWriter) snapshotEntries(characterID int64, snap time.Time) []*oldEntry {
	var out []*oldEntry
	for _, e := range ow.w.Entries {
		if ow.w.Characters[e.Character] == characterID && ow.w.Snapshots[e.Snap].Equal(snap) {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b *oldEntry) int { return int(a.ID - b.ID) })
	return out
}

// storeRaw is the 00002 StoreRaw: the payload on this snapshot's entries, cleared from older ones.
func (ow *oldWriter) storeRaw(characterID int64, snap time.Time, col string, raw []byte) {
	ow.exec(`UPDATE pvp_leaderboard_entries SET `+col+` = $3 WHERE character_id = $1 AND snapshot_at = $2`, characterID, snap, raw)
	ow.exec(`UPDATE pvp_leaderboard_entries SET `+col+` = NULL WHERE character_id = $1 AND snapshot_at < $2`, characterID, snap)
	lm := "equipment_last_modified"
	if col == "raw_specialization" {
		lm = "specializations_last_modified"
	}
	ow.exec(`UPDATE characters SET `+lm+` = $2 WHERE id = $1`, characterID, snap.Add(-time.Hour).Format(http1123))
}

const http1123 = "Mon, 02 Jan 2006 15:04:05 GMT"

// saveEquipment is the 00002 SaveEquipment (and, with an older ProcessedAt, CopyEquipment).
func (ow *oldWriter) saveEquipment(characterID int64, snap time.Time, side sidePlan[battlenet.Equipment]) {
	g, err := gear.Summarize(side.Data)
	require.NoError(ow.t, err)
	itemIDs := map[int64]int64{}
	for _, it := range g.Items {
		var id int64
		ow.queryRow(`INSERT INTO items (blizzard_id, name, quality, inventory_type, item_class_id, item_subclass_id, media_id)
VALUES ($1, $2, NULLIF($3, ''), NULLIF($4, ''), $5, $6, NULLIF($7, 0))
ON CONFLICT (blizzard_id) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
			it.BlizzardID, it.Name, it.Quality, it.InventoryType, it.ItemClassID, it.ItemSubclassID, it.MediaID).Scan(&id)
		itemIDs[it.BlizzardID] = id
	}
	var tierID int64
	var tierName string
	var pieces *int
	four := false
	if ts := g.TierSet; ts != nil {
		tierID, tierName, pieces, four = ts.ID, ts.Name, &ts.Pieces, ts.FourPieceActive
	}
	n := ow.exec(`UPDATE pvp_leaderboard_entries SET item_level = NULLIF($3, 0), tier_set_id = NULLIF($4, 0),
    tier_set_name = NULLIF($5, ''), tier_set_pieces = $6, tier_4p_active = $7, equipment_processed_at = $8
WHERE character_id = $1 AND snapshot_at = $2`, characterID, snap, g.ItemLevel, tierID, tierName, pieces, four, side.ProcessedAt)
	require.Positive(ow.t, n)
	for _, e := range ow.snapshotEntries(characterID, snap) {
		e.Gear, e.Processed = &g, true
		for _, sl := range g.Slots {
			ow.exec(`INSERT INTO pvp_leaderboard_entry_items
    (pvp_leaderboard_entry_id, item_id, slot, item_level, context, enchantment_ids, gem_item_ids, bonus_list)
VALUES ($1, $2, $3, NULLIF($4, 0), $5, $6, $7, $8)`, e.ID, itemIDs[sl.ItemBlizzardID], sl.Slot, sl.ItemLevel, sl.Context,
				sl.EnchantmentIDs, sl.GemItemIDs, sl.BonusList)
		}
	}
}

// saveSpecializations is the 00002 processSpecializations + SaveSpecializations: every entry gets the
// loadout of its own spec (the character's active one on 2v2/3v3), with Go field names in the JSON.
func (ow *oldWriter) saveSpecializations(characterID int64, snap time.Time, side sidePlan[battlenet.Specializations]) {
	for _, e := range ow.snapshotEntries(characterID, snap) {
		lo, ok := gear.SelectLoadout(side.Data, e.SpecID)
		if !ok {
			continue // the board's spec is not in the response: no talents
		}
		talents, err := json.Marshal(map[string][]gear.Talent{"class": lo.Class, "spec": lo.Spec, "hero": lo.Hero})
		require.NoError(ow.t, err)
		pvp, err := json.Marshal(lo.Pvp)
		require.NoError(ow.t, err)
		ow.exec(`UPDATE pvp_leaderboard_entries SET spec_id = COALESCE(spec_id, NULLIF($2, 0)),
    hero_talent_tree_id = NULLIF($3, 0), hero_talent_tree_name = NULLIF($4, ''), talent_loadout_code = NULLIF($5, ''),
    talents = $6::jsonb, pvp_talents = $7::jsonb, specialization_processed_at = $8
WHERE id = $1`, e.ID, lo.SpecID, lo.HeroTreeID, lo.HeroTreeName, lo.Code, string(talents), string(pvp), side.ProcessedAt)
		e.SpecID, e.Loadout, e.SpecsAt, e.Processed = lo.SpecID, &lo, side.ProcessedAt, true
	}
}
