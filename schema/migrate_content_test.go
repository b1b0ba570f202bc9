package schema_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/gear"
	"github.com/pvpsync/pvpsync/internal/testdb"
	"github.com/pvpsync/pvpsync/schema"
)

// TestContentAddressedMigration runs 00003 up on a database holding two snapshots of a sync in the
// 00002 layout, compares every entry's gear and talents before and after, checks the hashes against
// gear/content.go and the characters' state, then goes down and up again.
func TestContentAddressedMigration(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dsn := testdb.NewEmpty(t)
	migrateTo(t, ctx, dsn, 2)
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)

	s1 := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	s2 := s1.Add(6 * time.Hour)
	brackets := []string{"3v3", "shuffle-mage-frost", "shuffle-rogue-outlaw"}
	world := writeOldWorld(t, ctx, conn, []time.Time{s1, s2}, brackets, scenario(t, s1, s2))

	// Talent names live in a catalogue with one name per id: where the source data shows an id under
	// two names (the captures come from two patches, and Battle.net reuses talent ids), every entry
	// shows the name written last. Everything else must survive unchanged.
	cat := catalogueNames(t, world)
	before := cat.entries(describeOld(t, ctx, conn))
	beforeStrict := strictOld(t, ctx, conn, cat)
	beforeRaw := latestRaw(t, ctx, conn)
	require.Len(t, before, len(world.Entries))
	assertScenarioShape(t, world, before)

	require.NoError(t, schema.Up(ctx, dsn))
	assert.Equal(t, before, describeNew(t, ctx, conn), "every entry shows the same gear and talents after up")
	assertContent(t, ctx, conn, world, cat)
	assertCharacterState(t, ctx, conn, world, false)
	assertPayloads(t, ctx, conn, world, beforeRaw, false)

	migrateDownTo(t, ctx, dsn, 2)
	assert.Equal(t, before, describeOld(t, ctx, conn), "down restores every entry's gear and talents")
	assert.Equal(t, beforeStrict, strictOld(t, ctx, conn, cat), "down restores the 00002 columns as the 00002 store wrote them")
	assert.Equal(t, beforeRaw, latestRaw(t, ctx, conn), "down keeps each character's latest raw payloads")

	require.NoError(t, schema.Up(ctx, dsn))
	assert.Equal(t, before, describeNew(t, ctx, conn), "up after down")
	assertContent(t, ctx, conn, world, cat)
	assertCharacterState(t, ctx, conn, world, true)
	assertPayloads(t, ctx, conn, world, beforeRaw, true)
}

// catalogueNames is the name the catalogue keeps for each talent and PvP talent id: the one written
// last (the latest specializations processing).
func catalogueNames(t *testing.T, w *oldWorld) catalogue {
	t.Helper()
	type seen struct {
		at   time.Time
		name string
		row  string // tree, node and name: the talents catalogue row
	}
	talents, pvp := map[int64]seen{}, map[int64]seen{}
	names := map[int64]map[string]bool{}
	keep := func(m map[int64]seen, id int64, name, row string, at time.Time) {
		if id == 0 || name == "" {
			return
		}
		if names[id] == nil {
			names[id] = map[string]bool{}
		}
		names[id][name] = true
		if cur, ok := m[id]; !ok || at.After(cur.at) {
			m[id] = seen{at, name, row}
		} else if at.Equal(cur.at) {
			require.Equal(t, cur.row, row, "talent %d: two names written at the same time make the test ambiguous", id)
		}
	}
	for _, e := range w.Entries {
		if lo := e.Loadout; lo != nil {
			for tree, ts := range map[string][]gear.Talent{"class": lo.Class, "spec": lo.Spec, "hero": lo.Hero} {
				for _, tal := range ts {
					keep(talents, tal.TalentID, tal.Name, fmt.Sprintf("%s %d %s", tree, tal.NodeID, tal.Name), e.SpecsAt)
				}
			}
			for _, p := range lo.Pvp {
				keep(pvp, p.TalentID, p.Name, p.Name, e.SpecsAt)
			}
		}
	}
	renamed := 0
	for _, n := range names {
		if len(n) > 1 {
			renamed++
		}
	}
	t.Logf("%d talent ids carry more than one name in the source data; the catalogue keeps the latest", renamed)
	c := catalogue{talentNames: map[int64]string{}, talentRows: map[int64]string{}, pvpNames: map[int64]string{}}
	for id, s := range talents {
		c.talentNames[id], c.talentRows[id] = s.name, s.row
	}
	for id, s := range pvp {
		c.pvpNames[id] = s.name
	}
	return c
}

