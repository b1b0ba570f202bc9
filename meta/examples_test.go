package meta_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/internal/testdb"
	"github.com/pvpsync/pvpsync/meta"
	"github.com/pvpsync/pvpsync/meta/metatest"
	"github.com/pvpsync/pvpsync/store"
)

// TestExampleQueries runs the README's example queries (meta.ExampleTopItemsSQL,
// meta.ExampleTalentPicksSQL) on a database shaped like production: the two boards asked about are
// written through the store's write path, among 94 other boards of four regions written in bulk, with
// older snapshots everywhere and newer unfinished ones in eu (exampleFiller). Their answers must match a
// count over the characters written (the latest complete snapshot's), and their plans must read
// meta_entries through its index, with the gear builds or loadouts fetched by id: the planner chooses
// that on these proportions (a board is about 1% of meta_entries, gear builds outnumber meta rows two to
// one), nothing forces it.
func TestExampleQueries(t *testing.T) {
	st, _ := testdb.Open(t)
	ctx := context.Background()

	shuffle := metatest.Generate(41, 240, frostMage, true)
	metatest.Write(t, st, metatest.Board{Region: "eu", Bracket: "shuffle-mage-frost", Season: 42, Snapshot: snap1,
		Characters: shuffle, Finish: true})
	// 3v3: frost and fire mages (the filler adds every other spec); characters of their own, not the
	// shuffle board's.
	arena := metatest.Generate(42, 150, frostMage, false)
	for i := range arena {
		arena[i].BlizzardID += 100_000
		arena[i].Name = fmt.Sprintf("Arena%04d", i)
		if i%3 == 0 {
			arena[i].ActiveSpecID = fireMage
			for j := range arena[i].Loadouts {
				arena[i].Loadouts[j].SpecID = fireMage
			}
		}
	}
	metatest.Write(t, st, metatest.Board{Region: "eu", Bracket: "3v3", Season: 42, Snapshot: snap1,
		Characters: arena, Finish: true})
	exampleFiller(t, st)
	refresh(t, st)
	// Statistics of what the queries read (Refresh analyzed meta_entries), as autovacuum would have them.
	_, err := st.Pool.Exec(ctx, `ANALYZE gear_builds, gear_items, items, talent_loadouts, talents`)
	require.NoError(t, err)
	var rows, boards int
	require.NoError(t, st.Pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT (region, bracket)) FROM meta_entries`).Scan(&rows, &boards))
	t.Logf("meta_entries: %d rows on %d boards", rows, boards)
	var snapshots int
	require.NoError(t, st.Pool.QueryRow(ctx, `SELECT count(DISTINCT e.snapshot_at) FROM pvp_leaderboard_entries AS e
JOIN pvp_leaderboards AS b ON b.id = e.pvp_leaderboard_id WHERE b.region = 'eu' AND b.bracket = 'shuffle-mage-frost'`).Scan(&snapshots))
	require.Equal(t, 3, snapshots, "older, complete and unfinished snapshots of the board asked about")

	t.Run("TopItems", func(t *testing.T) {
		want := expect(shuffle, frostMage, 0, 0, "")
		require.Positive(t, want.withGear)
		wantSlots := map[string][]exampleItem{}
		for slot, items := range want.items {
			for i, c := range ranked(items, 10) {
				wantSlots[slot] = append(wantSlots[slot], exampleItem{Place: i + 1, Item: fmt.Sprintf("Item %d", c.id),
					Characters: c.n, Tenths: tenths(c.n, want.withGear)})
			}
		}

		rs, err := st.Pool.Query(ctx, meta.ExampleTopItemsSQL, "eu", "shuffle-mage-frost")
		require.NoError(t, err)
		got, err := pgx.CollectRows(rs, func(r pgx.CollectableRow) (exampleItemRow, error) {
			var row exampleItemRow
			var percent float64
			err := r.Scan(&row.slot, &row.Place, &row.Item, &row.Characters, &percent)
			row.Tenths = int(math.Round(10 * percent))
			return row, err
		})
		require.NoError(t, err)
		gotSlots := map[string][]exampleItem{}
		for i, r := range got {
			if i > 0 {
				assert.LessOrEqual(t, got[i-1].slot, r.slot, "by slot")
			}
			gotSlots[r.slot] = append(gotSlots[r.slot], r.exampleItem) // in the order returned: by place
		}
		assert.Equal(t, wantSlots, gotSlots)
		// One spot check in words: the most worn head piece.
		head := ranked(want.items["HEAD"], 1)[0]
		require.NotEmpty(t, gotSlots["HEAD"])
		t.Logf("HEAD: Item %d on %d of %d characters (%.1f%%)", head.id, head.n, want.withGear, float64(tenths(head.n, want.withGear))/10)

		plan := explainExample(t, st, meta.ExampleTopItemsSQL, "eu", "shuffle-mage-frost")
		assert.Contains(t, plan, "index_meta_entries_on_spec_rank on meta_entries", plan)
		assert.NotContains(t, plan, "Seq Scan on meta_entries", plan)
		assert.Contains(t, plan, "gear_builds_pkey on gear_builds", plan)
		assert.NotContains(t, plan, "Seq Scan on gear_builds", plan)
	})

	t.Run("TalentPicks", func(t *testing.T) {
		// The median rating of the frost mages with talents: the filter keeps about half of them.
		var ratings []int
		for _, c := range arena {
			if c.ActiveSpecID == frostMage && len(c.Loadouts) > 0 {
				ratings = append(ratings, c.Rating)
			}
		}
		slices.Sort(ratings)
		minRating := ratings[len(ratings)/2]
		want := expect(arena, frostMage, 0, minRating, "")
		require.Positive(t, want.withTalents)
		names := map[int64]string{}
		for _, c := range arena {
			for _, lo := range c.Loadouts {
				for _, tl := range slices.Concat(lo.Class, lo.Spec, lo.Hero) {
					names[tl.TalentID] = tl.Name
				}
			}
		}
		wantPicks := map[exampleTalent]int{}
		for k, n := range want.talents {
			wantPicks[exampleTalent{k.tree, k.node, names[k.talent]}] = n
		}

		rs, err := st.Pool.Query(ctx, meta.ExampleTalentPicksSQL, "eu", "3v3", frostMage, minRating)
		require.NoError(t, err)
		type pick struct {
			exampleTalent
			characters, tenths int
		}
		got, err := pgx.CollectRows(rs, func(r pgx.CollectableRow) (pick, error) {
			var p pick
			var percent float64
			err := r.Scan(&p.tree, &p.node, &p.name, &p.characters, &percent)
			p.tenths = int(math.Round(10 * percent))
			return p, err
		})
		require.NoError(t, err)
		gotPicks := map[exampleTalent]int{}
		for i, p := range got {
			gotPicks[p.exampleTalent] = p.characters
			assert.Equal(t, tenths(p.characters, want.withTalents), p.tenths, "percent of %+v", p.exampleTalent)
			if i > 0 && got[i-1].tree == p.tree {
				assert.GreaterOrEqual(t, got[i-1].characters, p.characters, "most picked first")
			}
		}
		assert.Equal(t, wantPicks, gotPicks)
		// One spot check in words: class node 1 (one talent, taken three times in four).
		node1 := wantPicks[exampleTalent{"class", 1, "Talent 80001"}]
		require.Positive(t, node1)
		assert.Equal(t, node1, gotPicks[exampleTalent{"class", 1, "Talent 80001"}])
		t.Logf("class node 1: %d of %d frost mages rated %d+ (%.1f%%)", node1, want.withTalents, minRating,
			float64(tenths(node1, want.withTalents))/10)

		plan := explainExample(t, st, meta.ExampleTalentPicksSQL, "eu", "3v3", frostMage, minRating)
		assert.Contains(t, plan, "index_meta_entries_on_spec_rank on meta_entries", plan)
		assert.NotContains(t, plan, "Seq Scan on meta_entries", plan)
		assert.Contains(t, plan, "talent_loadouts_pkey on talent_loadouts", plan)
		assert.NotContains(t, plan, "Seq Scan on talent_loadouts", plan)
	})
}

type exampleItem struct {
	Place      int
	Item       string
	Characters int
	Tenths     int // percent × 10, as rounded to one decimal
}

type exampleItemRow struct {
	slot string
	exampleItem
}

type exampleTalent struct {
	tree string
	node int64
	name string
}

// tenths is round(100.0 * n / of, 1) × 10: halves round up, as PostgreSQL's round of a numeric does.
func tenths(n, of int) int { return (2000*n + of) / (2 * of) }

// explainExample runs the statement under EXPLAIN ANALYZE with its parameters (so the plan is the one a
// backend's first executions get) and returns the plan's text.
func explainExample(t *testing.T, st *store.Store, sql string, args ...any) string {
	t.Helper()
	rows, err := st.Pool.Query(context.Background(), "EXPLAIN ANALYZE "+sql, args...)
	require.NoError(t, err)
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	plan := strings.Join(lines, "\n")
	t.Logf("plan:\n%s", plan)
	return plan
}

// exampleFiller writes the rest of a production-like database in bulk, through the schema's tables:
// four regions of 2v2, 3v3 and rbg boards (600 characters each, every spec but the two mages) and 14
// shuffle and 7 blitz boards (240 each). Every character has a loadout of its own and two gear builds
// of 16 slots (one in nine is private): one worn in an older snapshot, one in the complete snapshot,
// as a month of retained snapshots leaves several builds per character. eu's boards also have a newer
// snapshot, not finished. The two boards written before get the older and unfinished snapshots only,
// and eu 3v3 600 characters of other specs in its complete snapshot, ranked after its mages.
func exampleFiller(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	began := time.Now()
	var brackets []string
	var specs, sizes, arenaSpecs []int32
	for _, b := range []string{"2v2", "3v3", "rbg"} {
		brackets, specs, sizes = append(brackets, b), append(specs, 0), append(sizes, 600)
	}
	for i, sp := range battlenet.Specs {
		if sp.ID != frostMage && sp.ID != fireMage {
			arenaSpecs = append(arenaSpecs, int32(sp.ID))
		}
		if i%3 == 0 || sp.ID == frostMage { // frost mage's board among them
			brackets, specs, sizes = append(brackets, battlenet.BracketName("shuffle", sp)), append(specs, int32(sp.ID)), append(sizes, 240)
		}
		if i%6 == 1 {
			brackets, specs, sizes = append(brackets, battlenet.BracketName("blitz", sp)), append(specs, int32(sp.ID)), append(sizes, 240)
		}
	}
	// The slots of a full build (no shirt, no tabard), in byte order as gear/content.go keys them.
	slots := slices.DeleteFunc(slices.Clone(meta.Slots), func(s string) bool { return s == "SHIRT" || s == "TABARD" })
	slices.Sort(slots)
	var season int64
	require.NoError(t, st.Pool.QueryRow(ctx, `SELECT id FROM pvp_seasons WHERE blizzard_id = 42`).Scan(&season))

	tx, err := st.Pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	for _, s := range []struct {
		sql  string
		args []any
	}{
		{`CREATE TEMP TABLE filler_boards ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY r.region, b.bracket)::int AS n, r.region, b.bracket, b.spec_id, b.size
