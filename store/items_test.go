package store_test

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/gear"
	"github.com/pvpsync/pvpsync/store"
)

// xmins lists the transaction ids that wrote each row of a table: equal lists before and after a call
// prove the call rewrote no row.
func (f *chFixture) xmins(t *testing.T, table, orderBy string) string {
	t.Helper()
	var s *string
	require.NoError(t, f.s.Pool.QueryRow(t.Context(),
		`SELECT string_agg(xmin::text, ',' ORDER BY `+orderBy+`) FROM `+table).Scan(&s))
	if s == nil {
		return ""
	}
	return *s
}

// chBuild is one gear_builds row.
type chBuild struct {
	Hash        []byte
	ItemLevel   int
	TierSetID   *int64
	Pieces      *int
	FourPiece   *bool
	Slots       []string
	GearItemIDs []int64
}

func (f *chFixture) readBuild(t *testing.T, id int64) chBuild {
	t.Helper()
	var b chBuild
	require.NoError(t, f.s.Pool.QueryRow(t.Context(), `SELECT hash, item_level, tier_set_id, tier_set_pieces, tier_4p_active,
    slots, gear_item_ids FROM gear_builds WHERE id = $1`, id).Scan(&b.Hash, &b.ItemLevel, &b.TierSetID, &b.Pieces, &b.FourPiece,
		&b.Slots, &b.GearItemIDs))
	return b
}

// buildSlots reads a build back through the gear_build_slots view, in slot order.
func (f *chFixture) buildSlots(t *testing.T, id int64) []gear.Slot {
	t.Helper()
	rows, err := f.s.Pool.Query(t.Context(), `SELECT slot, item_id, item_level, context, enchantment_ids, gem_item_ids, bonus_list
FROM gear_build_slots WHERE gear_build_id = $1 ORDER BY slot_order`, id)
	require.NoError(t, err)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (gear.Slot, error) {
		var s gear.Slot
		err := r.Scan(&s.Slot, &s.ItemBlizzardID, &s.ItemLevel, &s.Context, &s.EnchantmentIDs, &s.GemItemIDs, &s.BonusList)
		return s, err
	})
	require.NoError(t, err)
	return out
}

// chSortedSlots is what a build should hold: the summary's slots in name order.
func chSortedSlots(g gear.Gear) []gear.Slot {
	out := slices.Clone(g.Slots)
	slices.SortFunc(out, func(a, b gear.Slot) int { return strings.Compare(a.Slot, b.Slot) })
	return out
}

func chDistinctSlotHashes(g gear.Gear) map[string]bool {
	out := map[string]bool{}
	for _, s := range g.Slots {
		out[string(gear.SlotHash(s))] = true
	}
	return out
}