// TestContentAddressedDownRestoresLayout compares the schema after every migration up and down to
// 00002 with a database only ever migrated to 00002.
func TestContentAddressedDownRestoresLayout(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	fresh, cycled := testdb.NewEmpty(t), testdb.NewEmpty(t)
	migrateTo(t, ctx, fresh, 2)
	migrateTo(t, ctx, cycled, 2)
	require.NoError(t, schema.Up(ctx, cycled))
	migrateDownTo(t, ctx, cycled, 2)

	a, err := pgx.Connect(ctx, fresh)
	require.NoError(t, err)
	defer a.Close(ctx)
	b, err := pgx.Connect(ctx, cycled)
	require.NoError(t, err)
	defer b.Close(ctx)
	want := schemaDump(t, ctx, a)
	require.Contains(t, want, "index CREATE INDEX index_entries_on_character_id_and_equipment_processed_at ON public.pvp_leaderboard_entries USING btree (character_id, equipment_processed_at) WHERE (equipment_processed_at IS NOT NULL)")
	assert.Equal(t, want, schemaDump(t, ctx, b))
}

// scenario: five characters over two snapshots and three boards, built from the captured responses.
//   - Jw: on all three boards, the same gear and talents twice (one build, one loadout per spec); the
//     frost-mage board's spec is not in the response (no talents), the outlaw board takes outlaw.
//   - Egirlbooster: 3v3 and frost mage; the gear changes between the snapshots (a new enchant and item level).
//   - Copycat: shuffle boards only (its spec comes from the profile); no tier set; the same ring in both
//     finger slots; at the second snapshot the gear is reused (older processed time, no new payload) and
//     the talents re-processed from the stored payload (a 304).
//   - Tweak: 3v3 only, processed at the first snapshot, not at the second.
//   - Newbie: ranked at the second snapshot only and never processed.
func scenario(t *testing.T, s1, s2 time.Time) []charPlan {
	jwEq, jwSp := equipmentFixture(t, "jw"), specializationsFixture(t, "jw")
	egEq, egSp := equipmentFixture(t, "egirlbooster"), specializationsFixture(t, "egirlbooster")

	egEq2 := equipmentFixture(t, "egirlbooster")
	for i := range egEq2.EquippedItems {
		it := &egEq2.EquippedItems[i]
		switch it.Slot.Type {
		case "FINGER_2":
			it.Enchantments[0].EnchantmentID = 7347
		case "HEAD":
			it.Level.Value += 13
		}
	}

	cEq := equipmentFixture(t, "egirlbooster")
	cEq.EquippedItemSets = nil
	var ring battlenet.EquippedItem
	for i := range cEq.EquippedItems {
		cEq.EquippedItems[i].Set = nil
		if cEq.EquippedItems[i].Slot.Type == "FINGER_1" {
			ring = cEq.EquippedItems[i]
		}
	}
	for i := range cEq.EquippedItems {
		if cEq.EquippedItems[i].Slot.Type == "FINGER_2" {
			slot := cEq.EquippedItems[i].Slot
			cEq.EquippedItems[i] = ring
			cEq.EquippedItems[i].Slot = slot
		}
	}

	dEq := equipmentFixture(t, "jw")
	for i := range dEq.EquippedItems {
		if dEq.EquippedItems[i].Slot.Type == "MAIN_HAND" {
			dEq.EquippedItems[i].Level.Value = 150
		}
	}

	raw := func(v any) []byte {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		return b
	}
	at := func(snap time.Time, minutes int) time.Time { return snap.Add(time.Duration(minutes) * time.Minute) }
	eq := func(e *battlenet.Equipment, processed time.Time, fetched bool) sidePlan[battlenet.Equipment] {
		p := sidePlan[battlenet.Equipment]{Data: e, ProcessedAt: processed}
		if fetched {
			p.Raw = raw(e)
		}
		return p
	}
	sp := func(s *battlenet.Specializations, processed time.Time, fetched bool) sidePlan[battlenet.Specializations] {
		p := sidePlan[battlenet.Specializations]{Data: s, ProcessedAt: processed}
		if fetched {
			p.Raw = raw(s)
		}
		return p
	}
	all := []string{"3v3", "shuffle-mage-frost", "shuffle-rogue-outlaw"}
	return []charPlan{
		{Name: "Jw", ActiveSpecID: 260, Boards: all, Snaps: []snapPlan{
			{Present: true, Equipment: eq(jwEq, at(s1, 1), true), Specs: sp(jwSp, at(s1, 1), true)},
			{Present: true, Equipment: eq(jwEq, at(s2, 1), true), Specs: sp(jwSp, at(s2, 2), true)},
		}},
		{Name: "Egirlbooster", Boards: []string{"3v3", "shuffle-mage-frost"}, Snaps: []snapPlan{
			{Present: true, Equipment: eq(egEq, at(s1, 2), true), Specs: sp(egSp, at(s1, 2), true)},
			{Present: true, Equipment: eq(egEq2, at(s2, 3), true), Specs: sp(egSp, at(s2, 3), true)},
		}},
		{Name: "Copycat", ActiveSpecID: 261, Boards: []string{"shuffle-mage-frost", "shuffle-rogue-outlaw"}, Snaps: []snapPlan{
			{Present: true, Equipment: eq(cEq, at(s1, 3), true), Specs: sp(jwSp, at(s1, 4), true)},
			{Present: true, Equipment: eq(cEq, at(s1, 3), false), Specs: sp(jwSp, at(s2, 4), false)},
		}},
		{Name: "Tweak", Boards: []string{"3v3"}, Snaps: []snapPlan{
			{Present: true, Equipment: eq(dEq, at(s1, 5), true), Specs: sp(egSp, at(s1, 5), true)},
			{Present: true},
		}},
		{Name: "Newbie", ActiveSpecID: 70, Boards: []string{"3v3"}, Snaps: []snapPlan{{}, {Present: true}}},
	}
}

