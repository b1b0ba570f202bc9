package store_test

import (
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/gear"
	"github.com/pvpsync/pvpsync/store"
)

// chStrings runs a query returning one text column.
func (f *chFixture) strings(t *testing.T, q string, args ...any) []string {
	t.Helper()
	rows, err := f.s.Pool.Query(t.Context(), q, args...)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		out = append(out, s)
	}
	require.NoError(t, rows.Err())
	return out
}

func TestSaveSpecializationsStoresLoadoutsOnce(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	c := f.character(t, 1001, "Jw")
	d := f.character(t, 1002, "Twin")
	raw, los, _ := chSpecializations(t, "jw")
	require.Len(t, los, 3)

	sl, err := f.s.SaveSpecializations(ctx, c, raw, chLM2, los)
	require.NoError(t, err)
	require.Len(t, sl, 3)
	assert.True(t, slices.IsSortedFunc(sl, func(a, b store.SpecLoadout) int { return a.SpecID - b.SpecID }), "in spec order")
	assert.Equal(t, []int{chAssassination, chOutlaw, chSubtlety}, []int{sl[0].SpecID, sl[1].SpecID, sl[2].SpecID})
	assert.Equal(t, 3, f.count(t, `SELECT count(*) FROM talent_loadouts`), "one loadout per spec")

	ids := chLoadoutIDs(sl)
	for _, lo := range los {
		var (
			hash              []byte
			spec              int
			code, heroName    *string
			heroID            *int64
			talents, pvpTexts string
		)
		require.NoError(t, f.s.Pool.QueryRow(ctx, `SELECT hash, spec_id, loadout_code, hero_talent_tree_id, hero_talent_tree_name,
    talents::text, pvp_talents::text FROM talent_loadouts WHERE id = $1`, ids[lo.SpecID]).Scan(&hash, &spec, &code, &heroID,
			&heroName, &talents, &pvpTexts))
		assert.Equal(t, gear.LoadoutHash(lo), hash, "spec %d is addressed by gear.LoadoutHash", lo.SpecID)
		assert.Equal(t, lo.SpecID, spec)
		require.NotNil(t, code)
		assert.Equal(t, lo.Code, *code)
		require.NotNil(t, heroID)
		assert.Equal(t, lo.HeroTreeID, *heroID)
		assert.Equal(t, lo.HeroTreeName, *heroName)
		wantTalents, err := lo.TalentsJSON()
		require.NoError(t, err)
		wantPvp, err := lo.PvpTalentsJSON()
		require.NoError(t, err)
		assert.JSONEq(t, string(wantTalents), talents)
		assert.JSONEq(t, string(wantPvp), pvpTexts)
	}

	// The documents use the API's snake_case ids and no names.
	assert.Equal(t, []string{"class", "hero", "spec"},
		f.strings(t, `SELECT DISTINCT k FROM talent_loadouts, jsonb_object_keys(talents) AS k ORDER BY k`))
	assert.Equal(t, []string{"node_id", "rank", "talent_id"}, f.strings(t, `SELECT DISTINCT k
FROM talent_loadouts, jsonb_array_elements((talents -> 'class') || (talents -> 'spec') || (talents -> 'hero')) AS el(t),
     jsonb_object_keys(el.t) AS k ORDER BY k`))
	assert.Equal(t, []string{"slot", "talent_id"},
		f.strings(t, `SELECT DISTINCT k FROM talent_loadouts, jsonb_array_elements(pvp_talents) AS el(t), jsonb_object_keys(el.t) AS k ORDER BY k`))
	assert.Equal(t, []string{"number"}, f.strings(t, `SELECT DISTINCT jsonb_typeof(el.t -> 'talent_id')
FROM talent_loadouts, jsonb_array_elements(talents -> 'spec') AS el(t)`))

	// The catalogues name every talent that has a name and an id.
	talents, pvp := map[int64]gear.Talent{}, map[int64]string{}
	trees := map[int64]string{}
	for _, lo := range los {
		for _, tr := range []struct {
			name string
			ts   []gear.Talent
		}{{"class", lo.Class}, {"spec", lo.Spec}, {"hero", lo.Hero}} {
			for _, tl := range tr.ts {
				if tl.TalentID != 0 && tl.Name != "" {
					talents[tl.TalentID], trees[tl.TalentID] = tl, tr.name
				}
			}
		}
		for _, p := range lo.Pvp {
			pvp[p.TalentID] = p.Name
		}
	}
	require.NotEmpty(t, talents)
	assert.Equal(t, len(talents), f.count(t, `SELECT count(*) FROM talents`))
	for id, tl := range talents {
		var node int64
		var name, tree string
		require.NoError(t, f.s.Pool.QueryRow(ctx, `SELECT node_id, name, tree FROM talents WHERE talent_id = $1`, id).Scan(&node, &name, &tree))
		assert.Equal(t, tl.NodeID, node)
		assert.Equal(t, tl.Name, name)
		assert.Equal(t, trees[id], tree)
	}
	assert.Equal(t, len(pvp), f.count(t, `SELECT count(*) FROM pvp_talents`))
	for id, name := range pvp {
		var got string
		require.NoError(t, f.s.Pool.QueryRow(ctx, `SELECT name FROM pvp_talents WHERE talent_id = $1`, id).Scan(&got))
		assert.Equal(t, name, got)
	}

	// The same response for another character: the same loadouts, two statements, nothing written.
	writes := func() []string {
		return []string{f.xmins(t, "talent_loadouts", "id"), f.xmins(t, "talents", "talent_id"), f.xmins(t, "pvp_talents", "talent_id")}
	}
	before := writes()
	f.stmts.Reset()
	again, err := f.s.SaveSpecializations(ctx, d, raw, "", los)
	require.NoError(t, err)
	assert.Equal(t, sl, again)
	assert.Equal(t, int64(2), f.stmts.Count(), "the payload and the loadout lookup")
	assert.Equal(t, before, writes(), "known loadouts write no loadout or catalogue row")
	assert.Equal(t, 2, f.count(t, `SELECT count(*) FROM character_payloads WHERE side = 'specializations'`))

	// Another build of one spec is one new row; the others are untouched.
	rawE, losE, _ := chSpecializations(t, "egirlbooster")
	other, err := f.s.SaveSpecializations(ctx, c, rawE, "", losE)
	require.NoError(t, err)
	require.Len(t, other, 1)
	assert.NotContains(t, []int64{ids[chAssassination], ids[chOutlaw], ids[chSubtlety]}, other[0].LoadoutID)
	assert.Equal(t, 4, f.count(t, `SELECT count(*) FROM talent_loadouts`))
}

