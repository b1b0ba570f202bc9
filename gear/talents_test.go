package gear

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/battlenet"
)

func TestSelectLoadoutJWSubtlety(t *testing.T) {
	s := specializationsFixture(t, "jw")
	lo, ok := SelectLoadout(s, 261)
	require.True(t, ok)

	assert.Equal(t, 261, lo.SpecID)
	assert.Equal(t, "Subtlety", lo.SpecName)
	assert.Equal(t, 4, lo.ClassID)
	assert.True(t, lo.Active)
	// The active loadout is the 2nd of 4; the others share a different code.
	assert.True(t, strings.HasPrefix(lo.Code, "CUQAByFP3pExAEG41/8+e6b8fDgZMDAAAAAMbzMzy"), lo.Code)
	assert.Equal(t, *s.Specializations[0].Loadouts[1].TalentLoadoutCode, lo.Code)
	assert.Equal(t, int64(53), lo.HeroTreeID)
	assert.Equal(t, "Deathstalker", lo.HeroTreeName)
	assert.Len(t, lo.Class, 31)
	assert.Len(t, lo.Spec, 28)
	assert.Len(t, lo.Hero, 11)

	assert.Equal(t, []PvpTalent{
		{Slot: 2, TalentID: 5406, Name: "Dismantle"},
		{Slot: 3, TalentID: 1209, Name: "Smoke Bomb"},
		{Slot: 4, TalentID: 5698, Name: "Preemptive Maneuver"},
	}, lo.Pvp)
}

func TestSelectLoadoutBoardSpecIsNotActiveSpec(t *testing.T) {
	s := specializationsFixture(t, "jw")
	lo, ok := SelectLoadout(s, 260)
	require.True(t, ok)
	assert.Equal(t, 260, lo.SpecID)
	assert.Equal(t, "Outlaw", lo.SpecName)
	assert.Equal(t, 4, lo.ClassID)
	assert.True(t, lo.Active)
	assert.True(t, strings.HasPrefix(lo.Code, "CQQAByFP3pExAEG41/8+e6b8fDgZwMGjxMbzMzMgZbbmZ"), lo.Code)
	assert.Equal(t, int64(52), lo.HeroTreeID)
	assert.Equal(t, "Fatebound", lo.HeroTreeName)
	assert.Len(t, lo.Hero, 10)
}

func TestSelectLoadoutActiveSpec(t *testing.T) {
	jw, ok := SelectLoadout(specializationsFixture(t, "jw"), 0)
	require.True(t, ok)
	assert.Equal(t, 261, jw.SpecID)
	assert.Equal(t, int64(53), jw.HeroTreeID)

	eg, ok := SelectLoadout(specializationsFixture(t, "egirlbooster"), 0)
	require.True(t, ok)
	assert.Equal(t, 259, eg.SpecID)
	assert.Equal(t, "Assassination", eg.SpecName)
	assert.Equal(t, 4, eg.ClassID)
	assert.Equal(t, int64(52), eg.HeroTreeID)
	assert.Equal(t, "Fatebound", eg.HeroTreeName)
	assert.Len(t, eg.Class, 30)
	assert.Len(t, eg.Spec, 27)
	assert.Len(t, eg.Hero, 11)
	assert.True(t, strings.HasPrefix(eg.Code, "CMQAA0tw2gAD7pPTLoW5IGZDeYmZMjxMDAAAAAAY2mxsN"), eg.Code)
}

func TestSelectLoadoutUnknownSpec(t *testing.T) {
	s := specializationsFixture(t, "jw")
	for _, id := range []int{64, -1, 999999} {
		_, ok := SelectLoadout(s, id)
		assert.False(t, ok, "spec %d", id)
	}
	_, ok := SelectLoadout(nil, 261)
	assert.False(t, ok)
	// No active spec and none asked for.
	_, ok = SelectLoadout(&battlenet.Specializations{Specializations: s.Specializations}, 0)
	assert.False(t, ok)
}

func TestSelectLoadoutTalentsWithoutTooltip(t *testing.T) {
	s := specializationsFixture(t, "egirlbooster")
	lo, ok := SelectLoadout(s, 259)
	require.True(t, ok)

	raw := s.Specializations[0].Loadouts[0].SelectedClassTalents
	require.Len(t, lo.Class, len(raw))
	var bare, named int
	for i, tal := range lo.Class {
		assert.Equal(t, raw[i].ID, tal.NodeID)
		assert.Equal(t, raw[i].Rank, tal.Rank)
		if raw[i].Tooltip == nil {
			bare++
			assert.Zero(t, tal.TalentID)
			assert.Empty(t, tal.Name)
			continue
		}
		named++
		assert.Equal(t, raw[i].Tooltip.Talent.ID, tal.TalentID)
		assert.Equal(t, raw[i].Tooltip.Talent.Name, tal.Name)
		assert.NotZero(t, tal.TalentID)
	}
	assert.Positive(t, bare, "fixture has a talent without tooltip (node 99844)")
	assert.Positive(t, named)
	assert.Contains(t, lo.Class, Talent{NodeID: 99844, Rank: 1})
}

func code(s string) *string { return &s }