// assertScenarioShape checks the data set holds what the test is about, so a fixture change cannot
// quietly make it trivial.
func assertScenarioShape(t *testing.T, w *oldWorld, before map[int64]entryDesc) {
	t.Helper()
	var missingTalents, noTier, sharedRing, withTier int
	builds := map[string]bool{}
	for id, e := range w.Entries {
		d := before[id]
		if e.Gear != nil && !d.HasTalents {
			missingTalents++
		}
		if e.Gear != nil {
			builds[string(gear.BuildHash(*e.Gear))] = true
			if e.Gear.TierSet == nil {
				noTier++
			} else {
				withTier++
			}
			if d.Slots["FINGER_1"].ItemID != 0 && assert.ObjectsAreEqual(d.Slots["FINGER_1"], d.Slots["FINGER_2"]) {
				sharedRing++
			}
		}
	}
	assert.Positive(t, missingTalents, "entries with gear but no talents")
	assert.Positive(t, noTier, "builds without a tier set")
	assert.Positive(t, withTier, "builds with a tier set")
	assert.Positive(t, sharedRing, "the same ring in both finger slots")
	assert.Len(t, builds, 5, "jw, egirlbooster before and after, copycat, tweak")
}

// assertContent checks the migrated rows against what gear/content.go computes for the source data.
func assertContent(t *testing.T, ctx context.Context, conn *pgx.Conn, w *oldWorld, cat catalogue) {
	t.Helper()
	wantBuilds, wantItems, wantLoadouts := map[string]bool{}, map[string]bool{}, map[string]bool{}
	perCharacterBuilds := map[string]map[int64]bool{}
	for id, e := range w.Entries {
		var buildHash, loadoutHash []byte
		var buildID *int64
		var talents, pvp []byte
		require.NoError(t, conn.QueryRow(ctx, `SELECT b.hash, l.hash, e.gear_build_id, l.talents, l.pvp_talents
FROM pvp_leaderboard_entries AS e
LEFT JOIN gear_builds AS b ON b.id = e.gear_build_id
LEFT JOIN talent_loadouts AS l ON l.id = e.talent_loadout_id
WHERE e.id = $1`, id).Scan(&buildHash, &loadoutHash, &buildID, &talents, &pvp))
		if e.Gear == nil {
			assert.Nil(t, buildID, "entry %d has no gear", id)
		} else {
			assert.Equal(t, gear.BuildHash(*e.Gear), buildHash, "entry %d: build hash = gear.BuildHash", id)
			wantBuilds[string(buildHash)] = true
			for _, sl := range e.Gear.Slots {
				wantItems[string(gear.SlotHash(sl))] = true
				var h []byte
				require.NoError(t, conn.QueryRow(ctx, `SELECT gi.hash FROM gear_build_slots AS s JOIN gear_items AS gi ON gi.id = s.gear_item_id
WHERE s.gear_build_id = $1 AND s.slot = $2`, *buildID, sl.Slot).Scan(&h))
				assert.Equal(t, gear.SlotHash(sl), h, "entry %d slot %s: gear item hash = gear.SlotHash", id, sl.Slot)
			}
			if perCharacterBuilds[e.Character] == nil {
				perCharacterBuilds[e.Character] = map[int64]bool{}
			}
			perCharacterBuilds[e.Character][*buildID] = true
		}
		if e.Loadout == nil {
			assert.Nil(t, loadoutHash, "entry %d has no loadout", id)
			continue
		}
		assert.Equal(t, gear.LoadoutHash(*e.Loadout), loadoutHash, "entry %d: loadout hash = gear.LoadoutHash", id)
		wantLoadouts[string(loadoutHash)] = true
		wantTalents, err := e.Loadout.TalentsJSON()
		require.NoError(t, err)
		wantPvp, err := e.Loadout.PvpTalentsJSON()
		require.NoError(t, err)
		var same bool
		require.NoError(t, conn.QueryRow(ctx, `SELECT $1::jsonb = $2::jsonb AND $3::jsonb = $4::jsonb`,
			string(talents), string(wantTalents), string(pvp), string(wantPvp)).Scan(&same))
		assert.True(t, same, "entry %d: documents = TalentsJSON/PvpTalentsJSON\n got %s %s\nwant %s %s", id, talents, pvp, wantTalents, wantPvp)
	}
	assert.Equal(t, len(wantBuilds), count(t, ctx, conn, `gear_builds`), "one build per distinct gear")
	assert.Equal(t, len(wantItems), count(t, ctx, conn, `gear_items`), "one gear item per distinct equipped item")
	assert.Equal(t, len(wantLoadouts), count(t, ctx, conn, `talent_loadouts`), "one loadout per distinct talent build")
	assert.Len(t, perCharacterBuilds["Jw"], 1, "unchanged gear over two snapshots and three boards is one build")
	assert.Len(t, perCharacterBuilds["Copycat"], 1, "reused gear is the same build")
	assert.Len(t, perCharacterBuilds["Egirlbooster"], 2, "changed gear is a second build")

	// The same ring in both finger slots is one gear item referenced twice.
	var rings []int64
	require.NoError(t, conn.QueryRow(ctx, `SELECT array_agg(s.gear_item_id ORDER BY s.slot) FROM characters AS c
JOIN gear_build_slots AS s ON s.gear_build_id = c.gear_build_id
WHERE c.name = 'Copycat' AND s.slot IN ('FINGER_1', 'FINGER_2')`).Scan(&rings))
	require.Len(t, rings, 2)
	assert.Equal(t, rings[0], rings[1])

	// Catalogues: every named talent the source data showed, under its latest name, and every item set.
	gotTalents := map[int64]string{}
	rows, err := conn.Query(ctx, `SELECT talent_id, tree || ' ' || node_id || ' ' || name FROM talents`)
	require.NoError(t, err)
	var id int64
	var row string
	_, err = pgx.ForEachRow(rows, []any{&id, &row}, func() error {
		gotTalents[id] = row
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, cat.talentRows, gotTalents, "talents catalogue")
	assert.Equal(t, cat.pvpNames, names(t, ctx, conn, `SELECT talent_id, name FROM pvp_talents`), "pvp_talents catalogue")
	for _, e := range w.Entries {
		if g := e.Gear; g != nil && g.TierSet != nil {
			var name string
			require.NoError(t, conn.QueryRow(ctx, `SELECT name FROM item_sets WHERE id = $1`, g.TierSet.ID).Scan(&name))
			assert.Equal(t, g.TierSet.Name, name)
		}
	}
}

func count(t *testing.T, ctx context.Context, conn *pgx.Conn, table string) int {
	t.Helper()
	var n int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&n))
	return n
}

