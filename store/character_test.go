package store_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/gear"
	"github.com/pvpsync/pvpsync/internal/sqlcount"
	"github.com/pvpsync/pvpsync/internal/testdb"
	"github.com/pvpsync/pvpsync/store"
)

// Helpers of the character-side tests carry a "ch" prefix: other store tests share this package.

const chFixtures = "../../shared/fixtures/blizzard"

// chBase is a snapshot time with whole microseconds, PostgreSQL's timestamp precision.
var chBase = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

const (
	chLM1 = "Wed, 01 Oct 2025 10:00:00 GMT"
	chLM2 = "Thu, 02 Oct 2025 11:30:00 GMT"
)

// Spec ids of the captured characters (both rogues): jw has all three specs and is in Subtlety,
// egirlbooster only shows Assassination.
const (
	chAssassination = 259
	chOutlaw        = 260
	chSubtlety      = 261
	chRogue         = 4
)

// chFixture is a migrated database with one season and boards of one region, so a character can sit
// on several boards of one snapshot: two bracket boards and two per-spec shuffle boards.
type chFixture struct {
	s      *store.Store
	stmts  *sqlcount.Counter
	boards map[string]int64
}

func newChFixture(t *testing.T) *chFixture {
	t.Helper()
	stmts := &sqlcount.Counter{}
	s, _ := testdb.Open(t, store.WithTracer(stmts))
	f := &chFixture{s: s, stmts: stmts, boards: map[string]int64{}}
	season, err := s.UpsertSeason(t.Context(), store.Season{BlizzardID: 40, Name: "TWW S3"})
	require.NoError(t, err)
	for _, b := range []string{"3v3", "2v2", "shuffle-rogue-assassination", "shuffle-rogue-subtlety"} {
		id, err := s.UpsertLeaderboard(t.Context(), season, "us", b)
		require.NoError(t, err)
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

// entry inserts one leaderboard entry with the board's spec (NULL on bracket boards).
func (f *chFixture) entry(t *testing.T, board string, characterID int64, snapshotAt time.Time) int64 {
	t.Helper()
	return f.entryStats(t, board, characterID, snapshotAt, 1, 2400, 10, 5)
}

func (f *chFixture) entryStats(t *testing.T, board string, characterID int64, snapshotAt time.Time, rank, rating, wins, losses int) int64 {
	t.Helper()
	boardID, ok := f.boards[board]
	require.True(t, ok, "unknown board %s", board)
	spec, _ := battlenet.BracketSpecID(board)
	var id int64
	require.NoError(t, f.s.Pool.QueryRow(t.Context(), `INSERT INTO pvp_leaderboard_entries
    (pvp_leaderboard_id, character_id, snapshot_at, rank, rating, wins, losses, spec_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, NULLIF($8::integer, 0)) RETURNING id`,
		boardID, characterID, snapshotAt, rank, rating, wins, losses, spec).Scan(&id))
	return id
}

func (f *chFixture) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, f.s.Pool.QueryRow(t.Context(), q, args...).Scan(&n))
	return n
}

// rowText is a whole row as JSON text: comparing it before and after a call proves the call wrote nothing.
func (f *chFixture) rowText(t *testing.T, table string, id int64) string {
	t.Helper()
	var s string
	require.NoError(t, f.s.Pool.QueryRow(t.Context(), `SELECT to_jsonb(x)::text FROM `+table+` AS x WHERE x.id = $1`, id).Scan(&s))
	return s
}

// tableText is a whole table as JSON text, in a stable order.
func (f *chFixture) tableText(t *testing.T, table, orderBy string) string {
	t.Helper()
	var s *string
	require.NoError(t, f.s.Pool.QueryRow(t.Context(),
		`SELECT jsonb_agg(to_jsonb(x) ORDER BY `+orderBy+`)::text FROM `+table+` AS x`).Scan(&s))
	if s == nil {
		return ""
	}
	return *s
}

func chReadFixture(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(chFixtures, rel))
	require.NoError(t, err)
	return b
}