func TestSaveEquipmentStoresBuildOnce(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	a := f.character(t, 1001, "Egirlbooster")
	b := f.character(t, 1002, "Jw")
	raw, g := chEquipment(t, "egirlbooster")

	id, err := f.s.SaveEquipment(ctx, a, raw, chLM1, g)
	require.NoError(t, err)
	again, err := f.s.SaveEquipment(ctx, b, raw, "", g)
	require.NoError(t, err)
	assert.Equal(t, id, again, "the same gear on another character is the same build")
	assert.Equal(t, 1, f.count(t, `SELECT count(*) FROM gear_builds`))

	// Two snapshots of two characters all reference the one build.
	entries := []int64{f.entry(t, "3v3", a, chBase), f.entry(t, "3v3", a, chBase.Add(time.Hour)), f.entry(t, "2v2", b, chBase)}
	for _, c := range []struct {
		id   int64
		snap time.Time
	}{{a, chBase}, {a, chBase.Add(time.Hour)}, {b, chBase}} {
		build, err := f.s.SaveEquipment(ctx, c.id, raw, chLM1, g)
		require.NoError(t, err)
		n, err := f.s.CommitCharacter(ctx, store.Commit{CharacterID: c.id, SnapshotAt: c.snap, LeaderboardID: f.boards["3v3"],
			Outcome: "synced", Equipment: store.EquipmentCommit{Answered: true, BuildID: build, LastModified: chLM1}})
		require.NoError(t, err)
		require.Equal(t, 1, n)
	}
	for _, e := range entries {
		got := f.readEntry(t, e)
		require.NotNil(t, got.Build)
		assert.Equal(t, id, *got.Build)
	}
	assert.Equal(t, 1, f.count(t, `SELECT count(*) FROM gear_builds`))

	build := f.readBuild(t, id)
	assert.Equal(t, gear.BuildHash(g), build.Hash)
	assert.Equal(t, g.ItemLevel, build.ItemLevel)
	require.NotNil(t, g.TierSet)
	assert.Equal(t, g.TierSet.ID, *build.TierSetID)
	assert.Equal(t, g.TierSet.Pieces, *build.Pieces)
	assert.Equal(t, g.TierSet.FourPieceActive, *build.FourPiece)
	assert.Equal(t, chSortedSlots(g), f.buildSlots(t, id), "the build reads back slot by slot")

	// The capture wears the same weapon in both hands (one gear item) and the same ring twice with
	// different gems (two gear items of one catalogue item).
	distinct := chDistinctSlotHashes(g)
	require.Less(t, len(distinct), len(g.Slots))
	assert.Equal(t, len(distinct), f.count(t, `SELECT count(*) FROM gear_items`))
	var hashes [][]byte
	for h := range distinct {
		hashes = append(hashes, []byte(h))
	}
	assert.Equal(t, len(distinct), f.count(t, `SELECT count(*) FROM gear_items WHERE hash = ANY($1::bytea[])`, hashes),
		"gear items are addressed by gear.SlotHash")
	ref := map[string]int64{}
	for i, s := range build.Slots {
		ref[s] = build.GearItemIDs[i]
	}
	assert.Equal(t, ref["MAIN_HAND"], ref["OFF_HAND"], "one gear item for the weapon in both hands")
	assert.NotEqual(t, ref["FINGER_1"], ref["FINGER_2"], "the rings carry other gems")
	assert.Equal(t, 1, f.count(t, `SELECT count(*) FROM items WHERE blizzard_id = 215137`), "the ring is one catalogue item")

	// The catalogue: every item and gem, enchantment and the tier set, named.
	ids := map[int64]bool{}
	for _, it := range append(slices.Clone(g.Items), g.Gems...) {
		ids[it.BlizzardID] = true
	}
	assert.Equal(t, len(ids), f.count(t, `SELECT count(*) FROM items`))
	for _, it := range g.Items {
		var name string
		var quality, inv *string
		var class *int
		require.NoError(t, f.s.Pool.QueryRow(ctx, `SELECT name, quality, inventory_type, item_class_id FROM items WHERE blizzard_id = $1`,
			it.BlizzardID).Scan(&name, &quality, &inv, &class))
		assert.Equal(t, it.Name, name)
		require.NotNil(t, quality)
		assert.Equal(t, it.Quality, *quality)
		assert.Equal(t, it.InventoryType, *inv)
		assert.Equal(t, it.ItemClassID, *class)
	}
	require.NotEmpty(t, g.Gems)
	for _, gem := range g.Gems {
		var name string
		require.NoError(t, f.s.Pool.QueryRow(ctx, `SELECT name FROM items WHERE blizzard_id = $1`, gem.BlizzardID).Scan(&name))
		assert.Equal(t, gem.Name, name, "gem %d", gem.BlizzardID)
	}
	require.NotEmpty(t, g.Enchantments)
	assert.Equal(t, len(g.Enchantments), f.count(t, `SELECT count(*) FROM enchantments`))
	for _, en := range g.Enchantments {
		var name string
		require.NoError(t, f.s.Pool.QueryRow(ctx, `SELECT name FROM enchantments WHERE id = $1`, en.ID).Scan(&name))
		assert.Equal(t, en.Name, name)
	}
	var setName string
	require.NoError(t, f.s.Pool.QueryRow(ctx, `SELECT name FROM item_sets WHERE id = $1`, g.TierSet.ID).Scan(&setName))
	assert.Equal(t, "Shroud of the Sudden Eclipse", setName)
}