// characterWant is a character's expected state, derived from the plan.
type characterWant struct {
	build                      []byte
	equipmentAt, specsAt       *time.Time
	talentSpec                 int
	loadouts                   map[int][]byte
	processedSnap              *time.Time
	processedBoards            []int64
	equipmentRaw, specsRaw     []byte
	equipmentRawAt, specsRawAt time.Time
}

// wantState derives a character's expected state from the plan. cycled: after down and up again, when
// an entry's one processed_at (its equipment's time, else its talents') stood for both sides.
func wantState(w *oldWorld, p charPlan, cycled bool) characterWant {
	want := characterWant{talentSpec: p.ActiveSpecID, loadouts: map[int][]byte{}}
	perSpecOnly := true
	for _, b := range p.Boards {
		if _, ok := battlenet.BracketSpecID(b); !ok {
			perSpecOnly = false
		}
	}
	later := func(cur *time.Time, t time.Time) *time.Time {
		if cur == nil || t.After(*cur) {
			return &t
		}
		return cur
	}
	for si, sp := range p.Snaps {
		if !sp.Present {
			continue
		}
		if e := sp.Equipment; e.Data != nil {
			g, _ := gear.Summarize(e.Data)
			want.build = gear.BuildHash(g)
			want.equipmentAt = later(want.equipmentAt, e.ProcessedAt)
		}
		if e := sp.Equipment; e.Raw != nil {
			want.equipmentRaw, want.equipmentRawAt = e.Raw, e.ProcessedAt
		}
		specsAt := sp.Specs.ProcessedAt
		if cycled && sp.Equipment.Data != nil {
			specsAt = sp.Equipment.ProcessedAt
		}
		if s := sp.Specs; s.Data != nil {
			want.specsAt = later(want.specsAt, specsAt)
			if !perSpecOnly {
				lo, _ := gear.SelectLoadout(s.Data, 0)
				want.talentSpec = lo.SpecID
			}
		}
		if s := sp.Specs; s.Raw != nil {
			want.specsRaw, want.specsRawAt = s.Raw, specsAt
		}
		everything := true
		var boards []int64
		for _, e := range w.Entries {
			if e.Character == p.Name && e.Snap == si {
				everything = everything && e.Processed
				boards = append(boards, w.Boards[e.Bracket])
				if e.Loadout != nil {
					want.loadouts[e.Loadout.SpecID] = gear.LoadoutHash(*e.Loadout)
				}
			}
		}
		if everything {
			snap := w.Snapshots[si]
			want.processedSnap, want.processedBoards = &snap, boards
		}
	}
	return want
}

