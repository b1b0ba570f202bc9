package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/internal/testdb"
	"github.com/pvpsync/pvpsync/store"
)

// Helpers of the character-side tests carry a "ch" prefix: other store tests share this package.

const chFixtures = "../../shared/fixtures/blizzard"

// chBase is a snapshot time with whole microseconds, PostgreSQL's timestamp precision.
var chBase = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// chFixture is a migrated database with one season and two boards of the same region, so a character
// can sit on two boards of one snapshot.
type chFixture struct {
	s      *store.Store
	rec    *chRecorder
	boards map[string]int64
}

func newChFixture(t *testing.T) *chFixture {
	t.Helper()
	rec := &chRecorder{}
	s, _ := testdb.Open(t, store.WithTracer(rec))
	f := &chFixture{s: s, rec: rec, boards: map[string]int64{}}
	var seasonID int64
	require.NoError(t, s.Pool.QueryRow(t.Context(),
		`INSERT INTO pvp_seasons (blizzard_id, name) VALUES (40, 'TWW S3') RETURNING id`).Scan(&seasonID))
	for _, b := range []string{"3v3", "shuffle-mage-frost"} {
		var id int64
		require.NoError(t, s.Pool.QueryRow(t.Context(),
			`INSERT INTO pvp_leaderboards (pvp_season_id, region, bracket) VALUES ($1, 'us', $2) RETURNING id`,
			seasonID, b).Scan(&id))
		f.boards[b] = id
	}
	return f
}

func (f *chFixture) character(t *testing.T, blizzardID int64, name string) int64 {
	t.Helper()
	var id int64
	require.NoError(t, f.s.Pool.QueryRow(t.Context(),
		`INSERT INTO characters (blizzard_id, region, name, realm_slug) VALUES ($1, 'us', $2, 'sargeras') RETURNING id`,
		blizzardID, name).Scan(&id))
	return id
}

// entry inserts one leaderboard entry; specID 0 leaves spec_id NULL (a bracket board).
func (f *chFixture) entry(t *testing.T, board string, characterID int64, snapshotAt time.Time, specID int) int64 {
	t.Helper()
	boardID, ok := f.boards[board]
	require.True(t, ok, "unknown board %s", board)
	var id int64
	require.NoError(t, f.s.Pool.QueryRow(t.Context(), `INSERT INTO pvp_leaderboard_entries
    (pvp_leaderboard_id, character_id, snapshot_at, rank, rating, spec_id)
VALUES ($1, $2, $3, 1, 2400, NULLIF($4::integer, 0)) RETURNING id`, boardID, characterID, snapshotAt, specID).Scan(&id))
	return id
}

func (f *chFixture) setProcessed(t *testing.T, entryID int64, at time.Time) {
	t.Helper()
	_, err := f.s.Pool.Exec(t.Context(), `UPDATE pvp_leaderboard_entries SET equipment_processed_at = $2 WHERE id = $1`, entryID, at)
	require.NoError(t, err)
}

func (f *chFixture) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, f.s.Pool.QueryRow(t.Context(), q, args...).Scan(&n))
	return n
}

// chRecorder records every statement the store sends.
type chRecorder struct {
	mu   sync.Mutex
	sqls []string
	args [][]any
}

func (r *chRecorder) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sqls = append(r.sqls, d.SQL)
	r.args = append(r.args, d.Args)
	return ctx
}

func (r *chRecorder) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (r *chRecorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sqls, r.args = nil, nil
}

func (r *chRecorder) statements() ([]string, [][]any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.sqls...), append([][]any(nil), r.args...)
}

// matching counts recorded statements containing every fragment.
func (r *chRecorder) matching(fragments ...string) int {
	sqls, _ := r.statements()
	n := 0
outer:
	for _, q := range sqls {
		for _, fr := range fragments {
			if !strings.Contains(q, fr) {
				continue outer
			}
		}
		n++
	}
	return n
}

func chReadFixture(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(chFixtures, rel))
	require.NoError(t, err)
	return b
}

