package fakeblizzard_test

import (
	"cmp"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/fakeblizzard"
)

// consumer reads the served JSON the way a correct client must, independently of the fake's model:
// it is what Truth is checked against.
type consumer struct {
	t      *testing.T
	s      *fakeblizzard.Server
	tok    string
	boards map[string]battlenet.Leaderboard
}

func newConsumer(t *testing.T, s *fakeblizzard.Server) *consumer {
	c := &consumer{t: t, s: s, tok: token(t, s), boards: map[string]battlenet.Leaderboard{}}
	for _, b := range s.Brackets() {
		c.boards[b] = fetchBoard(t, s, c.tok, "us", b)
	}
	return c
}

func (c *consumer) read(realm, name string) fakeblizzard.CharacterTruth {
	t := c.t
	t.Helper()
	out := fakeblizzard.CharacterTruth{Region: "us", Entries: []fakeblizzard.EntryTruth{}}
	for _, b := range c.s.Brackets() {
		spec, _ := battlenet.BracketSpecID(b)
		for _, e := range c.boards[b].Entries {
			if e.Character.Realm.Slug == realm && strings.EqualFold(e.Character.Name, name) {
				st := e.SeasonMatchStatistics
				out.Entries = append(out.Entries, fakeblizzard.EntryTruth{
					Bracket: b, BlizzardID: e.Character.ID, Name: e.Character.Name, RealmSlug: realm, Rank: e.Rank,
					Rating: e.Rating, Played: st.Played, Wins: st.Won, Losses: st.Lost, SpecID: spec,
				})
			}
		}
	}
	lms := map[string]time.Time{}
	bodies := map[string][]byte{}
	for _, suffix := range endpoints {
		resp, body := get(t, c.s, c.tok, charURL("us", realm, name, suffix))
		require.Equal(t, http.StatusOK, resp.StatusCode)
		lm, err := http.ParseTime(resp.Header.Get("Last-Modified"))
		require.NoError(t, err)
		lms[suffix], bodies[suffix] = lm.UTC(), body
	}
	out.ProfileLastModified, out.EquipmentLastModified, out.SpecializationsLastModified = lms[""], lms["/equipment"], lms["/specializations"]

	p := decode[battlenet.Profile](t, bodies[""])
	out.BlizzardID, out.Name, out.RealmSlug = p.ID, p.Name, p.Realm.Slug
	out.ClassID, out.ActiveSpecID = int(p.CharacterClass.ID), int(p.ActiveSpec.ID)
	out.EquippedItemLevel = p.EquippedItemLevel

	eq := decode[battlenet.Equipment](t, bodies["/equipment"])
	require.Equal(t, p.EquippedItemLevel, battleNetItemLevel(eq.EquippedItems), "profile and equipment agree")
	out.Slots = []fakeblizzard.SlotTruth{}
	for _, it := range eq.EquippedItems {
		var ench, gems []fakeblizzard.IDName
		for _, e := range it.Enchantments {
			// The enchant's name is in its display string: "Enchanted: <name> |A:...".
			name := strings.TrimPrefix(e.DisplayString, "Enchanted: ")
			name, _, _ = strings.Cut(name, " |A:")
			ench = append(ench, fakeblizzard.IDName{ID: e.EnchantmentID, Name: name})
		}
		for _, so := range it.Sockets {
			if so.Item != nil {
				gems = append(gems, fakeblizzard.IDName{ID: so.Item.ID, Name: so.Item.Name})
			}
		}
		st := fakeblizzard.SlotTruth{Slot: it.Slot.Type, ItemID: it.Item.ID, ItemName: it.Name, ItemLevel: it.Level.Value}
		st.EnchantmentIDs, st.Enchantments = byID(ench)
		st.GemItemIDs, st.Gems = byID(gems)
		out.Slots = append(out.Slots, st)
		if it.Set != nil && it.Set.ItemSet.ID != 1458 && out.TierSet == nil {
			n := 0
			for _, m := range it.Set.Items {
				n += boolToInt(m.IsEquipped)
			}
			four := slices.ContainsFunc(it.Set.Effects, func(e battlenet.SetEffect) bool { return e.RequiredCount == 4 && e.IsActive })
			out.TierSet = &fakeblizzard.TierTruth{ID: it.Set.ItemSet.ID, Name: it.Set.ItemSet.Name, Pieces: n, FourPiece: four}
		}
	}

	sp := decode[battlenet.Specializations](t, bodies["/specializations"])
	for _, sd := range sp.Specializations {
		st := fakeblizzard.SpecTruth{SpecID: int(sd.Specialization.ID)}
		var pvp []fakeblizzard.IDName
		for _, slot := range sd.PvpTalentSlots {
			pvp = append(pvp, fakeblizzard.IDName{ID: slot.Selected.Talent.ID, Name: slot.Selected.Talent.Name})
		}
		st.PvpTalentIDs, st.PvpTalents = byID(pvp)
		lo := pickLoadout(sd.Loadouts)
		if lo.TalentLoadoutCode != nil {
			st.LoadoutCode = *lo.TalentLoadoutCode
		}
		if lo.SelectedHeroTalentTree != nil {
			st.HeroTreeID, st.HeroTreeName = lo.SelectedHeroTalentTree.ID, lo.SelectedHeroTalentTree.Name
		}
		st.ClassTalentNodeIDs, st.SpecTalentNodeIDs, st.HeroTalentNodeIDs = ids(lo.SelectedClassTalents), ids(lo.SelectedSpecTalents), ids(lo.SelectedHeroTalents)
		out.Specs = append(out.Specs, st)
	}
	return out
}