func assertCharacterState(t *testing.T, ctx context.Context, conn *pgx.Conn, w *oldWorld, cycled bool) {
	t.Helper()
	for _, p := range w.Plans {
		t.Run(p.Name, func(t *testing.T) {
			want := wantState(w, p, cycled)
			var (
				build                []byte
				equipmentAt, specsAt *time.Time
				talentSpec           *int
				processedSnap        *time.Time
				processedBoard       *int64
				outcome              *string
			)
			require.NoError(t, conn.QueryRow(ctx, `SELECT b.hash, c.equipment_fetched_at, c.specializations_fetched_at,
       c.talent_spec_id, c.processed_snapshot_at, c.processed_leaderboard_id, c.processed_outcome
FROM characters AS c LEFT JOIN gear_builds AS b ON b.id = c.gear_build_id WHERE c.id = $1`, w.Characters[p.Name]).
				Scan(&build, &equipmentAt, &specsAt, &talentSpec, &processedSnap, &processedBoard, &outcome))
			assert.Equal(t, want.build, build, "gear build of the newest processed entry")
			assertTime(t, want.equipmentAt, equipmentAt, "equipment_fetched_at")
			assertTime(t, want.specsAt, specsAt, "specializations_fetched_at")
			if want.talentSpec == 0 {
				assert.Nil(t, talentSpec, "talent_spec_id")
			} else if assert.NotNil(t, talentSpec, "talent_spec_id") {
				assert.Equal(t, want.talentSpec, *talentSpec, "talent_spec_id")
			}
			assertTime(t, want.processedSnap, processedSnap, "processed_snapshot_at")
			if want.processedSnap == nil {
				assert.Nil(t, processedBoard)
				assert.Nil(t, outcome)
			} else if assert.NotNil(t, processedBoard) && assert.NotNil(t, outcome) {
				assert.Contains(t, want.processedBoards, *processedBoard)
				assert.Equal(t, "synced", *outcome)
			}

			rows, err := conn.Query(ctx, `SELECT cl.spec_id, l.hash FROM character_loadouts AS cl
JOIN talent_loadouts AS l ON l.id = cl.talent_loadout_id WHERE cl.character_id = $1`, w.Characters[p.Name])
			require.NoError(t, err)
			got := map[int][]byte{}
			var spec int
			var hash []byte
			_, err = pgx.ForEachRow(rows, []any{&spec, &hash}, func() error {
				got[spec] = slices.Clone(hash)
				return nil
			})
			require.NoError(t, err)
			assert.Equal(t, want.loadouts, got, "character_loadouts: the newest loadout of each spec")
		})
	}
}

