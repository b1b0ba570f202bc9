package fakeblizzard_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/fakeblizzard"
)

var slotOrder = []string{"HEAD", "NECK", "SHOULDER", "SHIRT", "CHEST", "WAIST", "LEGS", "FEET", "WRIST", "HANDS",
	"FINGER_1", "FINGER_2", "TRINKET_1", "TRINKET_2", "BACK", "MAIN_HAND", "OFF_HAND", "TABARD"}

// character is everything the three profile endpoints say about one board entry.
type character struct {
	entry   battlenet.LeaderboardEntry
	profile battlenet.Profile
	equip   battlenet.Equipment
	specs   battlenet.Specializations
	sizes   map[string]int
}

func fetchCharacter(t *testing.T, s *fakeblizzard.Server, tok, region string, e battlenet.LeaderboardEntry) character {
	t.Helper()
	c := character{entry: e, sizes: map[string]int{}}
	for _, suffix := range []string{"", "/equipment", "/specializations"} {
		resp, body := get(t, s, tok, charURL(region, e.Character.Realm.Slug, e.Character.Name, suffix))
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s%s: %s", e.Character.Name, suffix, body)
		assert.Equal(t, "application/json;charset=UTF-8", resp.Header.Get("Content-Type"))
		c.sizes[suffix] = len(body)
		switch suffix {
		case "":
			c.profile = decode[battlenet.Profile](t, body)
		case "/equipment":
			c.equip = decode[battlenet.Equipment](t, body)
		default:
			c.specs = decode[battlenet.Specializations](t, body)
		}
	}
	return c
}

// sample fetches the public characters among the first n entries of a board.
func sample(t *testing.T, s *fakeblizzard.Server, tok, region, bracket string, n int) []character {
	t.Helper()
	entries, err := s.Board(region, bracket)
	require.NoError(t, err)
	var out []character
	for _, e := range entries[:min(n, len(entries))] {
		if !s.IsPrivate(region, e.Character.ID) {
			out = append(out, fetchCharacter(t, s, tok, region, e))
		}
	}
	require.NotEmpty(t, out)
	return out
}

func isTwoHand(inv string) bool {
	return inv == "TWOHWEAPON" || inv == "RANGED" || inv == "RANGEDRIGHT"
}

// battleNetItemLevel recomputes equipped_item_level independently: 16 slots, shirt and tabard
// excluded, a two-hander counted twice, rounded down.
func battleNetItemLevel(items []battlenet.EquippedItem) int {
	sum, hasOff, twoHand := 0, false, 0
	for _, it := range items {
		if it.Slot.Type == "SHIRT" || it.Slot.Type == "TABARD" {
			continue
		}
		if it.Slot.Type == "OFF_HAND" {
			hasOff = true
		}
		if it.Slot.Type == "MAIN_HAND" && isTwoHand(it.InventoryType.Type) {
			twoHand = it.Level.Value
		}
		sum += it.Level.Value
	}
	if !hasOff {
		sum += twoHand
	}
	return sum / 16
}

