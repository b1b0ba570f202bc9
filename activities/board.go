package activities

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/store"
)

func localeOr(region, locale string) string {
	if locale == "" {
		return battlenet.DefaultLocale(region)
	}
	return locale
}

func msTime(ms int64) *time.Time {
	if ms <= 0 {
		return nil
	}
	t := time.UnixMilli(ms).UTC()
	return &t
}

// DiscoverSeason reads the current (or given) season and its leaderboard index, and stores the season.
func (a *Activities) DiscoverSeason(ctx context.Context, in DiscoverSeasonInput) (DiscoverSeasonResult, error) {
	if err := battlenet.ValidateLocale(in.Region, in.Locale); err != nil {
		return DiscoverSeasonResult{}, AsTemporal(ctx, "discover season", fmt.Errorf("%w: %v", store.ErrInvalidRow, err))
	}
	locale := localeOr(in.Region, in.Locale)
	res := DiscoverSeasonResult{Season: in.Season}
	if res.Season == 0 {
		idx, err := a.Battlenet.SeasonIndex(ctx, in.Region, locale)
		res.Requests++
		if err != nil {
			return res, AsTemporal(ctx, "read season index", err)
		}
		res.Season = idx.CurrentSeason.ID
	}
	season, err := a.Battlenet.Season(ctx, in.Region, locale, res.Season)
	res.Requests++
	if err != nil {
		return res, AsTemporal(ctx, fmt.Sprintf("read season %d", res.Season), err)
	}
	res.SeasonName = season.SeasonName
	index, err := a.Battlenet.LeaderboardIndex(ctx, in.Region, locale, res.Season)
	res.Requests++
	if err != nil {
		return res, AsTemporal(ctx, fmt.Sprintf("read leaderboard index of season %d", res.Season), err)
	}
	for _, l := range index.Leaderboards {
		res.Brackets = append(res.Brackets, l.Name)
	}
	if _, err := a.Store.UpsertSeason(ctx, store.Season{
		BlizzardID: res.Season, Name: season.SeasonName,
		StartsAt: msTime(season.SeasonStartTimestamp), EndsAt: msTime(season.SeasonEndTimestamp),
	}); err != nil {
		return res, AsTemporal(ctx, "store season", err)
	}
	return res, nil
}

// SaveBoard fetches one board and stores its characters and entries in one transaction. An empty board
// is a Battle.net glitch: nothing is written and the previous snapshot stays the latest.
func (a *Activities) SaveBoard(ctx context.Context, in SaveBoardInput) (SaveBoardResult, error) {
	if err := battlenet.ValidateBracket(in.Bracket); err != nil {
		return SaveBoardResult{}, AsTemporal(ctx, "save board", fmt.Errorf("%w: %v", store.ErrInvalidRow, err))
	}
	res := SaveBoardResult{Requests: 1}
	board, err := a.Battlenet.Leaderboard(ctx, in.Region, localeOr(in.Region, in.Locale), in.Season, in.Bracket)
	if err != nil {
		return res, AsTemporal(ctx, fmt.Sprintf("read board %s/%s", in.Region, in.Bracket), err)
	}
	seasonID, err := a.Store.UpsertSeason(ctx, store.Season{BlizzardID: in.Season})
	if err != nil {
		return res, AsTemporal(ctx, "store season", err)
	}
	res.LeaderboardID, err = a.Store.UpsertLeaderboard(ctx, seasonID, in.Region, in.Bracket)
	if err != nil {
		return res, AsTemporal(ctx, "store leaderboard", err)
	}
	if len(board.Entries) == 0 {
		res.Empty = true
		prev, _, ok, err := a.Store.LatestSnapshot(ctx, res.LeaderboardID)
		if err != nil {
			return res, AsTemporal(ctx, "read latest snapshot", err)
		}
		if ok {
			res.PreviousSnapshot = &prev
		}
		a.log().Warn("empty board from Battle.net: nothing stored", zap.String("region", in.Region), zap.String("bracket", in.Bracket))
		return res, nil
	}
	specID, _ := battlenet.BracketSpecID(in.Bracket)
	entries := make([]store.BoardEntry, 0, len(board.Entries))
	for _, e := range board.Entries {
		entries = append(entries, store.BoardEntry{
			BlizzardID: e.Character.ID, Name: e.Character.Name, RealmSlug: e.Character.Realm.Slug,
			Faction: e.Faction.Type, Rank: e.Rank, Rating: e.Rating,
			Wins: e.SeasonMatchStatistics.Won, Losses: e.SeasonMatchStatistics.Lost, SpecID: specID,
		})
	}
	saved, err := a.Store.SaveBoard(ctx, store.SaveBoardInput{
		LeaderboardID: res.LeaderboardID, Region: in.Region, SnapshotAt: in.SnapshotAt, Entries: entries,
	})
	if err != nil {
		return res, AsTemporal(ctx, fmt.Sprintf("store board %s/%s", in.Region, in.Bracket), err)
	}
	res.Entries, res.Characters, res.Inserted = saved.Entries, saved.Characters, saved.Inserted
	a.log().Info("board stored", zap.String("region", in.Region), zap.String("bracket", in.Bracket),
		zap.Int("entries", saved.Entries), zap.Int("inserted", saved.Inserted), zap.Int("duplicates_dropped", saved.DuplicatesDropped))
	return res, nil
}

// LoadRoster reads one page of a board snapshot, by rank.
func (a *Activities) LoadRoster(ctx context.Context, in RosterInput) (RosterResult, error) {
	rows, err := a.Store.RosterPage(ctx, in.LeaderboardID, in.SnapshotAt,
		store.RosterCursor{AfterRank: in.After.Rank, AfterCharacterID: in.After.CharacterID}, in.Limit)
	if err != nil {
		return RosterResult{}, AsTemporal(ctx, "load roster", err)
	}
	out := RosterResult{Characters: make([]RosterCharacter, len(rows))}
	for i, r := range rows {
		out.Characters[i] = RosterCharacter{CharacterID: r.CharacterID, BlizzardID: r.BlizzardID, Rank: r.Rank, SpecID: r.SpecID}
	}
	return out, nil
}

func (a *Activities) log() *zap.Logger {
	if a.Log == nil {
		return zap.NewNop()
	}
	return a.Log
}