// chEquipment is a captured equipment response and its summary, as the fetch activity makes it.
func chEquipment(t testing.TB, name string) ([]byte, gear.Gear) {
	t.Helper()
	raw := chReadFixture(t, "equipment/"+name+".json")
	resp, err := battlenet.DecodeEquipment(raw)
	require.NoError(t, err)
	g, err := gear.Summarize(resp)
	require.NoError(t, err)
	return raw, g
}

// chSpecializations is a captured specializations response, its loadouts and the active spec.
func chSpecializations(t testing.TB, name string) ([]byte, []gear.Loadout, int) {
	t.Helper()
	raw := chReadFixture(t, "specializations/"+name+".json")
	resp, err := battlenet.DecodeSpecializations(raw)
	require.NoError(t, err)
	los, active := gear.Loadouts(resp)
	require.NotEmpty(t, los)
	return raw, los, active
}

// chCloneGear deep-copies a summary so a test can change one slot without touching the original.
func chCloneGear(g gear.Gear) gear.Gear {
	out := g
	out.Items, out.Gems, out.Enchantments = slices.Clone(g.Items), slices.Clone(g.Gems), slices.Clone(g.Enchantments)
	out.Slots = make([]gear.Slot, len(g.Slots))
	for i, s := range g.Slots {
		s.EnchantmentIDs, s.GemItemIDs, s.BonusList = slices.Clone(s.EnchantmentIDs), slices.Clone(s.GemItemIDs), slices.Clone(s.BonusList)
		out.Slots[i] = s
	}
	if g.TierSet != nil {
		ts := *g.TierSet
		out.TierSet = &ts
	}
	return out
}

// chSlotIndex is the index of a slot in a summary.
func chSlotIndex(t testing.TB, g gear.Gear, slot string) int {
	t.Helper()
	i := slices.IndexFunc(g.Slots, func(s gear.Slot) bool { return s.Slot == slot })
	require.GreaterOrEqual(t, i, 0, "slot %s", slot)
	return i
}

// chLoadoutIDs maps spec id to loadout id.
func chLoadoutIDs(los []store.SpecLoadout) map[int]int64 {
	out := map[int]int64{}
	for _, l := range los {
		out[l.SpecID] = l.LoadoutID
	}
	return out
}

// chState is what the sync stores for one character from one pair of responses.
type chState struct {
	Build    int64
	Loadouts []store.SpecLoadout
	Active   int
}

// save stores a captured pair of responses for the character (not committed).
func (f *chFixture) save(t *testing.T, characterID int64, name string) chState {
	t.Helper()
	rawEq, g := chEquipment(t, name)
	build, err := f.s.SaveEquipment(t.Context(), characterID, rawEq, chLM1, g)
	require.NoError(t, err)
	rawSp, los, active := chSpecializations(t, name)
	sl, err := f.s.SaveSpecializations(t.Context(), characterID, rawSp, chLM2, los)
	require.NoError(t, err)
	return chState{Build: build, Loadouts: sl, Active: active}
}

// commit is a full 200/200 commit of st at snapshot for board.
func (f *chFixture) commit(t *testing.T, characterID int64, snapshot time.Time, board string, st chState) int {
	t.Helper()
	n, err := f.s.CommitCharacter(t.Context(), store.Commit{
		CharacterID: characterID, SnapshotAt: snapshot, LeaderboardID: f.boards[board], Outcome: "synced",
		Equipment: store.EquipmentCommit{Answered: true, BuildID: st.Build, LastModified: chLM1},
		Talents: store.TalentsCommit{Answered: true, Fetched: true, Loadouts: st.Loadouts, ActiveSpecID: st.Active,
			ClassID: chRogue, LastModified: chLM2},
	})
	require.NoError(t, err)
	return n
}

// chEntry is the state columns of one entry; nil for NULL.
type chEntry struct {
	Build, Loadout *int64
	Spec           *int
	Processed      bool
}

func (f *chFixture) readEntry(t *testing.T, id int64) chEntry {
	t.Helper()
	var e chEntry
	require.NoError(t, f.s.Pool.QueryRow(t.Context(), `SELECT gear_build_id, talent_loadout_id, spec_id, processed_at IS NOT NULL
FROM pvp_leaderboard_entries WHERE id = $1`, id).Scan(&e.Build, &e.Loadout, &e.Spec, &e.Processed))
	return e
}