func TestCharacterSnapshotEntries(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	c := f.character(t, 1001, "Egirlbooster")
	other := f.character(t, 1002, "Jw")
	e3 := f.entry(t, "3v3", c, chBase, 0)
	eShuffle := f.entry(t, "shuffle-mage-frost", c, chBase, 64)
	f.entry(t, "3v3", c, chBase.Add(-time.Hour), 0)
	f.entry(t, "3v3", other, chBase, 0)

	got, err := f.s.SnapshotEntries(ctx, c, chBase)
	require.NoError(t, err)
	assert.Equal(t, []store.SnapshotEntry{
		{ID: e3, LeaderboardID: f.boards["3v3"], SpecID: 0},
		{ID: eShuffle, LeaderboardID: f.boards["shuffle-mage-frost"], SpecID: 64},
	}, got)

	none, err := f.s.SnapshotEntries(ctx, c, chBase.Add(time.Minute))
	require.NoError(t, err)
	assert.Empty(t, none)
}

func TestCharacterLatestReusableEquipment(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	c := f.character(t, 1001, "Egirlbooster")
	since := chBase.Add(-6 * time.Hour)

	t.Run("none when nothing is processed", func(t *testing.T) {
		f.entry(t, "3v3", c, chBase.Add(-3*time.Hour), 0)
		_, found, err := f.s.LatestReusableEquipment(ctx, c, since)
		require.NoError(t, err)
		assert.False(t, found)
	})

	t.Run("one microsecond before since is stale", func(t *testing.T) {
		e := f.entry(t, "3v3", c, chBase.Add(-5*time.Hour), 0)
		f.setProcessed(t, e, since.Add(-time.Microsecond))
		_, found, err := f.s.LatestReusableEquipment(ctx, c, since)
		require.NoError(t, err)
		assert.False(t, found)
	})

	t.Run("processed exactly at since is reusable", func(t *testing.T) {
		snap := chBase.Add(-4 * time.Hour)
		e := f.entry(t, "shuffle-mage-frost", c, snap, 64)
		f.setProcessed(t, e, since)
		got, found, err := f.s.LatestReusableEquipment(ctx, c, since)
		require.NoError(t, err)
		require.True(t, found)
		assert.Equal(t, e, got.EntryID)
		assert.True(t, got.SnapshotAt.Equal(snap), "snapshot %s", got.SnapshotAt)
		assert.True(t, got.ProcessedAt.Equal(since), "processed %s", got.ProcessedAt)
	})

	t.Run("newest processed wins", func(t *testing.T) {
		older := f.entry(t, "3v3", c, chBase.Add(-2*time.Hour), 0)
		newest := f.entry(t, "3v3", c, chBase.Add(-1*time.Hour), 0)
		// Snapshot order and processing order differ on purpose: processing time decides.
		newerSnapshot := f.entry(t, "3v3", c, chBase, 0)
		f.setProcessed(t, older, since.Add(time.Hour))
		f.setProcessed(t, newest, since.Add(3*time.Hour))
		f.setProcessed(t, newerSnapshot, since.Add(2*time.Hour))
		// Another character's fresher equipment must not leak in.
		other := f.character(t, 1002, "Jw")
		oe := f.entry(t, "3v3", other, chBase, 0)
		f.setProcessed(t, oe, since.Add(4*time.Hour))

		got, found, err := f.s.LatestReusableEquipment(ctx, c, since)
		require.NoError(t, err)
		require.True(t, found)
		assert.Equal(t, newest, got.EntryID)
		assert.True(t, got.ProcessedAt.Equal(since.Add(3*time.Hour)))
	})
}