FROM unnest(ARRAY['us', 'eu', 'kr', 'tw']) AS r(region)
CROSS JOIN unnest($1::text[], $2::int[], $3::int[]) AS b(bracket, spec_id, size)`, []any{brackets, specs, sizes}},
		{`INSERT INTO pvp_leaderboards (pvp_season_id, region, bracket, completed_snapshot_at, last_snapshot_at)
SELECT $1, region, bracket, $2, $2 FROM filler_boards
ON CONFLICT (pvp_season_id, region, bracket) DO NOTHING`, []any{season, snap1}},
		// One character per board and place, ranked after the entries already there (eu 3v3's mages),
		// with the ids of its rows drawn from the tables' own sequences.
		{`CREATE TEMP TABLE filler_chars ON COMMIT DROP AS
SELECT fb.region, fb.bracket, i, lb.id AS leaderboard_id, COALESCE(taken.max_rank, 0) + i AS rank,
       CASE WHEN fb.spec_id <> 0 THEN fb.spec_id ELSE ($1::int[])[1 + (i * 7 + fb.n) % cardinality($1::int[])] END AS spec_id,
       50000000::bigint + fb.n * 10000 + i AS blizzard_id,
       nextval(pg_get_serial_sequence('characters', 'id')) AS character_id,
       nextval(pg_get_serial_sequence('talent_loadouts', 'id')) AS loadout_id,
       nextval(pg_get_serial_sequence('gear_builds', 'id')) AS build_before,
       nextval(pg_get_serial_sequence('gear_builds', 'id')) AS build_now