func TestEquipmentShape(t *testing.T) {
	s := start(t, small(3))
	tok := token(t, s)
	chars := sample(t, s, tok, "us", "3v3", 120)

	var (
		withShirt, withTabard, artifactCloak, sameRings, sameHands, twoHanders, gemmed int
		enchanted                                                                      = map[string]int{}
		tierSetOfClass                                                                 = map[int64]int64{}
	)
	for _, c := range chars {
		eq := c.equip
		name := c.entry.Character.Name
		assert.GreaterOrEqual(t, c.sizes["/equipment"], 10_000, "equipment of %s is too light to benchmark parsing", name)
		assert.Equal(t, c.entry.Character.ID, eq.Character.ID)
		assert.Equal(t, c.entry.Character.Realm.Slug, eq.Character.Realm.Slug)
		require.GreaterOrEqual(t, len(eq.EquippedItems), 16, name)
		require.LessOrEqual(t, len(eq.EquippedItems), 18, name)

		bySlot := map[string]battlenet.EquippedItem{}
		last := -1
		for _, it := range eq.EquippedItems {
			i := slices.Index(slotOrder, it.Slot.Type)
			require.Greater(t, i, last, "%s: slot %s out of Battle.net order", name, it.Slot.Type)
			last = i
			bySlot[it.Slot.Type] = it
			assert.NotZero(t, it.Item.ID)
			assert.NotEmpty(t, it.Name)
			assert.NotEmpty(t, it.Slot.Name)
			assert.NotEmpty(t, it.Quality.Type)
			assert.NotEmpty(t, it.InventoryType.Type)
			assert.NotNil(t, it.Item.Key)
			if it.Slot.Type != "SHIRT" && it.Slot.Type != "TABARD" {
				assert.GreaterOrEqual(t, it.Level.Value, 650, "%s %s", name, it.Slot.Type)
				assert.LessOrEqual(t, it.Level.Value, 730, "%s %s", name, it.Slot.Type)
			}
			for _, en := range it.Enchantments {
				assert.NotZero(t, en.EnchantmentID)
				require.NotNil(t, en.EnchantmentSlot)
				assert.Equal(t, "PERMANENT", en.EnchantmentSlot.Type)
			}
			if len(it.Enchantments) > 0 {
				enchanted[it.Slot.Type]++
			}
			for _, so := range it.Sockets {
				assert.NotEmpty(t, so.SocketType.Type)
				if so.Item != nil {
					gemmed++
					assert.NotZero(t, so.Item.ID)
				}
			}
		}
		for _, slot := range slotOrder {
			if slot != "SHIRT" && slot != "TABARD" && slot != "OFF_HAND" {
				assert.Contains(t, bySlot, slot, name)
			}
		}
		_, hasOff := bySlot["OFF_HAND"]
		mh := bySlot["MAIN_HAND"]
		assert.Equal(t, !hasOff, isTwoHand(mh.InventoryType.Type), "%s: off hand absent exactly for two-handers (%s)", name, mh.InventoryType.Type)
		if !hasOff {
			twoHanders++
		} else if bySlot["OFF_HAND"].Item.ID == mh.Item.ID {
			sameHands++
		}
		if _, ok := bySlot["SHIRT"]; ok {
			withShirt++
		}
		if _, ok := bySlot["TABARD"]; ok {
			withTabard++
		}
		if bySlot["BACK"].Quality.Type == "ARTIFACT" {
			artifactCloak++
		}
		if bySlot["FINGER_1"].Item.ID == bySlot["FINGER_2"].Item.ID {
			sameRings++
		}
		assert.Len(t, bySlot["NECK"].Sockets, 2)

		// Trinkets: the PvP set, both worn.
		for _, slot := range []string{"TRINKET_1", "TRINKET_2"} {
			set := bySlot[slot].Set
			require.NotNil(t, set, "%s %s has no set", name, slot)
			assert.Equal(t, int64(1458), set.ItemSet.ID)
			assert.Equal(t, "Gladiator's Distinction", set.ItemSet.Name)
			assert.Equal(t, "Gladiator's Distinction (2/2)", set.DisplayString)
			ids := []int64{}
			for _, m := range set.Items {
				assert.True(t, m.IsEquipped)
				ids = append(ids, m.Item.ID)
			}
			assert.Contains(t, ids, bySlot[slot].Item.ID)
		}

		// The class tier set: 2 to 5 of the five set slots, consistent flags and bonuses.
		var tierID int64
		var worn []int64
		for _, slot := range []string{"HEAD", "SHOULDER", "CHEST", "HANDS", "LEGS"} {
			it := bySlot[slot]
			if it.Set == nil {
				continue
			}
			if tierID == 0 {
				tierID = it.Set.ItemSet.ID
			}
			assert.Equal(t, tierID, it.Set.ItemSet.ID, name)
			worn = append(worn, it.Item.ID)
		}
		require.NotZero(t, tierID, "%s wears no tier", name)
		assert.NotEqual(t, int64(1458), tierID)
		assert.GreaterOrEqual(t, len(worn), 2, name)
		assert.LessOrEqual(t, len(worn), 5, name)
		set := bySlot[slotWithSet(bySlot)].Set
		var flagged []int64
		for _, m := range set.Items {
			if m.IsEquipped {
				flagged = append(flagged, m.Item.ID)
			}
		}
		assert.ElementsMatch(t, worn, flagged, "%s: is_equipped must flag exactly the worn pieces", name)
		require.Len(t, set.Effects, 2)
		assert.Equal(t, 2, set.Effects[0].RequiredCount)
		assert.Equal(t, 4, set.Effects[1].RequiredCount)
		assert.True(t, set.Effects[0].IsActive)
		assert.Equal(t, len(worn) >= 4, set.Effects[1].IsActive)
		if prev, ok := tierSetOfClass[c.profile.CharacterClass.ID]; ok {
			assert.Equal(t, prev, tierID, "one tier set per class")
		}
		tierSetOfClass[c.profile.CharacterClass.ID] = tierID

		var setIDs []int64
		for _, st := range eq.EquippedItemSets {
			setIDs = append(setIDs, st.ItemSet.ID)
		}
		assert.ElementsMatch(t, []int64{1458, tierID}, setIDs)
	}
	n := len(chars)
	for _, slot := range []string{"CHEST", "LEGS", "FEET", "WRIST", "FINGER_1", "FINGER_2", "BACK", "MAIN_HAND"} {
		assert.Greater(t, enchanted[slot], n*7/10, "enchants on %s", slot)
	}
	for what, count := range map[string]int{"shirt": withShirt, "tabard": withTabard, "artifact cloak": artifactCloak,
		"same ring twice": sameRings, "same weapon in both hands": sameHands, "two-hander": twoHanders, "gem": gemmed} {
		assert.Greater(t, count, 0, "no %s in %d characters", what, n)
		if what == "shirt" || what == "tabard" {
			assert.Less(t, count, n, "every character has a %s", what)
		}
	}
	ids := map[int64]bool{}
	for _, id := range tierSetOfClass {
		assert.False(t, ids[id], "two classes share tier set %d", id)
		ids[id] = true
	}
}