func TestSaveEquipmentKnownBuildCostsTwoStatements(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	a := f.character(t, 1001, "Egirlbooster")
	b := f.character(t, 1002, "Jw")
	raw, g := chEquipment(t, "egirlbooster")
	id, err := f.s.SaveEquipment(ctx, a, raw, chLM1, g)
	require.NoError(t, err)

	seenAt := func() time.Time {
		var at time.Time
		require.NoError(t, f.s.Pool.QueryRow(ctx, `SELECT seen_at FROM gear_builds WHERE id = $1`, id).Scan(&at))
		return at
	}
	fresh := func() bool {
		var ok bool
		require.NoError(t, f.s.Pool.QueryRow(ctx, `SELECT seen_at > now() - interval '1 minute' FROM gear_builds WHERE id = $1`, id).Scan(&ok))
		return ok
	}
	catalogue := func() []string {
		return []string{f.xmins(t, "gear_builds", "id"), f.xmins(t, "gear_items", "id"), f.xmins(t, "items", "blizzard_id"),
			f.xmins(t, "enchantments", "id"), f.xmins(t, "item_sets", "id")}
	}

	// Seen half an hour ago: nothing is refreshed.
	_, err = f.s.Pool.Exec(ctx, `UPDATE gear_builds SET seen_at = now() - interval '30 minutes' WHERE id = $1`, id)
	require.NoError(t, err)
	before, beforeTables := seenAt(), catalogue()
	f.stmts.Reset()
	got, err := f.s.SaveEquipment(ctx, b, raw, chLM2, g)
	require.NoError(t, err)
	assert.Equal(t, id, got)
	assert.Equal(t, int64(2), f.stmts.Count(), "the payload and the build lookup")
	assert.Equal(t, int64(2), f.stmts.TxControl(), "one transaction")
	assert.True(t, before.Equal(seenAt()), "seen_at within the hour is not rewritten")
	assert.Equal(t, beforeTables, catalogue(), "a known build writes no build, gear item or catalogue row")

	// Seen two hours ago: the lookup refreshes seen_at, still in two statements.
	_, err = f.s.Pool.Exec(ctx, `UPDATE gear_builds SET seen_at = now() - interval '2 hours' WHERE id = $1`, id)
	require.NoError(t, err)
	require.False(t, fresh())
	f.stmts.Reset()
	got, err = f.s.SaveEquipment(ctx, a, raw, chLM2, g)
	require.NoError(t, err)
	assert.Equal(t, id, got)
	assert.Equal(t, int64(2), f.stmts.Count())
	assert.True(t, fresh(), "seen_at older than an hour is refreshed")
	assert.Equal(t, 1, f.count(t, `SELECT count(*) FROM gear_builds`))
}

func TestSaveEquipmentOneSlotChangedReusesGearItems(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	c := f.character(t, 1001, "Egirlbooster")
	raw, g := chEquipment(t, "egirlbooster")
	first, err := f.s.SaveEquipment(ctx, c, raw, "", g)
	require.NoError(t, err)
	items := f.count(t, `SELECT count(*) FROM gear_items`)

	upgraded := chCloneGear(g)
	head := chSlotIndex(t, upgraded, "HEAD")
	upgraded.Slots[head].ItemLevel += 3
	second, err := f.s.SaveEquipment(ctx, c, raw, "", upgraded)
	require.NoError(t, err)
	require.NotEqual(t, first, second)
	assert.Equal(t, 2, f.count(t, `SELECT count(*) FROM gear_builds`))
	assert.Equal(t, items+1, f.count(t, `SELECT count(*) FROM gear_items`), "only the upgraded helm is a new gear item")

	b1, b2 := f.readBuild(t, first), f.readBuild(t, second)
	require.Equal(t, b1.Slots, b2.Slots)
	for i, s := range b1.Slots {
		if s == "HEAD" {
			assert.NotEqual(t, b1.GearItemIDs[i], b2.GearItemIDs[i])
		} else {
			assert.Equal(t, b1.GearItemIDs[i], b2.GearItemIDs[i], "slot %s reuses its gear item", s)
		}
	}
	assert.Equal(t, chSortedSlots(upgraded), f.buildSlots(t, second))
	assert.Equal(t, chSortedSlots(g), f.buildSlots(t, first), "the first build is unchanged")
}