func chWant(build, loadout int64, spec int) chEntry {
	e := chEntry{Build: &build, Spec: &spec, Processed: true}
	if loadout != 0 {
		e.Loadout = &loadout
	}
	return e
}

// chCharState is the state columns of one character.
type chCharState struct {
	Build                   *int64
	TalentSpec, Class       *int
	EqLM, SpLM              *string
	EqFetched, SpFetched    *time.Time
	ProcessedAt             *time.Time
	ProcessedBy             *int64
	ProcessedOutcome        *string
	Loadouts                map[int]int64
	EqFetchedFresh, SpFresh bool // fetched within the last minute (database clock)
}

func (f *chFixture) readCharacter(t *testing.T, id int64) chCharState {
	t.Helper()
	var c chCharState
	require.NoError(t, f.s.Pool.QueryRow(t.Context(), `SELECT gear_build_id, talent_spec_id, class_id, equipment_last_modified,
    specializations_last_modified, equipment_fetched_at, specializations_fetched_at, processed_snapshot_at,
    processed_leaderboard_id, processed_outcome,
    COALESCE(equipment_fetched_at > now() - interval '1 minute', false),
    COALESCE(specializations_fetched_at > now() - interval '1 minute', false)
FROM characters WHERE id = $1`, id).Scan(&c.Build, &c.TalentSpec, &c.Class, &c.EqLM, &c.SpLM, &c.EqFetched, &c.SpFetched,
		&c.ProcessedAt, &c.ProcessedBy, &c.ProcessedOutcome, &c.EqFetchedFresh, &c.SpFresh))
	rows, err := f.s.Pool.Query(t.Context(), `SELECT spec_id, talent_loadout_id FROM character_loadouts WHERE character_id = $1`, id)
	require.NoError(t, err)
	defer rows.Close()
	c.Loadouts = map[int]int64{}
	for rows.Next() {
		var spec int
		var lo int64
		require.NoError(t, rows.Scan(&spec, &lo))
		c.Loadouts[spec] = lo
	}
	require.NoError(t, rows.Err())
	return c
}

func TestCommitCharacterMovesStateOntoEntries(t *testing.T) {
	f := newChFixture(t)
	c := f.character(t, 1001, "Jw")
	other := f.character(t, 1002, "Egirlbooster")
	bracket := f.entry(t, "3v3", c, chBase)
	shuffle := f.entry(t, "shuffle-rogue-assassination", c, chBase)
	older := f.entry(t, "3v3", c, chBase.Add(-time.Hour))
	foreign := f.entry(t, "3v3", other, chBase)

	st := f.save(t, c, "jw")
	require.Equal(t, chSubtlety, st.Active)
	lo := chLoadoutIDs(st.Loadouts)
	require.Len(t, lo, 3)

	// Saving does not move the state: Last-Modified values are only recorded with entries holding the data.
	before := f.readCharacter(t, c)
	assert.Nil(t, before.Build)
	assert.Nil(t, before.EqLM)
	assert.Nil(t, before.SpLM)
	assert.Empty(t, before.Loadouts)

	f.stmts.Reset()
	n := f.commit(t, c, chBase, "3v3", st)
	assert.Equal(t, 2, n, "both entries of the snapshot")
	assert.Equal(t, int64(2), f.stmts.TxControl(), "one transaction")

	// The 3v3 entry shows the spec the player is in; the shuffle entry its board's spec.
	assert.Equal(t, chWant(st.Build, lo[chSubtlety], chSubtlety), f.readEntry(t, bracket))
	assert.Equal(t, chWant(st.Build, lo[chAssassination], chAssassination), f.readEntry(t, shuffle))
	assert.Equal(t, chEntry{}, f.readEntry(t, older), "another snapshot is untouched")
	assert.Equal(t, chEntry{}, f.readEntry(t, foreign), "another character is untouched")

	got := f.readCharacter(t, c)
	require.NotNil(t, got.Build)
	assert.Equal(t, st.Build, *got.Build)
	assert.Equal(t, chSubtlety, *got.TalentSpec)
	assert.Equal(t, chRogue, *got.Class)
	assert.Equal(t, chLM1, *got.EqLM)
	assert.Equal(t, chLM2, *got.SpLM)
	assert.True(t, got.EqFetchedFresh)
	assert.True(t, got.SpFresh)
	assert.True(t, got.ProcessedAt.Equal(chBase))
	assert.Equal(t, f.boards["3v3"], *got.ProcessedBy)
	assert.Equal(t, "synced", *got.ProcessedOutcome)
	assert.Equal(t, lo, got.Loadouts)

	// An older snapshot committed late writes its entries but never moves the processed marks back.
	n = f.commit(t, c, chBase.Add(-time.Hour), "2v2", st)
	assert.Equal(t, 1, n)
	assert.Equal(t, chWant(st.Build, lo[chSubtlety], chSubtlety), f.readEntry(t, older))
	got = f.readCharacter(t, c)
	assert.True(t, got.ProcessedAt.Equal(chBase), "processed snapshot %s", got.ProcessedAt)
	assert.Equal(t, f.boards["3v3"], *got.ProcessedBy)
}

