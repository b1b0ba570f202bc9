package battlenet_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/battlenet"
)

const fixtureDir = "../../shared/fixtures/blizzard"

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, name))
	require.NoError(t, err, "fixture %s", name)
	return b
}

func decodeFixture[T any](t *testing.T, name string) *T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(fixture(t, name), &v), "decode %s", name)
	return &v
}

func TestSeasonIndexFixture(t *testing.T) {
	idx := decodeFixture[battlenet.SeasonIndex](t, "pvp-season-index.json")
	assert.Equal(t, int64(42), idx.CurrentSeason.ID)
	ids := make([]int64, 0, len(idx.Seasons))
	for _, s := range idx.Seasons {
		ids = append(ids, s.ID)
	}
	assert.Equal(t, []int64{40, 41, 42}, ids)
}

func TestSeasonFixture(t *testing.T) {
	s := decodeFixture[battlenet.Season](t, "pvp-season.json")
	assert.Equal(t, int64(42), s.ID)
	assert.Equal(t, "Player vs. Player (Midnight Season 2)", s.SeasonName)
	assert.Equal(t, int64(1787065200000), s.SeasonStartTimestamp)
	assert.Zero(t, s.SeasonEndTimestamp, "the current season has no end yet")
	require.NotNil(t, s.Leaderboards)
	assert.Contains(t, s.Leaderboards.Href, "/pvp-season/42/pvp-leaderboard/")
}

func TestLeaderboardIndexFixture(t *testing.T) {
	idx := decodeFixture[battlenet.LeaderboardIndex](t, "pvp-leaderboard-index.json")
	require.Len(t, idx.Leaderboards, 6)
	byName := map[string]battlenet.LeaderboardLink{}
	for _, l := range idx.Leaderboards {
		byName[l.Name] = l
	}
	require.Contains(t, byName, "blitz-overall")
	assert.Nil(t, byName["blitz-overall"].ID)
	assert.Nil(t, byName["shuffle-overall"].ID)
	require.NotNil(t, byName["3v3"].ID)
	assert.Equal(t, int64(1), *byName["3v3"].ID)
	require.NotNil(t, byName["2v2"].ID, "an explicit id 0 is not an absent id")
	assert.Equal(t, int64(0), *byName["2v2"].ID)
	assert.Equal(t, int64(42), idx.Season.ID)
}

func TestLeaderboardFixture(t *testing.T) {
	lb, err := battlenet.DecodeLeaderboard(fixture(t, "pvp-leaderboard-3v3.json"))
	require.NoError(t, err)
	assert.Equal(t, "ARENA_3v3", lb.Bracket.Type)
	require.Len(t, lb.Entries, 3)
	e := lb.Entries[0]
	assert.Equal(t, 1, e.Rank)
	assert.Equal(t, "Promisedland", e.Character.Name)
	assert.Equal(t, int64(203590047), e.Character.ID)
	assert.Equal(t, "sargeras", e.Character.Realm.Slug)
	assert.Equal(t, 2913, e.Rating)
	assert.Equal(t, 123, e.SeasonMatchStatistics.Won)
	assert.Equal(t, 43, e.SeasonMatchStatistics.Lost)
	assert.Equal(t, 166, e.SeasonMatchStatistics.Played)
	assert.Equal(t, "HORDE", e.Faction.Type)
	assert.Equal(t, "area-52", lb.Entries[1].Character.Realm.Slug)
	assert.Equal(t, "ALLIANCE", lb.Entries[1].Faction.Type)
}

func slotOf(t *testing.T, eq *battlenet.Equipment, slot string) battlenet.EquippedItem {
	t.Helper()
	for _, it := range eq.EquippedItems {
		if it.Slot.Type == slot {
			return it
		}
	}
	t.Fatalf("no %s slot", slot)
	return battlenet.EquippedItem{}
}

