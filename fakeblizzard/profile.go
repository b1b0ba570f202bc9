package fakeblizzard

import (
	"github.com/pvpsync/pvpsync/battlenet"
)

// profileDoc is battlenet.Profile plus the links and counters the real summary carries.
type profileDoc struct {
	battlenet.Profile
	Experience        int             `json:"experience"`
	AchievementPoints int             `json:"achievement_points"`
	Achievements      *battlenet.Link `json:"achievements,omitempty"`
	Titles            *battlenet.Link `json:"titles,omitempty"`
	PvpSummary        *battlenet.Link `json:"pvp_summary,omitempty"`
	Media             *battlenet.Link `json:"media,omitempty"`
	Statistics        *battlenet.Link `json:"statistics,omitempty"`
	IsRemix           bool            `json:"is_remix"`
	NameSearch        string          `json:"name_search"`
}

func (w *world) profileDoc(s charSnap) *profileDoc {
	h := w.h
	c := s.c
	path := characterPath(c.Realm.Slug, c.Name)
	ilvl := s.gear.itemLevel()
	lm := s.profileLM()
	return &profileDoc{
		Profile: battlenet.Profile{
			Links:              battlenet.Links{Self: *h.profileLink(path)},
			ID:                 c.ID,
			Name:               c.Name,
			Gender:             &battlenet.TypeName{Type: c.Gender, Name: map[string]string{"MALE": "Male", "FEMALE": "Female"}[c.Gender]},
			Faction:            &battlenet.TypeName{Type: c.Race.Faction, Name: factionNames[c.Race.Faction]},
			Race:               ptr(h.staticRef("/data/wow/playable-race/", c.Race.Name, c.Race.ID)),
			CharacterClass:     ptr(h.staticRef("/data/wow/playable-class/", c.Class.Name, int64(c.Class.ID))),
			ActiveSpec:         ptr(specRef(h, c.ActiveSpec)),
			Realm:              w.realmRef(c),
			Level:              80,
			LastLoginTimestamp: lm.UnixMilli(),
			// Bags hold an upgrade or two, so the average is at or a little above what is worn.
			AverageItemLevel:  ilvl + int(derive(w.seed, strHash("avg-ilvl"), hashInt(c.ID), hashInt(s.equipVer))%3),
			EquippedItemLevel: ilvl,
			Equipment:         h.profileLink(path + "/equipment"),
			Specializations:   h.profileLink(path + "/specializations"),
		},
		AchievementPoints: 8000 + int(derive(w.seed, strHash("ap"), hashInt(c.ID))%18000),
		Achievements:      h.profileLink(path + "/achievements"),
		Titles:            h.profileLink(path + "/titles"),
		PvpSummary:        h.profileLink(path + "/pvp-summary"),
		Media:             h.profileLink(path + "/character-media"),
		Statistics:        h.profileLink(path + "/statistics"),
		NameSearch:        c.Name,
	}
}

func specRef(h hrefs, s battlenet.Spec) battlenet.KeyRef {
	return h.staticRef("/data/wow/playable-specialization/", s.Name, int64(s.ID))
}