func TestCommitCharacterNotModifiedEquipmentKeepsBuild(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	c := f.character(t, 1001, "Jw")
	f.entry(t, "3v3", c, chBase)
	st := f.save(t, c, "jw")
	f.commit(t, c, chBase, "3v3", st)
	_, err := f.s.Pool.Exec(ctx, `UPDATE characters SET equipment_fetched_at = now() - interval '3 days',
    specializations_fetched_at = now() - interval '3 days' WHERE id = $1`, c)
	require.NoError(t, err)

	next := chBase.Add(time.Hour)
	bracket := f.entry(t, "3v3", c, next)
	shuffle := f.entry(t, "shuffle-rogue-subtlety", c, next)
	// 304 on equipment, specializations request failed.
	n, err := f.s.CommitCharacter(ctx, store.Commit{CharacterID: c, SnapshotAt: next, LeaderboardID: f.boards["3v3"],
		Outcome: "not_modified", Equipment: store.EquipmentCommit{Answered: true}})
	require.NoError(t, err)
	assert.Equal(t, 2, n)

	lo := chLoadoutIDs(st.Loadouts)
	assert.Equal(t, chWant(st.Build, lo[chSubtlety], chSubtlety), f.readEntry(t, bracket), "the kept build and loadout")
	assert.Equal(t, chWant(st.Build, lo[chSubtlety], chSubtlety), f.readEntry(t, shuffle))
	got := f.readCharacter(t, c)
	assert.Equal(t, st.Build, *got.Build)
	assert.Equal(t, chLM1, *got.EqLM, "a 304 keeps the Last-Modified")
	assert.Equal(t, chLM2, *got.SpLM)
	assert.True(t, got.EqFetchedFresh, "a 304 is an answer: equipment_fetched_at moves")
	assert.False(t, got.SpFresh, "an unanswered request does not move specializations_fetched_at")
	assert.Equal(t, lo, got.Loadouts)
	assert.Equal(t, "not_modified", *got.ProcessedOutcome)
}