// TestCharacterReuseQueryUsesPartialIndex explains the statement the store really sends (captured by the
// tracer), on a table big enough for the planner to prefer an index.
func TestCharacterReuseQueryUsesPartialIndex(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	_, err := f.s.Pool.Exec(ctx, `INSERT INTO characters (blizzard_id, region, name, realm_slug)
SELECT g, 'us', 'c' || g, 'sargeras' FROM generate_series(1, 5000) AS g`)
	require.NoError(t, err)
	// 5000 characters x 2 boards x 5 snapshots = 50,000 entries; every other snapshot processed.
	_, err = f.s.Pool.Exec(ctx, `INSERT INTO pvp_leaderboard_entries
    (pvp_leaderboard_id, character_id, snapshot_at, rank, rating, equipment_processed_at)
SELECT b.id, c.id, $1::timestamptz - make_interval(hours => s), 1, 2000,
       CASE WHEN s % 2 = 0 THEN $1::timestamptz - make_interval(hours => s) END
FROM characters AS c CROSS JOIN pvp_leaderboards AS b CROSS JOIN generate_series(0, 4) AS s`, chBase)
	require.NoError(t, err)
	require.GreaterOrEqual(t, f.count(t, `SELECT count(*) FROM pvp_leaderboard_entries`), 50000)
	_, err = f.s.Pool.Exec(ctx, `ANALYZE pvp_leaderboard_entries`)
	require.NoError(t, err)

	var charID int64
	require.NoError(t, f.s.Pool.QueryRow(ctx, `SELECT id FROM characters WHERE blizzard_id = 2500`).Scan(&charID))
	f.rec.reset()
	got, found, err := f.s.LatestReusableEquipment(ctx, charID, chBase.Add(-48*time.Hour))
	require.NoError(t, err)
	require.True(t, found)
	assert.True(t, got.ProcessedAt.Equal(chBase), "newest processed is the s=0 snapshot, got %s", got.ProcessedAt)

	sqls, args := f.rec.statements()
	require.Len(t, sqls, 1, "reuse lookup must be one statement")
	rows, err := f.s.Pool.Query(ctx, "EXPLAIN "+sqls[0], args[0]...)
	require.NoError(t, err)
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	plan := strings.Join(lines, "\n")
	assert.Contains(t, plan, "index_entries_on_character_id_and_equipment_processed_at", plan)
	assert.NotContains(t, plan, "Seq Scan", plan)
}

func TestCharacterStoreRawKeepsOnePayloadPerSide(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	c := f.character(t, 1001, "Egirlbooster")
	other := f.character(t, 1002, "Jw")
	old := chBase.Add(-time.Hour)
	old3 := f.entry(t, "3v3", c, old, 0)
	oldShuffle := f.entry(t, "shuffle-mage-frost", c, old, 64)
	new3 := f.entry(t, "3v3", c, chBase, 0)
	newShuffle := f.entry(t, "shuffle-mage-frost", c, chBase, 64)
	otherOld := f.entry(t, "3v3", other, old, 0)

	eqOld := chReadFixture(t, "equipment/jw.json")
	eqNew := chReadFixture(t, "equipment/egirlbooster.json")
	specOld := chReadFixture(t, "specializations/egirlbooster.json")

	_, _, found, err := f.s.LatestRaw(ctx, c, store.SideEquipment)
	require.NoError(t, err)
	assert.False(t, found)

	n, err := f.s.StoreRaw(ctx, c, old, store.SideEquipment, eqOld)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	n, err = f.s.StoreRaw(ctx, c, old, store.SideSpecializations, specOld)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	_, err = f.s.StoreRaw(ctx, other, old, store.SideEquipment, eqOld)
	require.NoError(t, err)

	// A snapshot with no entries of the character writes nothing and must not clear the older payload.
	n, err = f.s.StoreRaw(ctx, c, chBase.Add(time.Hour), store.SideEquipment, eqNew)
	require.NoError(t, err)
	assert.Equal(t, 0, n)
	id, raw, found, err := f.s.LatestRaw(ctx, c, store.SideEquipment)
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, oldShuffle, id)
	assert.JSONEq(t, string(eqOld), string(raw))

	n, err = f.s.StoreRaw(ctx, c, chBase, store.SideEquipment, eqNew)
	require.NoError(t, err)
	assert.Equal(t, 2, n)

	rawCount := func(col string, entryID int64) int {
		return f.count(t, `SELECT count(*) FROM pvp_leaderboard_entries WHERE id = $1 AND `+col+` IS NOT NULL`, entryID)
	}
	assert.Zero(t, rawCount("raw_equipment", old3), "older equipment payload cleared")
	assert.Zero(t, rawCount("raw_equipment", oldShuffle), "older equipment payload cleared")
	assert.Equal(t, 1, rawCount("raw_specialization", old3), "the other side is kept")
	assert.Equal(t, 1, rawCount("raw_specialization", oldShuffle), "the other side is kept")
	assert.Equal(t, 1, rawCount("raw_equipment", new3))
	assert.Equal(t, 1, rawCount("raw_equipment", otherOld), "another character's payload is kept")

	id, raw, found, err = f.s.LatestRaw(ctx, c, store.SideEquipment)
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, newShuffle, id)
	assert.JSONEq(t, string(eqNew), string(raw))

	id, raw, found, err = f.s.LatestRaw(ctx, c, store.SideSpecializations)
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, oldShuffle, id, "specializations were only stored at the older snapshot")
	assert.JSONEq(t, string(specOld), string(raw))

	_, err = f.s.StoreRaw(ctx, c, chBase, store.SideEquipment, []byte(`{"truncated":`))
	assert.ErrorIs(t, err, store.ErrInvalidRow)
	_, err = f.s.StoreRaw(ctx, c, chBase, store.Side("media"), eqNew)
	assert.ErrorIs(t, err, store.ErrInvalidRow)
	_, _, _, err = f.s.LatestRaw(ctx, c, store.Side("media"))
	assert.ErrorIs(t, err, store.ErrInvalidRow)
}