func assertTime(t *testing.T, want, got *time.Time, what string) {
	t.Helper()
	if want == nil {
		assert.Nil(t, got, what)
		return
	}
	if assert.NotNil(t, got, what) {
		assert.True(t, want.Equal(*got), "%s: want %s, got %s", what, want, got)
	}
}

// assertPayloads checks character_payloads against the 00002 latest raw documents and the plan, and the
// enchantment names taken from the equipment payloads against gear.Summarize (the latest fetched payload
// names an id: display strings carry stat values, which change from one patch to the next).
func assertPayloads(t *testing.T, ctx context.Context, conn *pgx.Conn, w *oldWorld, oldRaw map[string]string, cycled bool) {
	t.Helper()
	var n int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM character_payloads`).Scan(&n))
	assert.Equal(t, len(oldRaw), n, "one payload per character and side that had one")
	type named struct {
		name string
		at   time.Time
	}
	latest := map[int64]named{}
	for _, p := range w.Plans {
		want := wantState(w, p, cycled)
		for side, raw := range map[string][]byte{"equipment": want.equipmentRaw, "specializations": want.specsRaw} {
			var same *bool
			var lastModified *string
			var fetchedAt time.Time
			var body *string
			if raw != nil {
				s := string(raw)
				body = &s
			}
			err := conn.QueryRow(ctx, `SELECT p.body = $3::jsonb, p.last_modified, p.fetched_at FROM character_payloads AS p
WHERE p.character_id = $1 AND p.side = $2`, w.Characters[p.Name], side, body).Scan(&same, &lastModified, &fetchedAt)
			if raw == nil {
				assert.ErrorIs(t, err, pgx.ErrNoRows, "%s %s: no payload", p.Name, side)
				continue
			}
			require.NoError(t, err, "%s %s", p.Name, side)
			assert.True(t, same != nil && *same, "%s %s: body is the latest raw document", p.Name, side)
			assert.NotNil(t, lastModified, "%s %s: Last-Modified kept", p.Name, side)
			at := want.equipmentRawAt
			if side == "specializations" {
				at = want.specsRawAt
			}
			assert.True(t, at.Equal(fetchedAt), "%s %s: fetched_at %s, want %s", p.Name, side, fetchedAt, at)
		}
		if want.equipmentRaw != nil {
			e, err := battlenet.DecodeEquipment(want.equipmentRaw)
			require.NoError(t, err)
			g, err := gear.Summarize(e)
			require.NoError(t, err)
			for _, en := range g.Enchantments {
				if cur, ok := latest[en.ID]; en.Name != "" && (!ok || want.equipmentRawAt.After(cur.at)) {
					latest[en.ID] = named{en.Name, want.equipmentRawAt}
				}
			}
		}
	}
	enchants := map[int64]string{}
	for id, n := range latest {
		enchants[id] = n.name
	}
	require.NotEmpty(t, enchants)
	assert.Equal(t, enchants, names(t, ctx, conn, `SELECT id, name FROM enchantments`), "enchantment names from the kept payloads")
}