func TestSelectLoadoutChoice(t *testing.T) {
	talent := []battlenet.SelectedTalent{{ID: 1, Rank: 1}}
	spec := func(los ...battlenet.Loadout) *battlenet.Specializations {
		return &battlenet.Specializations{
			ActiveSpecialization: &battlenet.KeyRef{ID: 62, Name: "Arcane"},
			ActiveHeroTalentTree: &battlenet.KeyRef{ID: 40, Name: "Sunfury"},
			Specializations: []battlenet.SpecDetail{
				{Specialization: battlenet.KeyRef{ID: 62, Name: "Arcane"}, Loadouts: los},
				{Specialization: battlenet.KeyRef{ID: 63, Name: "Fire"}, Loadouts: los},
			},
		}
	}

	t.Run("first with talents when none active", func(t *testing.T) {
		lo, ok := SelectLoadout(spec(
			battlenet.Loadout{TalentLoadoutCode: code("empty")},
			battlenet.Loadout{TalentLoadoutCode: code("full"), SelectedSpecTalents: talent},
			battlenet.Loadout{TalentLoadoutCode: code("later"), SelectedClassTalents: talent},
		), 62)
		require.True(t, ok)
		assert.Equal(t, "full", lo.Code)
		assert.False(t, lo.Active)
		assert.Equal(t, 8, lo.ClassID)
	})

	t.Run("spec without loadouts", func(t *testing.T) {
		lo, ok := SelectLoadout(spec(), 63)
		require.True(t, ok)
		assert.Equal(t, "Fire", lo.SpecName)
		assert.Empty(t, lo.Code)
		assert.NotNil(t, lo.Class)
		assert.Empty(t, lo.Class)
		// Fire is not the active spec: the top-level hero tree is Arcane's.
		assert.Zero(t, lo.HeroTreeID)
	})

	t.Run("null code and hero tree from the active spec", func(t *testing.T) {
		lo, ok := SelectLoadout(spec(battlenet.Loadout{IsActive: true, SelectedHeroTalents: talent}), 0)
		require.True(t, ok)
		assert.Equal(t, 62, lo.SpecID)
		assert.Empty(t, lo.Code)
		assert.Equal(t, int64(40), lo.HeroTreeID)
		assert.Equal(t, "Sunfury", lo.HeroTreeName)
	})

	t.Run("loadout hero tree wins over the top-level one", func(t *testing.T) {
		lo, ok := SelectLoadout(spec(battlenet.Loadout{
			IsActive: true, SelectedHeroTalentTree: &battlenet.KeyRef{ID: 39, Name: "Spellslinger"},
		}), 62)
		require.True(t, ok)
		assert.Equal(t, int64(39), lo.HeroTreeID)
		assert.Equal(t, "Spellslinger", lo.HeroTreeName)
	})

	t.Run("active beats earlier loadouts with talents", func(t *testing.T) {
		lo, ok := SelectLoadout(spec(
			battlenet.Loadout{TalentLoadoutCode: code("first"), SelectedSpecTalents: talent},
			battlenet.Loadout{TalentLoadoutCode: code("active"), IsActive: true},
		), 63)
		require.True(t, ok)
		assert.Equal(t, "active", lo.Code)
		assert.True(t, lo.Active)
	})
}

func TestSelectLoadoutPvpSortedAndFiltered(t *testing.T) {
	s := &battlenet.Specializations{Specializations: []battlenet.SpecDetail{{
		Specialization: battlenet.KeyRef{ID: 71},
		PvpTalentSlots: []battlenet.PvpTalentSlot{
			{SlotNumber: 4, Selected: battlenet.PvpTalentSelection{Talent: battlenet.KeyRef{ID: 3, Name: "C"}}},
			{SlotNumber: 2, Selected: battlenet.PvpTalentSelection{Talent: battlenet.KeyRef{ID: 1, Name: "A"}}},
			{SlotNumber: 3},
		},
	}}}
	lo, ok := SelectLoadout(s, 71)
	require.True(t, ok)
	assert.Equal(t, "Arms", lo.SpecName, "name from the spec table when the response has none")
	assert.Equal(t, 1, lo.ClassID)
	assert.Equal(t, []PvpTalent{{Slot: 2, TalentID: 1, Name: "A"}, {Slot: 4, TalentID: 3, Name: "C"}}, lo.Pvp)
}

func TestClassOf(t *testing.T) {
	assert.Equal(t, 4, ClassOf(specializationsFixture(t, "jw")))
	assert.Equal(t, 4, ClassOf(specializationsFixture(t, "egirlbooster")))
	assert.Equal(t, 0, ClassOf(nil))
	assert.Equal(t, 0, ClassOf(&battlenet.Specializations{}))
	// No active spec: any spec in the list will do.
	assert.Equal(t, 11, ClassOf(&battlenet.Specializations{Specializations: []battlenet.SpecDetail{
		{Specialization: battlenet.KeyRef{ID: 12345}}, {Specialization: battlenet.KeyRef{ID: 105}},
	}}))
	assert.Equal(t, 0, ClassOf(&battlenet.Specializations{ActiveSpecialization: &battlenet.KeyRef{ID: 1}}))
}
