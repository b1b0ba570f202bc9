package fakeblizzard

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/pvpsync/pvpsync/battlenet"
)

// source is where the answers come from: the generated world or a fixtures directory. Bodies are
// returned marshalled; errNotFound means "answer the Battle.net 404".
type source interface {
	seasonIndex(region string) ([]byte, error)
	season(region string, id int64) ([]byte, error)
	leaderboardIndex(region string, season int64) ([]byte, error)
	leaderboard(region string, season int64, bracket string, empty bool) ([]byte, error)
	entries(region string, season int64, bracket string) ([]battlenet.LeaderboardEntry, error)
	character(region, realmSlug, name, kind string) (profileSource, error)
	isPrivate(region string, id int64) bool
	brackets() []string
	changeGear(region string, brackets []string, n int) ([]int64, error)
	// advance moves every region one cycle on and reports the changes (cycle left to the caller).
	advance(active float64) AdvanceReport
	truth(region, realmSlug, name string) (CharacterTruth, error)
	boardTruth(region, bracket string) ([]EntryTruth, error)
}

// profileSource answers the three profile endpoints of one character.
type profileSource interface {
	lastModified(kind string) time.Time
	body(kind string) ([]byte, error)
}

const (
	kindProfile         = "profile"
	kindEquipment       = "equipment"
	kindSpecializations = "specializations"
)

func seasonName(id int64) string {
	names := map[int64]string{
		38: "The War Within Season 1", 39: "The War Within Season 2", 40: "The War Within Season 3",
		41: "Midnight Season 1", 42: "Midnight Season 2",
	}
	if n, ok := names[id]; ok {
		return "Player vs. Player (" + n + ")"
	}
	return fmt.Sprintf("Player vs. Player (Season %d)", id)
}

func seasonIndexDoc(h hrefs, current int64) battlenet.SeasonIndex {
	doc := battlenet.SeasonIndex{
		Links:         battlenet.Links{Self: *h.dynamicLink("/data/wow/pvp-season/")},
		CurrentSeason: battlenet.KeyRef{Key: h.dynamicLink("/data/wow/pvp-season/" + itoa(current)), ID: current},
	}
	for id := firstSeason(current); id <= current; id++ {
		doc.Seasons = append(doc.Seasons, battlenet.KeyRef{Key: h.dynamicLink("/data/wow/pvp-season/" + itoa(id)), ID: id})
	}
	return doc
}

func seasonDoc(h hrefs, id, current int64) battlenet.Season {
	doc := battlenet.Season{
		Links:                battlenet.Links{Self: *h.dynamicLink("/data/wow/pvp-season/" + itoa(id))},
		ID:                   id,
		Leaderboards:         h.dynamicLink(fmt.Sprintf("/data/wow/pvp-season/%d/pvp-leaderboard/", id)),
		Rewards:              h.dynamicLink(fmt.Sprintf("/data/wow/pvp-season/%d/pvp-reward/", id)),
		SeasonStartTimestamp: seasonStart(id).UnixMilli(),
		SeasonName:           seasonName(id),
	}
	if id < current {
		doc.SeasonEndTimestamp = seasonStart(id + 1).Add(-7 * 24 * time.Hour).UnixMilli()
	}
	return doc
}

func leaderboardIndexDoc(h hrefs, season int64, brackets []string) battlenet.LeaderboardIndex {
	doc := battlenet.LeaderboardIndex{
		Links:        battlenet.Links{Self: *h.dynamicLink(fmt.Sprintf("/data/wow/pvp-season/%d/pvp-leaderboard/", season))},
		Season:       battlenet.KeyRef{Key: h.dynamicLink("/data/wow/pvp-season/" + itoa(season)), ID: season},
		Leaderboards: []battlenet.LeaderboardLink{},
	}
	for _, b := range brackets {
		info, _ := bracketInfoFor(b)
		doc.Leaderboards = append(doc.Leaderboards, battlenet.LeaderboardLink{
			Key:  *h.dynamicLink(fmt.Sprintf("/data/wow/pvp-season/%d/pvp-leaderboard/%s", season, b)),
			Name: b,
			ID:   info.IndexID,
		})
	}
	return doc
}

func marshal(what string, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("marshal %s: %w", what, err)
	}
	return b, nil
}