func TestEquipmentFixtureEgirlbooster(t *testing.T) {
	eq, err := battlenet.DecodeEquipment(fixture(t, "equipment/egirlbooster.json"))
	require.NoError(t, err)
	assert.Len(t, eq.EquippedItems, 18)
	assert.Equal(t, "Egirlbooster", eq.Character.Name)

	head := slotOf(t, eq, "HEAD")
	assert.Equal(t, int64(230504), head.Item.ID)
	assert.Equal(t, 681, head.Level.Value)
	assert.Equal(t, "EPIC", head.Quality.Type)
	assert.Nil(t, head.Set)

	legs := slotOf(t, eq, "LEGS")
	require.NotNil(t, legs.Set)
	assert.Equal(t, int64(1928), legs.Set.ItemSet.ID)
	assert.Equal(t, "Shroud of the Sudden Eclipse", legs.Set.ItemSet.Name)

	assert.Equal(t, int64(230644), slotOf(t, eq, "MAIN_HAND").Item.ID)
	assert.Equal(t, int64(230644), slotOf(t, eq, "OFF_HAND").Item.ID)
	assert.Equal(t, "ARTIFACT", slotOf(t, eq, "BACK").Quality.Type)
}

func TestEquipmentFixtureJw(t *testing.T) {
	eq, err := battlenet.DecodeEquipment(fixture(t, "equipment/jw.json"))
	require.NoError(t, err)
	assert.Len(t, eq.EquippedItems, 18)

	waist := slotOf(t, eq, "WAIST")
	var enchants []int64
	for _, e := range waist.Enchantments {
		enchants = append(enchants, e.EnchantmentID)
	}
	assert.Equal(t, []int64{6904, 3729, 4223}, enchants)
	var gems []int64
	for _, s := range waist.Sockets {
		require.NotNil(t, s.Item)
		gems = append(gems, s.Item.ID)
	}
	assert.Equal(t, []int64{213500, 213500}, gems)
	assert.Equal(t, 144, slotOf(t, eq, "HEAD").Level.Value)
}

func TestSpecializationsFixtureEgirlbooster(t *testing.T) {
	sp, err := battlenet.DecodeSpecializations(fixture(t, "specializations/egirlbooster.json"))
	require.NoError(t, err)
	require.NotNil(t, sp.ActiveSpecialization)
	assert.Equal(t, int64(259), sp.ActiveSpecialization.ID)
	require.NotNil(t, sp.ActiveHeroTalentTree)
	assert.Equal(t, "Fatebound", sp.ActiveHeroTalentTree.Name)
	assert.Equal(t, int64(52), sp.ActiveHeroTalentTree.ID)

	require.Len(t, sp.Specializations, 1)
	require.Len(t, sp.Specializations[0].Loadouts, 1)
	lo := sp.Specializations[0].Loadouts[0]
	assert.True(t, lo.IsActive)
	require.NotNil(t, lo.TalentLoadoutCode)
	assert.Regexp(t, `^CMQAA0tw2gAD7pPTLoW5IGZDeYmZ`, *lo.TalentLoadoutCode)
	require.NotNil(t, lo.SelectedHeroTalentTree)
	assert.Equal(t, int64(52), lo.SelectedHeroTalentTree.ID)
	assert.NotEmpty(t, lo.SelectedClassTalents)
}

func TestSpecializationsFixtureJw(t *testing.T) {
	sp, err := battlenet.DecodeSpecializations(fixture(t, "specializations/jw.json"))
	require.NoError(t, err)
	require.Len(t, sp.Specializations, 3)

	var sub, outlaw *battlenet.SpecDetail
	for i := range sp.Specializations {
		switch sp.Specializations[i].Specialization.ID {
		case 261:
			sub = &sp.Specializations[i]
		case 260:
			outlaw = &sp.Specializations[i]
		}
	}
	require.NotNil(t, sub)
	require.Len(t, sub.Loadouts, 4)
	var active []int
	for i, lo := range sub.Loadouts {
		if lo.IsActive {
			active = append(active, i)
		}
	}
	assert.Equal(t, []int{1}, active, "only the second Subtlety loadout is active")

	require.NotNil(t, outlaw)
	var withoutHero int
	for _, lo := range outlaw.Loadouts {
		if lo.SelectedHeroTalentTree == nil {
			withoutHero++
		}
	}
	assert.Equal(t, 1, withoutHero, "one Outlaw loadout has no hero tree")
}