func slotWithSet(bySlot map[string]battlenet.EquippedItem) string {
	for _, slot := range []string{"HEAD", "SHOULDER", "CHEST", "HANDS", "LEGS"} {
		if bySlot[slot].Set != nil {
			return slot
		}
	}
	return ""
}

func TestProfileShape(t *testing.T) {
	s := start(t, small(4))
	tok := token(t, s)
	for _, c := range sample(t, s, tok, "eu", "3v3", 60) {
		p := c.profile
		name := c.entry.Character.Name
		assert.Equal(t, c.entry.Character.ID, p.ID)
		assert.Equal(t, name, p.Name)
		assert.Equal(t, c.entry.Character.Realm.Slug, p.Realm.Slug)
		assert.Equal(t, c.entry.Character.Realm.ID, p.Realm.ID)
		assert.NotEmpty(t, p.Realm.Name, "profile realm has a name")
		assert.Equal(t, 80, p.Level)
		require.NotNil(t, p.Faction)
		assert.Equal(t, c.entry.Faction.Type, p.Faction.Type, "board and profile agree on faction")
		require.NotNil(t, p.CharacterClass)
		require.NotNil(t, p.ActiveSpec)
		require.NotNil(t, p.Race)
		require.NotNil(t, p.Gender)
		spec, ok := battlenet.SpecByID(int(p.ActiveSpec.ID))
		require.True(t, ok)
		assert.Equal(t, int64(spec.ClassID), p.CharacterClass.ID, "%s: active spec of another class", name)
		assert.Equal(t, spec.Name, p.ActiveSpec.Name)
		assert.Equal(t, battleNetItemLevel(c.equip.EquippedItems), p.EquippedItemLevel, name)
		assert.GreaterOrEqual(t, p.AverageItemLevel, p.EquippedItemLevel)
		assert.Positive(t, p.LastLoginTimestamp)
		require.NotNil(t, p.Equipment)
		assert.Contains(t, p.Equipment.Href, "/equipment?namespace=profile-eu")
	}
}