func TestCharacterSaveSpecializations(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	c := f.character(t, 1001, "Egirlbooster")
	other := f.character(t, 1002, "Jw")
	bracket := f.entry(t, "3v3", c, chBase, 0)
	perSpec := f.entry(t, "shuffle-mage-frost", c, chBase, 64)
	foreign := f.entry(t, "3v3", other, chBase, 0)
	processed := chBase.Add(5 * time.Minute)

	rows := []store.EntrySpec{
		{EntryID: perSpec, SpecID: 63, HeroTreeID: 40, HeroTreeName: "Frostfire", LoadoutCode: "C4DAAAAA",
			Talents: []byte(`[{"id": 1, "rank": 1}]`), PvpTalents: []byte(`[{"id": 5390}]`)},
		{EntryID: bracket, SpecID: 63, HeroTreeID: 41, HeroTreeName: "Sunfury", LoadoutCode: "C8DAAAAA",
			Talents: []byte(`[{"id": 2, "rank": 2}]`)},
		{EntryID: foreign, SpecID: 63, Talents: []byte(`[]`)},
	}
	f.rec.reset()
	n, err := f.s.SaveSpecializations(ctx, c, processed, rows, 8, `Wed, 01 Oct 2025 10:00:00 GMT`)
	require.NoError(t, err)
	assert.Equal(t, 2, n, "the other character's entry is not written")
	assert.Equal(t, 1, f.rec.matching("UPDATE pvp_leaderboard_entries"), "all entries in one statement")

	type specRow struct {
		SpecID              *int
		HeroID              *int64
		HeroName, Loadout   *string
		Talents, PvpTalents *string
		ProcessedAt         *time.Time
	}
	read := func(id int64) specRow {
		var r specRow
		require.NoError(t, f.s.Pool.QueryRow(ctx, `SELECT spec_id, hero_talent_tree_id, hero_talent_tree_name,
    talent_loadout_code, talents::text, pvp_talents::text, specialization_processed_at
FROM pvp_leaderboard_entries WHERE id = $1`, id).Scan(&r.SpecID, &r.HeroID, &r.HeroName, &r.Loadout,
			&r.Talents, &r.PvpTalents, &r.ProcessedAt))
		return r
	}
	ps := read(perSpec)
	require.NotNil(t, ps.SpecID)
	assert.Equal(t, 64, *ps.SpecID, "a per-spec board keeps its spec")
	require.NotNil(t, ps.HeroName)
	assert.Equal(t, "Frostfire", *ps.HeroName)
	assert.Equal(t, int64(40), *ps.HeroID)
	assert.Equal(t, "C4DAAAAA", *ps.Loadout)
	assert.JSONEq(t, `[{"id": 1, "rank": 1}]`, *ps.Talents)
	assert.JSONEq(t, `[{"id": 5390}]`, *ps.PvpTalents)
	require.NotNil(t, ps.ProcessedAt)
	assert.True(t, ps.ProcessedAt.Equal(processed))

	br := read(bracket)
	require.NotNil(t, br.SpecID)
	assert.Equal(t, 63, *br.SpecID, "a bracket entry takes the spec")
	assert.Equal(t, "Sunfury", *br.HeroName)
	assert.Equal(t, "C8DAAAAA", *br.Loadout)
	assert.JSONEq(t, `[{"id": 2, "rank": 2}]`, *br.Talents)
	assert.Nil(t, br.PvpTalents, "no PvP talents stays NULL")

	fr := read(foreign)
	assert.Nil(t, fr.SpecID)
	assert.Nil(t, fr.ProcessedAt)

	ch, err := f.s.Character(ctx, c)
	require.NoError(t, err)
	assert.Equal(t, 8, ch.ClassID)
	assert.Equal(t, `Wed, 01 Oct 2025 10:00:00 GMT`, ch.SpecializationsLastModified)

	// Zero class and empty Last-Modified keep what is stored.
	_, err = f.s.SaveSpecializations(ctx, c, processed, rows[:1], 0, "")
	require.NoError(t, err)
	ch, err = f.s.Character(ctx, c)
	require.NoError(t, err)
	assert.Equal(t, 8, ch.ClassID)
	assert.Equal(t, `Wed, 01 Oct 2025 10:00:00 GMT`, ch.SpecializationsLastModified)

	_, err = f.s.SaveSpecializations(ctx, c, processed, []store.EntrySpec{rows[0], rows[0]}, 8, "")
	assert.ErrorIs(t, err, store.ErrInvalidRow)
	_, err = f.s.SaveSpecializations(ctx, c, processed, []store.EntrySpec{{EntryID: bracket, Talents: []byte(`{`)}}, 8, "")
	assert.ErrorIs(t, err, store.ErrInvalidRow)
}

