package gear

import (
	"strings"

	"github.com/pvpsync/pvpsync/battlenet"
)

// TierSet is the class tier set a character wears.
type TierSet struct {
	ID              int64
	Name            string
	Pieces          int
	FourPieceActive bool
}

// ClassTierSet returns the class tier set with the most equipped pieces, ignoring PvP "Gladiator's"
// sets (trinket pairs that would otherwise win on ties or with a 2-piece class set). Ties go to the
// lower set id so the answer never depends on response order. false when no class set is worn.
func ClassTierSet(e *battlenet.Equipment) (TierSet, bool) {
	if e == nil {
		return TierSet{}, false
	}
	return classTierSet(equipped(e.EquippedItems), e.EquippedItemSets)
}

func classTierSet(worn []battlenet.EquippedItem, sets []battlenet.ItemSetState) (TierSet, bool) {
	listed := make(map[int64]battlenet.ItemSetState, len(sets))
	for _, s := range sets {
		if _, dup := listed[s.ItemSet.ID]; !dup {
			listed[s.ItemSet.ID] = s
		}
	}

	// Count what is actually worn: equipped_item_sets' is_equipped flags are only a fallback for
	// responses whose items carry no set block.
	found := map[int64]*TierSet{}
	fourActive := map[int64]bool{}
	for _, it := range worn {
		if it.Set == nil || it.Set.ItemSet.ID == 0 {
			continue
		}
		id := it.Set.ItemSet.ID
		ts, ok := found[id]
		if !ok {
			ts = &TierSet{ID: id}
			found[id] = ts
		}
		if ts.Name == "" {
			ts.Name = it.Set.ItemSet.Name
		}
		ts.Pieces++
		if effectActive(it.Set.Effects, 4) {
			fourActive[id] = true
		}
	}
	if len(found) == 0 {
		for id, s := range listed {
			if id == 0 {
				continue
			}
			pieces := map[int64]bool{}
			for _, m := range s.Items {
				if m.IsEquipped {
					pieces[m.Item.ID] = true
				}
			}
			if len(pieces) > 0 {
				found[id] = &TierSet{ID: id, Name: s.ItemSet.Name, Pieces: len(pieces)}
			}
		}
	}

	var best *TierSet
	for id, ts := range found {
		if s, ok := listed[id]; ok {
			if ts.Name == "" {
				ts.Name = s.ItemSet.Name
			}
			if effectActive(s.Effects, 4) {
				fourActive[id] = true
			}
		}
		if isPvPSet(ts.Name) || isPvPSet(listed[id].ItemSet.Name) {
			continue
		}
		if best == nil || ts.Pieces > best.Pieces || (ts.Pieces == best.Pieces && ts.ID < best.ID) {
			best = ts
		}
	}
	if best == nil {
		return TierSet{}, false
	}
	// The API's active flag also covers bonuses that need fewer worn pieces than usual.
	best.FourPieceActive = best.Pieces >= 4 || fourActive[best.ID]
	return *best, true
}

func effectActive(effects []battlenet.SetEffect, required int) bool {
	for _, ef := range effects {
		if ef.RequiredCount == required && ef.IsActive {
			return true
		}
	}
	return false
}

// isPvPSet spots the PvP sets by name: the API has no flag for them. Names come in the request locale;
// pvpsync requests English, where the apostrophe is sometimes typographic.
func isPvPSet(name string) bool {
	return strings.Contains(name, "Gladiator's") || strings.Contains(name, "Gladiator\u2019s")
}
