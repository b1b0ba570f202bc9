package gear

import (
	"cmp"
	"slices"

	"github.com/pvpsync/pvpsync/battlenet"
)

// Talent is one selected talent node. TalentID and Name are zero when Battle.net omits the tooltip,
// which it does for some nodes.
type Talent struct {
	NodeID   int64
	TalentID int64
	Name     string
	Rank     int
}

// PvpTalent is one selected PvP talent; Slot is the API's slot_number.
type PvpTalent struct {
	Slot     int
	TalentID int64
	Name     string
}

// Loadout is the talent build pvpsync records for a leaderboard entry. The talent slices are never
// nil, so they encode as [] rather than null.
type Loadout struct {
	SpecID       int
	SpecName     string
	ClassID      int  // from battlenet.SpecByID; 0 for a spec the table does not know
	Active       bool // the chosen loadout is the spec's active one (is_active)
	Code         string
	HeroTreeID   int64
	HeroTreeName string
	Class        []Talent
	Spec         []Talent
	Hero         []Talent
	Pvp          []PvpTalent // sorted by slot
}

// SelectLoadout picks the loadout that matters for a board. specID > 0 is the board's spec (shuffle and
// blitz boards rank a spec, which need not be the one the player logged out in); specID 0 means the
// character's active specialization. Within the spec: the active loadout, else the first with talents,
// else the first loadout at all (no talents). The hero tree is the loadout's own; when it has none and
// the spec is the active one, the character's active hero tree. false when the spec is not in the
// response.
func SelectLoadout(s *battlenet.Specializations, specID int) (Loadout, bool) {
	if s == nil || specID < 0 {
		return Loadout{}, false
	}
	activeSpec := 0
	if s.ActiveSpecialization != nil {
		activeSpec = int(s.ActiveSpecialization.ID)
	}
	if specID == 0 {
		specID = activeSpec
	}
	if specID <= 0 {
		return Loadout{}, false
	}
	i := slices.IndexFunc(s.Specializations, func(d battlenet.SpecDetail) bool {
		return d.Specialization.ID == int64(specID)
	})
	if i < 0 {
		return Loadout{}, false
	}
	detail := s.Specializations[i]

	out := Loadout{
		SpecID:   specID,
		SpecName: detail.Specialization.Name,
		Class:    []Talent{},
		Spec:     []Talent{},
		Hero:     []Talent{},
		Pvp:      pvpTalents(detail.PvpTalentSlots),
	}
	if known, ok := battlenet.SpecByID(specID); ok {
		out.ClassID = known.ClassID
		if out.SpecName == "" {
			out.SpecName = known.Name
		}
	}

	var hero *battlenet.KeyRef
	if lo := chooseLoadout(detail.Loadouts); lo != nil {
		out.Active = lo.IsActive
		if lo.TalentLoadoutCode != nil {
			out.Code = *lo.TalentLoadoutCode
		}
		out.Class = talents(lo.SelectedClassTalents)
		out.Spec = talents(lo.SelectedSpecTalents)
		out.Hero = talents(lo.SelectedHeroTalents)
		hero = lo.SelectedHeroTalentTree
	}
	// The top-level hero tree belongs to the active spec only; borrowing it for another spec would
	// credit that spec with a tree it may not use.
	if (hero == nil || hero.ID == 0) && specID == activeSpec {
		hero = s.ActiveHeroTalentTree
	}
	if hero != nil {
		out.HeroTreeID = hero.ID
		out.HeroTreeName = hero.Name
	}
	return out, true
}

func chooseLoadout(los []battlenet.Loadout) *battlenet.Loadout {
	for i := range los {
		if los[i].IsActive {
			return &los[i]
		}
	}
	for i := range los {
		l := &los[i]
		if len(l.SelectedClassTalents)+len(l.SelectedSpecTalents)+len(l.SelectedHeroTalents) > 0 {
			return l
		}
	}
	if len(los) > 0 {
		return &los[0]
	}
	return nil
}

func talents(sel []battlenet.SelectedTalent) []Talent {
	out := make([]Talent, 0, len(sel))
	for _, t := range sel {
		tal := Talent{NodeID: t.ID, Rank: t.Rank}
		if t.Tooltip != nil {
			tal.TalentID = t.Tooltip.Talent.ID
			tal.Name = t.Tooltip.Talent.Name
		}
		out = append(out, tal)
	}
	return out
}

func pvpTalents(slots []battlenet.PvpTalentSlot) []PvpTalent {
	out := make([]PvpTalent, 0, len(slots))
	for _, sl := range slots {
		if sl.Selected.Talent.ID == 0 {
			continue // an unfilled slot is not a talent
		}
		out = append(out, PvpTalent{Slot: sl.SlotNumber, TalentID: sl.Selected.Talent.ID, Name: sl.Selected.Talent.Name})
	}
	slices.SortStableFunc(out, func(a, b PvpTalent) int { return cmp.Compare(a.Slot, b.Slot) })
	return out
}

// ClassOf derives the character's class from any specialization in the response (the endpoint has no
// class field); 0 when none is in the spec table.
func ClassOf(s *battlenet.Specializations) int {
	if s == nil {
		return 0
	}
	if s.ActiveSpecialization != nil {
		if known, ok := battlenet.SpecByID(int(s.ActiveSpecialization.ID)); ok {
			return known.ClassID
		}
	}
	for _, d := range s.Specializations {
		if known, ok := battlenet.SpecByID(int(d.Specialization.ID)); ok {
			return known.ClassID
		}
	}
	return 0
}