func TestCharacterPrivateUnavailableProfile(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	c := f.character(t, 1001, "Egirlbooster")

	ch, err := f.s.Character(ctx, c)
	require.NoError(t, err)
	assert.Equal(t, store.Character{ID: c, BlizzardID: 1001, Region: "us", Name: "Egirlbooster", RealmSlug: "sargeras"}, ch)

	require.NoError(t, f.s.MarkPrivate(ctx, c))
	until := chBase.Add(72 * time.Hour)
	require.NoError(t, f.s.MarkUnavailable(ctx, c, until))
	ch, err = f.s.Character(ctx, c)
	require.NoError(t, err)
	assert.True(t, ch.IsPrivate)
	require.NotNil(t, ch.UnavailableUntil)
	assert.True(t, ch.UnavailableUntil.Equal(until))

	login := time.Date(2025, 9, 30, 22, 15, 7, 123000000, time.UTC)
	before := time.Now()
	require.NoError(t, f.s.SaveProfile(ctx, c, store.ProfileMeta{ClassID: 8, RaceID: 10, Race: "Blood Elf", Faction: "HORDE",
		Level: 80, ActiveSpecID: 64, ItemLevel: 678, LastLoginAt: &login}))
	ch, err = f.s.Character(ctx, c)
	require.NoError(t, err)
	assert.False(t, ch.IsPrivate, "a profile that answered is public")
	assert.Nil(t, ch.UnavailableUntil)
	assert.Equal(t, 8, ch.ClassID)
	assert.Equal(t, 10, ch.RaceID)
	assert.Equal(t, "HORDE", ch.Faction)
	require.NotNil(t, ch.MetaSyncedAt)
	assert.WithinDuration(t, before, *ch.MetaSyncedAt, time.Minute)

	var (
		race                       string
		level, activeSpec, itemLvl int
		lastLogin                  time.Time
	)
	require.NoError(t, f.s.Pool.QueryRow(ctx, `SELECT race, level, active_spec_id, profile_item_level, last_login_at
FROM characters WHERE id = $1`, c).Scan(&race, &level, &activeSpec, &itemLvl, &lastLogin))
	assert.Equal(t, "Blood Elf", race)
	assert.Equal(t, 80, level)
	assert.Equal(t, 64, activeSpec)
	assert.Equal(t, 678, itemLvl)
	assert.True(t, lastLogin.Equal(login), "last login %s", lastLogin)

	// A sparse profile keeps the known values.
	require.NoError(t, f.s.SaveProfile(ctx, c, store.ProfileMeta{Level: 80}))
	ch, err = f.s.Character(ctx, c)
	require.NoError(t, err)
	assert.Equal(t, 8, ch.ClassID)
	assert.Equal(t, "HORDE", ch.Faction)

	const missing = int64(987654321)
	assert.ErrorIs(t, f.s.MarkPrivate(ctx, missing), store.ErrNoCharacter)
	assert.ErrorIs(t, f.s.MarkUnavailable(ctx, missing, until), store.ErrNoCharacter)
	assert.ErrorIs(t, f.s.SaveProfile(ctx, missing, store.ProfileMeta{}), store.ErrNoCharacter)
	_, err = f.s.Character(ctx, missing)
	assert.ErrorIs(t, err, store.ErrNoCharacter)
}