func TestSaveSpecializationsRefreshesSeenAtHourly(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	c := f.character(t, 1001, "Jw")
	raw, los, _ := chSpecializations(t, "jw")
	sl, err := f.s.SaveSpecializations(ctx, c, raw, "", los)
	require.NoError(t, err)
	ids := chLoadoutIDs(sl)

	_, err = f.s.Pool.Exec(ctx, `UPDATE talent_loadouts SET seen_at = now() - CASE WHEN id = $1 THEN interval '30 minutes'
    ELSE interval '2 hours' END`, ids[chSubtlety])
	require.NoError(t, err)
	var recent string
	require.NoError(t, f.s.Pool.QueryRow(ctx, `SELECT seen_at::text FROM talent_loadouts WHERE id = $1`, ids[chSubtlety]).Scan(&recent))

	_, err = f.s.SaveSpecializations(ctx, c, raw, "", los)
	require.NoError(t, err)
	var after string
	require.NoError(t, f.s.Pool.QueryRow(ctx, `SELECT seen_at::text FROM talent_loadouts WHERE id = $1`, ids[chSubtlety]).Scan(&after))
	assert.Equal(t, recent, after, "seen within the hour: not rewritten")
	assert.Equal(t, 2, f.count(t, `SELECT count(*) FROM talent_loadouts WHERE seen_at > now() - interval '1 minute' AND id = ANY($1)`,
		[]int64{ids[chAssassination], ids[chOutlaw]}), "seen over an hour ago: refreshed")
}

func TestSaveSpecializationsInt64EdgesAndNamesVerbatim(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	c := f.character(t, 1001, "Jw")
	lo := gear.Loadout{SpecID: 64, Code: "CÄ+/=", HeroTreeID: math.MaxInt64, HeroTreeName: "Lame-d'ombre ü",
		Class: []gear.Talent{{NodeID: math.MaxInt64, TalentID: math.MaxInt64, Name: "Frappe « éclair » ⚡", Rank: 2}},
		Spec:  []gear.Talent{{NodeID: 1, TalentID: 0, Rank: 1}}, // no tooltip: in the loadout, not in the catalogue
		Hero:  []gear.Talent{{NodeID: 2, TalentID: math.MaxInt64 - 1, Name: `Ombre "double" \ ';--`, Rank: 1}},
		Pvp:   []gear.PvpTalent{{Slot: 1, TalentID: math.MaxInt64 - 2, Name: "Maîtrise 指"}},
	}
	sl, err := f.s.SaveSpecializations(ctx, c, []byte(`{"name":"Ä"}`), "", []gear.Loadout{lo})
	require.NoError(t, err)
	require.Len(t, sl, 1)

	var code, heroName, talents, pvpText string
	var heroID int64
	require.NoError(t, f.s.Pool.QueryRow(ctx, `SELECT loadout_code, hero_talent_tree_id, hero_talent_tree_name, talents::text, pvp_talents::text
FROM talent_loadouts WHERE id = $1`, sl[0].LoadoutID).Scan(&code, &heroID, &heroName, &talents, &pvpText))
	assert.Equal(t, lo.Code, code)
	assert.Equal(t, int64(math.MaxInt64), heroID)
	assert.Equal(t, lo.HeroTreeName, heroName)
	assert.JSONEq(t, `{"class":[{"node_id":9223372036854775807,"talent_id":9223372036854775807,"rank":2}],
"spec":[{"node_id":1,"talent_id":0,"rank":1}],"hero":[{"node_id":2,"talent_id":9223372036854775806,"rank":1}]}`, talents,
		"int64 ids survive jsonb exactly")
	assert.JSONEq(t, `[{"slot":1,"talent_id":9223372036854775805}]`, pvpText)

	names := map[int64]string{}
	rows, err := f.s.Pool.Query(ctx, `SELECT talent_id, name FROM talents UNION ALL SELECT talent_id, name FROM pvp_talents`)
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		require.NoError(t, rows.Scan(&id, &name))
		names[id] = name
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, map[int64]string{math.MaxInt64: lo.Class[0].Name, math.MaxInt64 - 1: lo.Hero[0].Name,
		math.MaxInt64 - 2: lo.Pvp[0].Name}, names, "names verbatim; the nameless talent is left out")
}