// pickLoadout: the active loadout, else the first with talents, else the first.
func pickLoadout(los []battlenet.Loadout) battlenet.Loadout {
	for _, lo := range los {
		if lo.IsActive {
			return lo
		}
	}
	for _, lo := range los {
		if len(lo.SelectedClassTalents)+len(lo.SelectedSpecTalents)+len(lo.SelectedHeroTalents) > 0 {
			return lo
		}
	}
	return los[0]
}

func ids(ts []battlenet.SelectedTalent) []int64 {
	out := []int64{}
	for _, t := range ts {
		out = append(out, t.ID)
	}
	slices.Sort(out)
	return out
}

func byID(xs []fakeblizzard.IDName) ([]int64, []fakeblizzard.IDName) {
	xs = append([]fakeblizzard.IDName{}, xs...)
	slices.SortStableFunc(xs, func(a, b fakeblizzard.IDName) int { return cmp.Compare(a.ID, b.ID) })
	out := []int64{}
	for _, x := range xs {
		out = append(out, x.ID)
	}
	return out, xs
}

func boolToInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkTruth compares the truth of some characters, in Go and over HTTP, with what the consumer reads.
func checkTruth(t *testing.T, s *fakeblizzard.Server, ids []int64) {
	t.Helper()
	c := newConsumer(t, s)
	for _, id := range ids {
		e := findEntry(t, s, id)
		truth, err := s.Truth("us", e.RealmSlug, strings.ToUpper(e.Name))
		require.NoError(t, err)
		require.False(t, truth.Private)
		assert.Equal(t, c.read(e.RealmSlug, e.Name), truth, "%s-%s", e.Name, e.RealmSlug)

		resp, body := get(t, s, "", "/truth/us/"+e.RealmSlug+"/"+url.PathEscape(strings.ToLower(e.Name)))
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		want, err := json.Marshal(truth)
		require.NoError(t, err)
		assert.JSONEq(t, string(want), string(body))
	}
}

func TestTruthMatchesServedJSON(t *testing.T) {
	o := living(111)
	o.Active = 0.5
	s := start(t, o)
	var sample []int64
	for _, b := range []string{"3v3", "shuffle-mage-frost", "blitz-warrior-arms"} {
		entries, err := s.Board("us", b)
		require.NoError(t, err)
		for _, e := range publicOn(t, s, entriesOf(entries), "us", 10) {
			sample = append(sample, e.ID)
		}
	}
	checkTruth(t, s, sample)
	statsBefore := s.Stats().Total

	rep := s.Advance()
	changed := slices.Concat(usIDs(rep.GearChanged)[:10], usIDs(rep.TalentsChanged)[:5], usIDs(rep.IdleGearChanged)[:1])
	checkTruth(t, s, slices.Concat(changed, sample))
	s.Advance()
	checkTruth(t, s, changed)

	// Truth is not API traffic: reading it is not counted (only the consumer's own requests are).
	before := s.Stats().Total
	_, err := s.Truth("us", findEntry(t, s, sample[0]).RealmSlug, findEntry(t, s, sample[0]).Name)
	require.NoError(t, err)
	get(t, s, "", "/truth/us/nowhere/nobody")
	assert.Equal(t, before, s.Stats().Total)
	assert.Greater(t, before, statsBefore)
}

func TestBoardTruthIsTheServedBoard(t *testing.T) {
	s := start(t, living(112))
	s.Advance()
	tok := token(t, s)
	for _, b := range s.Brackets() {
		truth, err := s.BoardTruth("us", b)
		require.NoError(t, err)
		lb := fetchBoard(t, s, tok, "us", b)
		require.Len(t, truth, len(lb.Entries))
		spec, _ := battlenet.BracketSpecID(b)
		for i, e := range lb.Entries {
			st := e.SeasonMatchStatistics
			assert.Equal(t, fakeblizzard.EntryTruth{
				Bracket: b, BlizzardID: e.Character.ID, Name: e.Character.Name, RealmSlug: e.Character.Realm.Slug,
				Rank: e.Rank, Rating: e.Rating, Played: st.Played, Wins: st.Won, Losses: st.Lost, SpecID: spec,
			}, truth[i])
		}
	}
	_, err := s.BoardTruth("us", "5v5")
	assert.Error(t, err)
	_, err = s.BoardTruth("cn", "3v3")
	assert.Error(t, err)
}

func TestTruthOfPrivateAndUnknownCharacters(t *testing.T) {
	s := start(t, small(113))
	_, priv, _ := privateShare(t, s)
	require.NotEmpty(t, priv)
	truth, err := s.Truth("us", priv[0].Realm, priv[0].Name)
	require.NoError(t, err)
	assert.True(t, truth.Private)
	assert.Equal(t, priv[0].ID, truth.BlizzardID)
	assert.NotEmpty(t, truth.Entries, "a private character is still ranked")
	assert.Empty(t, truth.Slots, "nothing of its gear can be known")
	assert.Empty(t, truth.Specs)

	_, err = s.Truth("us", "nowhere", "nobody")
	assert.True(t, errors.Is(err, fakeblizzard.ErrUnknownCharacter), "%v", err)
	resp, _ := get(t, s, "", "/truth/us/nowhere/nobody")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, _ = get(t, s, "", "/truth/us/nowhere")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, _ = get(t, s, "", "/truth/xx/nowhere/nobody")
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)

	fx := start(t, fakeblizzard.Options{FixturesDir: fixturesDir})
	_, err = fx.Truth("us", "sargeras", "egirlbooster")
	assert.ErrorIs(t, err, fakeblizzard.ErrNoWorld)
	assert.Equal(t, 1, fx.Advance().Cycle, "fixtures do not move, but the cycle counts")
}