func TestCommitCharacterSpecializationsReplaceLoadouts(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	c := f.character(t, 1001, "Jw")
	f.entry(t, "3v3", c, chBase)
	st := f.save(t, c, "jw")
	f.commit(t, c, chBase, "3v3", st)
	require.Len(t, f.readCharacter(t, c).Loadouts, 3)

	// The next response only shows Assassination, with other talents (egirlbooster's capture).
	next := chBase.Add(time.Hour)
	bracket := f.entry(t, "3v3", c, next)
	shuffle := f.entry(t, "shuffle-rogue-subtlety", c, next)
	rawSp, los, active := chSpecializations(t, "egirlbooster")
	require.Equal(t, chAssassination, active)
	sl, err := f.s.SaveSpecializations(ctx, c, rawSp, "", los)
	require.NoError(t, err)
	require.Len(t, sl, 1)
	require.NotEqual(t, chLoadoutIDs(st.Loadouts)[chAssassination], sl[0].LoadoutID, "another loadout of the same spec")

	n, err := f.s.CommitCharacter(ctx, store.Commit{CharacterID: c, SnapshotAt: next, LeaderboardID: f.boards["3v3"],
		Outcome: "synced", Equipment: store.EquipmentCommit{Answered: true},
		Talents: store.TalentsCommit{Answered: true, Fetched: true, Loadouts: sl, ActiveSpecID: active, ClassID: chRogue}})
	require.NoError(t, err)
	assert.Equal(t, 2, n)

	got := f.readCharacter(t, c)
	assert.Equal(t, map[int]int64{chAssassination: sl[0].LoadoutID}, got.Loadouts, "specs no longer shown are removed")
	assert.Equal(t, chAssassination, *got.TalentSpec)
	assert.Nil(t, got.SpLM, "a 200 without Last-Modified clears the old one")
	assert.Equal(t, chWant(st.Build, sl[0].LoadoutID, chAssassination), f.readEntry(t, bracket))
	assert.Equal(t, chWant(st.Build, 0, chSubtlety), f.readEntry(t, shuffle), "no loadout left for the board's spec")
}

func TestCommitCharacterWithoutEntriesWritesNothing(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	c := f.character(t, 1001, "Jw")
	f.entry(t, "3v3", c, chBase)
	st := f.save(t, c, "jw")
	f.commit(t, c, chBase, "3v3", st)

	rawSp, los, _ := chSpecializations(t, "egirlbooster")
	sl, err := f.s.SaveSpecializations(ctx, c, rawSp, "", los)
	require.NoError(t, err)
	rawEq, g := chEquipment(t, "egirlbooster")
	build, err := f.s.SaveEquipment(ctx, c, rawEq, chLM2, g)
	require.NoError(t, err)

	charBefore := f.rowText(t, "characters", c)
	loadoutsBefore := f.tableText(t, "character_loadouts", "x.character_id, x.spec_id")
	entriesBefore := f.tableText(t, "pvp_leaderboard_entries", "x.id")
	n, err := f.s.CommitCharacter(ctx, store.Commit{CharacterID: c, SnapshotAt: chBase.Add(time.Hour), LeaderboardID: f.boards["3v3"],
		Outcome: "synced", Equipment: store.EquipmentCommit{Answered: true, BuildID: build, LastModified: chLM2},
		Talents: store.TalentsCommit{Answered: true, Fetched: true, Loadouts: sl, ActiveSpecID: chAssassination, ClassID: 8, LastModified: chLM1}})
	require.NoError(t, err)
	assert.Zero(t, n)
	assert.Equal(t, charBefore, f.rowText(t, "characters", c), "no entry at the snapshot: the character is not touched")
	assert.Equal(t, loadoutsBefore, f.tableText(t, "character_loadouts", "x.character_id, x.spec_id"))
	assert.Equal(t, entriesBefore, f.tableText(t, "pvp_leaderboard_entries", "x.id"))
}

func TestCommitCharacterRejectsInvalidInput(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	c := f.character(t, 1001, "Jw")
	f.entry(t, "3v3", c, chBase)
	before := f.rowText(t, "characters", c)

	_, err := f.s.CommitCharacter(ctx, store.Commit{CharacterID: c, SnapshotAt: chBase, LeaderboardID: f.boards["3v3"],
		Outcome: "synced", Equipment: store.EquipmentCommit{Answered: true, LastModified: chLM1}})
	require.ErrorIs(t, err, store.ErrInvalidRow, "a Last-Modified without a build")

	_, err = f.s.CommitCharacter(ctx, store.Commit{CharacterID: c, SnapshotAt: chBase, LeaderboardID: f.boards["3v3"],
		Outcome: "synced", Talents: store.TalentsCommit{Answered: true, Fetched: true,
			Loadouts: []store.SpecLoadout{{SpecID: chSubtlety}}}})
	require.ErrorIs(t, err, store.ErrInvalidRow, "a spec without a loadout id")

	_, err = f.s.CommitCharacter(ctx, store.Commit{CharacterID: 987654321, SnapshotAt: chBase, LeaderboardID: f.boards["3v3"],
		Outcome: "synced", Equipment: store.EquipmentCommit{Answered: true}})
	require.ErrorIs(t, err, store.ErrNoCharacter)

	assert.Equal(t, before, f.rowText(t, "characters", c))
	assert.Zero(t, f.count(t, `SELECT count(*) FROM pvp_leaderboard_entries WHERE processed_at IS NOT NULL`))
}