func TestSpecializationsShape(t *testing.T) {
	s := start(t, small(5))
	tok := token(t, s)
	chars := sample(t, s, tok, "us", "3v3", 150)
	heroesOfClass := map[int64]map[int64]bool{}
	var nullCodes, codes, withTip, withoutTip, noHero int
	for _, c := range chars {
		sp := c.specs
		name := c.entry.Character.Name
		assert.GreaterOrEqual(t, c.sizes["/specializations"], 20_000, name)
		assert.LessOrEqual(t, c.sizes["/specializations"], 100_000, name)
		assert.Equal(t, c.entry.Character.ID, sp.Character.ID)
		classID := c.profile.CharacterClass.ID

		var want, got []int64
		for _, s := range battlenet.Specs {
			if int64(s.ClassID) == classID {
				want = append(want, int64(s.ID))
			}
		}
		for _, sd := range sp.Specializations {
			got = append(got, sd.Specialization.ID)
		}
		assert.ElementsMatch(t, want, got, "%s: all specs of the class", name)

		require.NotNil(t, sp.ActiveSpecialization)
		assert.Equal(t, c.profile.ActiveSpec.ID, sp.ActiveSpecialization.ID, "profile and specializations agree on the active spec")
		require.NotNil(t, sp.ActiveHeroTalentTree)
		if heroesOfClass[classID] == nil {
			heroesOfClass[classID] = map[int64]bool{}
		}
		for _, sd := range sp.Specializations {
			require.NotEmpty(t, sd.Loadouts)
			assert.LessOrEqual(t, len(sd.Loadouts), 4)
			assert.Len(t, sd.PvpTalentSlots, 3)
			active := 0
			for _, lo := range sd.Loadouts {
				if lo.IsActive {
					active++
					if sd.Specialization.ID == sp.ActiveSpecialization.ID {
						require.NotNil(t, lo.SelectedHeroTalentTree)
						assert.Equal(t, lo.SelectedHeroTalentTree.ID, sp.ActiveHeroTalentTree.ID)
					}
				}
				if lo.TalentLoadoutCode == nil {
					nullCodes++
				} else {
					codes++
					assert.True(t, strings.HasPrefix(*lo.TalentLoadoutCode, "C"))
					assert.Greater(t, len(*lo.TalentLoadoutCode), 60)
				}
				assert.NotEmpty(t, lo.SelectedClassTalents)
				assert.NotEmpty(t, lo.SelectedSpecTalents)
				require.NotNil(t, lo.SelectedClassTalentTree)
				require.NotNil(t, lo.SelectedSpecTalentTree)
				if lo.SelectedHeroTalentTree == nil {
					noHero++
					assert.Empty(t, lo.SelectedHeroTalents)
				} else {
					assert.NotEmpty(t, lo.SelectedHeroTalents)
					heroesOfClass[classID][lo.SelectedHeroTalentTree.ID] = true
				}
				for _, tl := range slices.Concat(lo.SelectedClassTalents, lo.SelectedSpecTalents, lo.SelectedHeroTalents) {
					assert.NotZero(t, tl.ID)
					assert.Positive(t, tl.Rank)
					if tl.Tooltip != nil {
						withTip++
						assert.NotEmpty(t, tl.Tooltip.Talent.Name)
					} else {
						withoutTip++
					}
				}
			}
			assert.Equal(t, 1, active, "%s %s: exactly one active loadout", name, sd.Specialization.Name)
		}
	}
	assert.Positive(t, nullCodes, "some loadout codes are null")
	assert.Greater(t, codes, nullCodes*5, "null codes are the exception")
	assert.Positive(t, withTip)
	assert.Positive(t, withoutTip, "some talents come without tooltip")
	assert.Positive(t, noHero, "some loadouts predate hero talents")
	for cls, heroes := range heroesOfClass {
		assert.GreaterOrEqual(t, len(heroes), 2, "class %d", cls)
		assert.LessOrEqual(t, len(heroes), 4, "class %d", cls)
	}
}

// A shuffle player's specializations include the board's spec, yet their current spec is not always it.
func TestShuffleCharactersHaveTheBoardSpec(t *testing.T) {
	s := start(t, small(6))
	tok := token(t, s)
	offSpec := 0
	for _, bracket := range []string{"shuffle-mage-frost", "shuffle-druid-restoration", "blitz-warrior-arms"} {
		specID, ok := battlenet.BracketSpecID(bracket)
		require.True(t, ok)
		for _, c := range sample(t, s, tok, "us", bracket, 60) {
			var ids []int64
			for _, sd := range c.specs.Specializations {
				ids = append(ids, sd.Specialization.ID)
			}
			assert.Contains(t, ids, int64(specID), c.entry.Character.Name)
			if c.specs.ActiveSpecialization.ID != int64(specID) {
				offSpec++
			}
		}
	}
	assert.Positive(t, offSpec, "active spec should sometimes differ from the board's spec")
}

func TestAccentedNameResolvesPercentEncoded(t *testing.T) {
	s := start(t, small(9))
	tok := token(t, s)
	entries, err := s.Board("us", "3v3")
	require.NoError(t, err)
	var accented *battlenet.LeaderboardEntry
	for i, e := range entries {
		n := e.Character.Name
		if utf8.RuneCountInString(n) != len(n) && !s.IsPrivate("us", e.Character.ID) {
			accented = &entries[i]
			break
		}
	}
	require.NotNil(t, accented, "no accented public name on 3v3")
	name := accented.Character.Name
	path := charURL("us", accented.Character.Realm.Slug, name, "")
	assert.Contains(t, path, "%C3", "the name travels percent-encoded")
	resp, body := get(t, s, tok, path)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	assert.Equal(t, name, decode[battlenet.Profile](t, body).Name)

	// Case-insensitive on the decoded name: the capitalised spelling resolves too.
	resp, _ = get(t, s, tok, "/profile/wow/character/"+accented.Character.Realm.Slug+"/"+url.PathEscape(name)+"/equipment?namespace=profile-us")
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	// The hrefs Battle.net embeds use the same encoding.
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(body, &raw))
	assert.Contains(t, string(raw["_links"]), url.PathEscape(strings.ToLower(name)))
}