FROM filler_boards AS fb
JOIN pvp_leaderboards AS lb ON lb.pvp_season_id = $2 AND lb.region = fb.region AND lb.bracket = fb.bracket
CROSS JOIN generate_series(1, fb.size) AS i
LEFT JOIN LATERAL (SELECT max(rank) AS max_rank FROM pvp_leaderboard_entries AS e
    WHERE e.pvp_leaderboard_id = lb.id AND e.snapshot_at = $3) AS taken ON true`, []any{arenaSpecs, season, snap1}},
		{`INSERT INTO characters (id, blizzard_id, region, name, realm_slug)
SELECT character_id, blizzard_id, region, 'Filler' || character_id, 'tarren-mill' FROM filler_chars`, nil},
		// The catalogue's other items: 100 per slot, each worn at five item levels.
		{`INSERT INTO items (blizzard_id, name) SELECT 300000 + k, 'Filler item ' || k FROM generate_series(0, 1599) AS k`, nil},
		{`INSERT INTO gear_items (hash, item_id, item_level, context, enchantment_ids, gem_item_ids, bonus_list)
SELECT sha256(convert_to('filler-item-' || k || '-' || l, 'UTF8')), 300000 + k, 600 + l, 0, '{}', '{}', '{}'
FROM generate_series(0, 1599) AS k CROSS JOIN generate_series(0, 4) AS l`, nil},
		{`INSERT INTO gear_builds (id, hash, item_level, slots, gear_item_ids)