func TestSaveEquipmentInt64EdgesAndNamesVerbatim(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	c := f.character(t, 1001, "Egirlbooster")
	ring := gear.Slot{Slot: "FINGER_1", ItemBlizzardID: math.MaxInt64, ItemLevel: 700, Context: 13,
		EnchantmentIDs: []int64{math.MinInt64, -1, 0, math.MaxInt64}, GemItemIDs: []int64{math.MaxInt64 - 1},
		BonusList: []int64{math.MinInt64, math.MaxInt64}}
	ring2 := ring
	ring2.Slot = "FINGER_2"
	g := gear.Gear{
		ItemLevel: 700,
		TierSet:   &gear.TierSet{ID: math.MaxInt64, Name: "Tenue de l'Élu « ∞ »", Pieces: 4, FourPieceActive: true},
		Items: []gear.Item{
			{BlizzardID: 1, Name: "Ä\u00a0ß 指輪 🗡", Quality: "POOR", InventoryType: "HEAD", ItemClassID: 4, ItemSubclassID: 1},
			{BlizzardID: math.MaxInt64, Name: `Ring of "Doom" – ∞ \ '; DROP TABLE items; --`, Quality: "LEGENDARY",
				InventoryType: "FINGER", ItemClassID: 4, MediaID: math.MaxInt64},
		},
		Slots: []gear.Slot{ring, ring2,
			{Slot: "HEAD", ItemBlizzardID: 1, EnchantmentIDs: []int64{}, GemItemIDs: []int64{}, BonusList: []int64{}}},
		Enchantments: []gear.Named{{ID: math.MaxInt64, Name: "Enchanté : Maîtrise +315 ✦"}},
		Gems:         []gear.Item{{BlizzardID: math.MaxInt64 - 1, Name: "Ónix magistral 🜁"}},
	}
	id, err := f.s.SaveEquipment(ctx, c, []byte(`{"name":"Ä"}`), "", g)
	require.NoError(t, err)

	assert.Equal(t, chSortedSlots(g), f.buildSlots(t, id))
	build := f.readBuild(t, id)
	assert.Equal(t, int64(math.MaxInt64), *build.TierSetID)
	assert.Equal(t, build.GearItemIDs[0], build.GearItemIDs[1], "identical rings are one gear item")
	assert.Equal(t, 2, f.count(t, `SELECT count(*) FROM gear_items`))

	for _, it := range append(slices.Clone(g.Items), g.Gems...) {
		var name string
		var media *int64
		require.NoError(t, f.s.Pool.QueryRow(ctx, `SELECT name, media_id FROM items WHERE blizzard_id = $1`, it.BlizzardID).Scan(&name, &media))
		assert.Equal(t, it.Name, name)
		if it.MediaID == 0 {
			assert.Nil(t, media, "unknown media is NULL")
		} else {
			require.NotNil(t, media)
			assert.Equal(t, it.MediaID, *media)
		}
	}
	var enchant, set string
	require.NoError(t, f.s.Pool.QueryRow(ctx, `SELECT name FROM enchantments WHERE id = $1`, int64(math.MaxInt64)).Scan(&enchant))
	assert.Equal(t, g.Enchantments[0].Name, enchant)
	require.NoError(t, f.s.Pool.QueryRow(ctx, `SELECT name FROM item_sets WHERE id = $1`, int64(math.MaxInt64)).Scan(&set))
	assert.Equal(t, g.TierSet.Name, set)

	// Without a tier set the build's tier columns stay NULL.
	g.TierSet = nil
	id, err = f.s.SaveEquipment(ctx, c, []byte(`{}`), "", g)
	require.NoError(t, err)
	build = f.readBuild(t, id)
	assert.Nil(t, build.TierSetID)
	assert.Nil(t, build.Pieces)
	assert.Nil(t, build.FourPiece)
}

// A tier set whose name Battle.net left out is still a tier set: the build must be storable (the
// migration stores such sets with an empty name).
func TestSaveEquipmentTierSetWithoutName(t *testing.T) {
	f := newChFixture(t)
	c := f.character(t, 1001, "Egirlbooster")
	raw, g := chEquipment(t, "jw")
	require.NotNil(t, g.TierSet)
	g.TierSet.Name = ""
	id, err := f.s.SaveEquipment(t.Context(), c, raw, "", g)
	require.NoError(t, err, "BUG (store/gear.go insertBuild): upsertNames drops a nameless item set, so the "+
		"build's tier_set_id then violates the item_sets foreign key")
	assert.Equal(t, g.TierSet.ID, *f.readBuild(t, id).TierSetID)
}