func TestCharacterPrivateUnavailableProfile(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	c := f.character(t, 1001, "Egirlbooster")

	ch, err := f.s.Character(ctx, c)
	require.NoError(t, err)
	assert.Equal(t, store.Character{ID: c, BlizzardID: 1001, Region: "us", Name: "Egirlbooster", RealmSlug: "sargeras"}, ch)

	require.NoError(t, f.s.MarkPrivate(ctx, c))
	ch, err = f.s.Character(ctx, c)
	require.NoError(t, err)
	assert.True(t, ch.IsPrivate)
	require.NotNil(t, ch.UnreadableAt, "a 404 records when it was seen")

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

func TestLatestPayloadKeepsOnePerSide(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	c := f.character(t, 1001, "Egirlbooster")
	other := f.character(t, 1002, "Jw")

	_, found, err := f.s.LatestPayload(ctx, c, store.SideEquipment)
	require.NoError(t, err)
	assert.False(t, found)

	eqOld, gOld := chEquipment(t, "jw")
	eqNew, gNew := chEquipment(t, "egirlbooster")
	spec, los, _ := chSpecializations(t, "egirlbooster")
	_, err = f.s.SaveEquipment(ctx, c, eqOld, chLM1, gOld)
	require.NoError(t, err)
	_, err = f.s.SaveSpecializations(ctx, c, spec, chLM2, los)
	require.NoError(t, err)
	_, err = f.s.SaveEquipment(ctx, other, eqOld, chLM1, gOld)
	require.NoError(t, err)
	_, err = f.s.SaveEquipment(ctx, c, eqNew, "", gNew)
	require.NoError(t, err)

	assert.Equal(t, 3, f.count(t, `SELECT count(*) FROM character_payloads`), "one row per character and side")
	p, found, err := f.s.LatestPayload(ctx, c, store.SideEquipment)
	require.NoError(t, err)
	require.True(t, found)
	assert.JSONEq(t, string(eqNew), string(p.Body), "the newer payload replaced the older one")
	assert.Empty(t, p.LastModified, "the newer payload came without Last-Modified")

	p, found, err = f.s.LatestPayload(ctx, c, store.SideSpecializations)
	require.NoError(t, err)
	require.True(t, found)
	assert.JSONEq(t, string(spec), string(p.Body), "the other side is kept")
	assert.Equal(t, chLM2, p.LastModified)

	p, found, err = f.s.LatestPayload(ctx, other, store.SideEquipment)
	require.NoError(t, err)
	require.True(t, found)
	assert.JSONEq(t, string(eqOld), string(p.Body), "another character's payload is kept")
	assert.Equal(t, chLM1, p.LastModified)

	// The big documents are TOASTed with lz4 where the server has it.
	var lz4 bool
	require.NoError(t, f.s.Pool.QueryRow(ctx, `SELECT COALESCE('lz4' = ANY(enumvals), false) FROM pg_settings
WHERE name = 'default_toast_compression'`).Scan(&lz4))
	rows, err := f.s.Pool.Query(ctx, `SELECT COALESCE(pg_column_compression(body), 'none') FROM character_payloads`)
	require.NoError(t, err)
	var methods []string
	for rows.Next() {
		var m string
		require.NoError(t, rows.Scan(&m))
		methods = append(methods, m)
	}
	require.NoError(t, rows.Err())
	want := "pglz"
	if lz4 {
		want = "lz4"
	}
	assert.Equal(t, []string{want, want, want}, methods, "server supports lz4: %v", lz4)
}