SELECT b.id, sha256(convert_to('filler-build-' || b.id, 'UTF8')), 600 + b.id % 5, $1::text[],
       ARRAY(SELECT g.ids[1 + ((s - 1) * 100 + (b.id * 31 + s * 17) % 100) * 5 + b.id % 5]
             FROM generate_series(1, cardinality($1::text[])) AS s ORDER BY s)
FROM (SELECT build_before AS id FROM filler_chars UNION ALL SELECT build_now FROM filler_chars) AS b
CROSS JOIN (SELECT array_agg(id ORDER BY item_id, item_level) AS ids FROM gear_items WHERE item_id >= 300000) AS g`,
			[]any{slots}},
		// 64 talent documents of 20 class and 15 spec nodes, shared out among the loadouts.
		{`CREATE TEMP TABLE filler_talents ON COMMIT DROP AS
SELECT v, jsonb_build_object(
           'class', (SELECT jsonb_agg(jsonb_build_object('node_id', 100 + node, 'talent_id', 90000 + node, 'rank', 1) ORDER BY node)
                     FROM generate_series(1, 20) AS node WHERE (v + node) % 4 <> 0),
           'spec', (SELECT jsonb_agg(jsonb_build_object('node_id', 200 + node, 'talent_id', 91000 + node, 'rank', 1) ORDER BY node)
                    FROM generate_series(1, 15) AS node WHERE (v * 7 + node) % 3 <> 0),
           'hero', '[]'::jsonb) AS talents
FROM generate_series(0, 63) AS v`, nil},
		{`INSERT INTO talent_loadouts (id, hash, spec_id, loadout_code, talents, pvp_talents)
SELECT f.loadout_id, sha256(convert_to('filler-loadout-' || f.loadout_id, 'UTF8')), f.spec_id, 'F' || f.loadout_id,
       d.talents, '[]'::jsonb
FROM filler_chars AS f
JOIN filler_talents AS d ON d.v = f.loadout_id % 64`, nil},
		{`INSERT INTO pvp_leaderboard_entries (pvp_leaderboard_id, character_id, snapshot_at, rank, rating, spec_id,
    gear_build_id, talent_loadout_id, processed_at)
SELECT f.leaderboard_id, f.character_id, $1::timestamptz + s.shift, f.rank, 2900 - f.i, f.spec_id,
       CASE WHEN f.i % 9 = 0 THEN NULL WHEN s.shift < interval '0' THEN f.build_before ELSE f.build_now END,
       CASE WHEN f.i % 9 <> 0 THEN f.loadout_id END, $1::timestamptz + s.shift
FROM filler_chars AS f
CROSS JOIN (VALUES (interval '-6 hours'), (interval '0'), (interval '6 hours')) AS s(shift)
WHERE CASE s.shift WHEN interval '0' THEN NOT (f.region = 'eu' AND f.bracket = 'shuffle-mage-frost')
                   WHEN interval '6 hours' THEN f.region = 'eu'
                   ELSE true END`, []any{snap1}},
	} {
		_, err := tx.Exec(ctx, s.sql, s.args...)
		require.NoError(t, err, s.sql)
	}
	require.NoError(t, tx.Commit(ctx))
	var entries, builds int
	require.NoError(t, st.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM pvp_leaderboard_entries), (SELECT count(*) FROM gear_builds)`).
		Scan(&entries, &builds))
	t.Logf("filler: %d boards, %d entries, %d gear builds in %s", 4*len(brackets), entries, builds, time.Since(began).Round(time.Millisecond))
}