func TestSaveEquipmentRejectsInvalidInputWritingNothing(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	c := f.character(t, 1001, "Egirlbooster")
	raw, valid := chEquipment(t, "egirlbooster")

	cases := []struct {
		name      string
		character int64
		raw       []byte
		mutate    func(*gear.Gear)
		want      error
		mention   string
		noSQL     bool // rejected before any statement
	}{
		{name: "no slot", mutate: func(g *gear.Gear) { g.Slots = nil }, want: store.ErrInvalidRow, noSQL: true},
		{name: "slot without a name", mutate: func(g *gear.Gear) { g.Slots[0].Slot = "" }, want: store.ErrInvalidRow, noSQL: true},
		{name: "slot listed twice", mutate: func(g *gear.Gear) { g.Slots[1].Slot = g.Slots[0].Slot }, want: store.ErrInvalidRow, noSQL: true},
		{name: "item missing from the catalogue", mutate: func(g *gear.Gear) {
			g.Slots = append(g.Slots, gear.Slot{Slot: "RANGED", ItemBlizzardID: 999999})
		}, want: store.ErrInvalidRow, mention: "999999", noSQL: true},
		{name: "raw is not JSON", raw: []byte(`{"truncated":`), want: store.ErrInvalidRow},
		{name: "empty raw", raw: []byte{}, want: store.ErrInvalidRow},
		{name: "gem without an id", mutate: func(g *gear.Gear) { g.Gems = append(g.Gems, gear.Item{Name: "Nameless gem"}) },
			want: store.ErrInvalidRow},
		{name: "unknown character", character: 987654321, want: store.ErrNoCharacter},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := chCloneGear(valid)
			if tc.mutate != nil {
				tc.mutate(&g)
			}
			body, character := raw, c
			if tc.raw != nil {
				body = tc.raw
			}
			if tc.character != 0 {
				character = tc.character
			}
			f.stmts.Reset()
			_, err := f.s.SaveEquipment(ctx, character, body, chLM1, g)
			require.ErrorIs(t, err, tc.want)
			if tc.mention != "" {
				assert.Contains(t, err.Error(), tc.mention)
			}
			if tc.noSQL {
				assert.Zero(t, f.stmts.Count()+f.stmts.TxControl(), "validated before any statement")
			}
			for _, table := range []string{"character_payloads", "gear_builds", "gear_items", "items", "enchantments", "item_sets"} {
				assert.Zero(t, f.count(t, `SELECT count(*) FROM `+table), "table %s", table)
			}
		})
	}
}

// gear_items.item_level and context are int4: a value they cannot hold must be refused, not wrapped
// into another number (which would also make the stored row disagree with its hash).
func TestSaveEquipmentRejectsOutOfRangeLevels(t *testing.T) {
	f := newChFixture(t)
	c := f.character(t, 1001, "Egirlbooster")
	raw, valid := chEquipment(t, "egirlbooster")
	for _, tc := range []struct {
		mutate  func(*gear.Gear)
		wrapped string // what the wrapped value would look like once stored
	}{
		{func(g *gear.Gear) { g.Slots[0].ItemLevel = math.MaxInt32 + 1 }, `item_level = -2147483648`},
		{func(g *gear.Gear) { g.Slots[0].Context = math.MinInt32 - 1 }, `context = 2147483647`},
	} {
		g := chCloneGear(valid)
		tc.mutate(&g)
		_, err := f.s.SaveEquipment(t.Context(), c, raw, "", g)
		assert.ErrorIs(t, err, store.ErrInvalidRow, "BUG (store/gear.go validateGear/upsertGearItems): an item level "+
			"or context outside int32 is wrapped by int32Ptr instead of rejected")
		assert.Zero(t, f.count(t, `SELECT count(*) FROM gear_items WHERE `+tc.wrapped), "no wrapped value stored")
	}
}

func TestSaveSpecs(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	require.NoError(t, f.s.SaveSpecs(ctx, battlenet.Specs))
	assert.Equal(t, len(battlenet.Specs), f.count(t, `SELECT count(*) FROM specs`))
	type spec struct {
		ClassID               int
		ClassName, Name, Role string
	}
	read := func(id int) spec {
		var s spec
		require.NoError(t, f.s.Pool.QueryRow(ctx, `SELECT class_id, class_name, name, role FROM specs WHERE id = $1`, id).
			Scan(&s.ClassID, &s.ClassName, &s.Name, &s.Role))
		return s
	}
	assert.Equal(t, spec{4, "Rogue", "Assassination", "damage"}, read(chAssassination))
	assert.Equal(t, spec{11, "Druid", "Restoration", "healer"}, read(105))
	assert.Equal(t, spec{6, "Death Knight", "Blood", "tank"}, read(250))
	assert.Equal(t, spec{3, "Hunter", "Beast Mastery", "damage"}, read(253))

	before := f.xmins(t, "specs", "id")
	require.NoError(t, f.s.SaveSpecs(ctx, battlenet.Specs))
	assert.Equal(t, before, f.xmins(t, "specs", "id"), "unchanged specs are not rewritten")

	renamed := slices.Clone(battlenet.Specs)
	i := slices.IndexFunc(renamed, func(s battlenet.Spec) bool { return s.ID == 253 })
	renamed[i].Name = "Maîtrise des bêtes"
	require.NoError(t, f.s.SaveSpecs(ctx, renamed))
	assert.Equal(t, "Maîtrise des bêtes", read(253).Name)
	assert.Equal(t, len(battlenet.Specs)-1, f.count(t, `SELECT count(*) FROM specs WHERE xmin::text = ANY(string_to_array($1, ','))`, before),
		"only the renamed spec is rewritten")
}