func TestProfileFixtures(t *testing.T) {
	eg, err := battlenet.DecodeProfile(fixture(t, "profile/egirlbooster.json"))
	require.NoError(t, err)
	assert.Equal(t, int64(202523551), eg.ID)
	assert.Equal(t, 677, eg.EquippedItemLevel)
	require.NotNil(t, eg.CharacterClass)
	assert.Equal(t, int64(4), eg.CharacterClass.ID)
	require.NotNil(t, eg.Race)
	assert.Equal(t, int64(4), eg.Race.ID)
	assert.Equal(t, "Night Elf", eg.Race.Name)
	require.NotNil(t, eg.Faction)
	assert.Equal(t, "ALLIANCE", eg.Faction.Type)
	assert.Equal(t, "sargeras", eg.Realm.Slug)

	jw, err := battlenet.DecodeProfile(fixture(t, "profile/jw.json"))
	require.NoError(t, err)
	assert.Equal(t, 134, jw.EquippedItemLevel)
}

func TestErrorBodyFixture(t *testing.T) {
	eb := decodeFixture[battlenet.ErrorBody](t, "error-404.json")
	assert.Equal(t, 404, eb.Code)
	assert.Equal(t, "BLZWEBAPI00000404", eb.Type)
	assert.Equal(t, "Not Found", eb.Detail)
}

func TestLenientLoadoutFields(t *testing.T) {
	raw := []byte(`{"specializations":[{"specialization":{"id":260},"loadouts":[
		{"is_active":true,"talent_loadout_code":null,
		 "selected_class_talents":[{"id":1,"rank":1},{"id":2,"rank":2,"tooltip":{"talent":{"id":9,"name":"Shiv"}}}]}
	]}]}`)
	sp, err := battlenet.DecodeSpecializations(raw)
	require.NoError(t, err)
	lo := sp.Specializations[0].Loadouts[0]
	assert.Nil(t, lo.TalentLoadoutCode)
	require.Len(t, lo.SelectedClassTalents, 2)
	assert.Nil(t, lo.SelectedClassTalents[0].Tooltip)
	require.NotNil(t, lo.SelectedClassTalents[1].Tooltip)
	assert.Equal(t, "Shiv", lo.SelectedClassTalents[1].Tooltip.Talent.Name)
}

func TestDecodersRejectMissingEssentials(t *testing.T) {
	cases := []struct {
		name   string
		decode func([]byte) error
		bad    []string
		good   []string
	}{
		{"equipment", func(b []byte) error { _, err := battlenet.DecodeEquipment(b); return err },
			[]string{`{}`, `{"character":{"id":1}}`, `null`, `[]`, `{"equipped_items":`, `{"equipped_items":{}}`},
			[]string{`{"equipped_items":[]}`, `{"equipped_items":null}`}},
		{"specializations", func(b []byte) error { _, err := battlenet.DecodeSpecializations(b); return err },
			[]string{`{}`, `{"active_specialization":{"id":259}}`, `"x"`},
			[]string{`{"specializations":[]}`}},
		{"leaderboard", func(b []byte) error { _, err := battlenet.DecodeLeaderboard(b); return err },
			[]string{`{}`, `{"name":"3v3"}`, `{"entries":[{"rank":"one"}]}`, ``},
			[]string{`{"entries":[]}`, `{"name":"3v3","entries":null}`}},
		{"profile", func(b []byte) error { _, err := battlenet.DecodeProfile(b); return err },
			[]string{`{}`, `{"id":0,"name":"x"}`, `{"name":"x"}`, `<html>`},
			[]string{`{"id":7}`}},
	}
	for _, tc := range cases {
		for _, raw := range tc.bad {
			err := tc.decode([]byte(raw))
			require.Error(t, err, "%s %q", tc.name, raw)
			assert.ErrorIs(t, err, battlenet.ErrDecode, "%s %q", tc.name, raw)
			var e *battlenet.Error
			assert.ErrorAs(t, err, &e)
		}
		for _, raw := range tc.good {
			assert.NoError(t, tc.decode([]byte(raw)), "%s %q", tc.name, raw)
		}
	}
}
