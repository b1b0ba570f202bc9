package gear

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSlotKeyIsCanonical(t *testing.T) {
	s := Slot{Slot: "WAIST", ItemBlizzardID: 217130, ItemLevel: 113, Context: 13,
		EnchantmentIDs: []int64{6904, 3729}, GemItemIDs: []int64{213500, 213500}, BonusList: []int64{11318, 10835}}
	assert.Equal(t, "217130|113|13|6904,3729|213500,213500|11318,10835", SlotKey(s))
	// The slot name is not part of an item's identity: the same ring in both finger slots is one row.
	other := s
	other.Slot = "FINGER_1"
	assert.Equal(t, SlotHash(s), SlotHash(other))
	// Enchants and gems are not interchangeable.
	swapped := s
	swapped.EnchantmentIDs, swapped.GemItemIDs = s.GemItemIDs, s.EnchantmentIDs
	assert.NotEqual(t, SlotHash(s), SlotHash(swapped))
	assert.Len(t, SlotHash(s), 32)
}

func TestBuildHashFollowsContent(t *testing.T) {
	g, err := Summarize(equipmentFixture(t, "jw"))
	require.NoError(t, err)
	h := BuildHash(g)

	// Slot order does not matter: the key sorts slots by name.
	shuffled := g
	shuffled.Slots = slices.Clone(g.Slots)
	slices.Reverse(shuffled.Slots)
	assert.Equal(t, h, BuildHash(shuffled))

	// Any stored value changes the identity.
	for name, mut := range map[string]func(*Gear){
		"item level":   func(g *Gear) { g.ItemLevel++ },
		"tier pieces":  func(g *Gear) { ts := *g.TierSet; ts.Pieces--; g.TierSet = &ts },
		"four piece":   func(g *Gear) { ts := *g.TierSet; ts.FourPieceActive = !ts.FourPieceActive; g.TierSet = &ts },
		"slot ilvl":    func(g *Gear) { g.Slots[0].ItemLevel++ },
		"slot enchant": func(g *Gear) { g.Slots[1].EnchantmentIDs = append(slices.Clone(g.Slots[1].EnchantmentIDs), 1) },
		"no tier set":  func(g *Gear) { g.TierSet = nil },
	} {
		t.Run(name, func(t *testing.T) {
			c := g
			c.Slots = slices.Clone(g.Slots)
			mut(&c)
			assert.NotEqual(t, h, BuildHash(c))
		})
	}
}

func TestCatalogueNames(t *testing.T) {
	g, err := Summarize(equipmentFixture(t, "jw"))
	require.NoError(t, err)
	names := map[int64]string{}
	for _, e := range g.Enchantments {
		names[e.ID] = e.Name
	}
	assert.Equal(t, "Incandescent Essence", names[7052], "colour markup stripped")
	assert.Equal(t, "Mark of the Trained Soldier", names[5890])
	assert.Equal(t, "Crystalline Radiance", names[7364], "quality atlas icon stripped")
	assert.Equal(t, "Goblin Glider", names[4897], "a use effect keeps its display string")
	gems := map[int64]string{}
	for _, it := range g.Gems {
		gems[it.BlizzardID] = it.Name
	}
	assert.Equal(t, "Masterful Ruby", gems[213458])
	assert.True(t, slices.IsSortedFunc(g.Enchantments, func(a, b Named) int { return int(a.ID - b.ID) }))
}

func TestLoadoutsCoverEverySpec(t *testing.T) {
	for _, name := range []string{"egirlbooster", "jw"} {
		t.Run(name, func(t *testing.T) {
			s := specializationsFixture(t, name)
			los, active := Loadouts(s)
			require.NotEmpty(t, los)
			assert.Equal(t, int(s.ActiveSpecialization.ID), active)
			for _, lo := range los {
				want, ok := SelectLoadout(s, lo.SpecID)
				require.True(t, ok)
				assert.Equal(t, LoadoutHash(want), LoadoutHash(lo), "spec %d is what SelectLoadout picks", lo.SpecID)
			}
			assert.True(t, slices.IsSortedFunc(los, func(a, b Loadout) int { return a.SpecID - b.SpecID }))
		})
	}
}

func TestStoredTalentsAreSnakeCase(t *testing.T) {
	lo := Loadout{SpecID: 64, Class: []Talent{{NodeID: 9, TalentID: 90, Name: "Blink", Rank: 1}, {NodeID: 3, TalentID: 30, Rank: 2}},
		Spec: []Talent{}, Hero: []Talent{}, Pvp: []PvpTalent{{Slot: 2, TalentID: 7, Name: "Ice Form"}}}
	b, err := lo.TalentsJSON()
	require.NoError(t, err)
	assert.JSONEq(t, `{"class":[{"node_id":3,"talent_id":30,"rank":2},{"node_id":9,"talent_id":90,"rank":1}],"spec":[],"hero":[]}`, string(b))
	p, err := lo.PvpTalentsJSON()
	require.NoError(t, err)
	assert.JSONEq(t, `[{"slot":2,"talent_id":7}]`, string(p))
	var doc map[string]any
	require.NoError(t, json.Unmarshal(b, &doc))
	assert.Equal(t, "64||0|c:3:30:2,9:90:1|s:|h:|p:2:7", LoadoutKey(lo))
}
