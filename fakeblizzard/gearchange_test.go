package fakeblizzard_test

import (
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/fakeblizzard"
)

// publicRanked lists the public characters ranked on the served us boards.
func publicRanked(t *testing.T, s *fakeblizzard.Server) []int64 {
	t.Helper()
	var out []int64
	for _, b := range boardsTruth(t, s) {
		for id := range b {
			if !s.IsPrivate("us", id) && !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out
}

func TestGearChangeSetsTheShareOfRegearingCharacters(t *testing.T) {
	for _, tc := range []struct {
		name              string
		active, gear      float64
		idleRegearAllowed bool
	}{
		{name: "fewer than the players: players only", active: 0.4, gear: 0.25},
		{name: "more than the players: every player, then idle ones", active: 0.2, gear: 0.5, idleRegearAllowed: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := living(105)
			o.Active, o.GearChange = tc.active, tc.gear
			s := start(t, o)
			public := publicRanked(t, s)
			// Entries before the cycle: re-ranking may push a character off every board.
			entries := map[int64]fakeblizzard.EntryTruth{}
			lmBefore := map[int64]string{}
			for _, id := range public {
				e := findEntry(t, s, id)
				entries[id] = e
				tr, err := s.Truth("us", e.RealmSlug, e.Name)
				require.NoError(t, err)
				lmBefore[id] = tr.EquipmentLastModified.String()
			}

			rep := s.Advance()
			gear, idle, played := usIDs(rep.GearChanged), usIDs(rep.IdleGearChanged), usIDs(rep.Played)
			assert.Len(t, gear, int(math.Round(tc.gear*float64(len(public)))), "GearChange is the share of the public ranked characters")
			playersPublic := len(played) - countPrivate(s, played)
			if tc.idleRegearAllowed {
				assert.Len(t, idle, len(gear)-playersPublic, "every public player regears, the rest are idle")
			} else {
				assert.Empty(t, idle, "players regear first")
			}
			for _, id := range gear {
				assert.Equal(t, slices.Contains(idle, id), !slices.Contains(played, id), "%d: idle iff it did not play", id)
			}
			for _, id := range public {
				e := entries[id]
				tr, err := s.Truth("us", e.RealmSlug, e.Name)
				require.NoError(t, err)
				assert.Equal(t, slices.Contains(gear, id), lmBefore[id] != tr.EquipmentLastModified.String(),
					"%d: its equipment moves iff it is reported as regeared", id)
			}
		})
	}
}

func TestGearChangeIsAFraction(t *testing.T) {
	o := living(106)
	o.GearChange = 1.5
	_, err := fakeblizzard.New(o)
	require.Error(t, err)
}
