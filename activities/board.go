package activities

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.uber.org/zap"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/retry"
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

// Routes names the credentials allowed to serve a region. No credential for the region is a
// configuration error: the sync fails at once rather than waiting on a queue nobody polls.
func (a *Activities) Routes(_ context.Context, in RoutesInput) (RoutesResult, error) {
	names := a.Battlenet.ForRegion(in.Region)
	if len(names) == 0 {
		return RoutesResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("no Battle.net credential may serve region %q (check the regions column of BLIZZARD_CREDENTIALS)", in.Region),
			retry.ErrTypeNoCredential, nil)
	}
	return RoutesResult{Credentials: names, Scope: a.Battlenet.Config().QuotaScope}, nil
}

// client is the Battle.net client of a credential. The request context carries the process budget when
// the activity runs locally (local_fetch): it bypassed the credential's rate-limited task queue.
func (a *Activities) client(ctx context.Context, credential string) (context.Context, *battlenet.Client, error) {
	c, ok := a.Battlenet.Get(credential)
	if !ok {
		return ctx, nil, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("unknown Battle.net credential %q on this worker", credential), retry.ErrTypeNoCredential, nil)
	}
	if activity.IsActivity(ctx) && activity.GetInfo(ctx).IsLocalActivity {
		ctx = battlenet.WithProcessBudget(ctx)
	}
	return ctx, c, nil
}

// DiscoverSeason reads the current (or given) season and its leaderboard index, and stores the season.
func (a *Activities) DiscoverSeason(ctx context.Context, in DiscoverSeasonInput) (DiscoverSeasonResult, error) {
	ctx, bn, err := a.client(ctx, in.Credential)
	if err != nil {
		return DiscoverSeasonResult{}, err
	}
	locale := localeOr(in.Region, in.Locale)
	res := DiscoverSeasonResult{Season: in.Season}
	if res.Season == 0 {
		idx, err := bn.SeasonIndex(ctx, in.Region, locale)
		res.Requests++
		if err != nil {
			return res, retry.AsTemporal(ctx, "read season index", err)
		}
		res.Season = idx.CurrentSeason.ID
	}
	season, err := bn.Season(ctx, in.Region, locale, res.Season)
	res.Requests++
	if err != nil {
		return res, retry.AsTemporal(ctx, fmt.Sprintf("read season %d", res.Season), err)
	}
	res.SeasonName = season.SeasonName
	index, err := bn.LeaderboardIndex(ctx, in.Region, locale, res.Season)
	res.Requests++
	if err != nil {
		return res, retry.AsTemporal(ctx, fmt.Sprintf("read leaderboard index of season %d", res.Season), err)
	}
	for _, l := range index.Leaderboards {
		res.Brackets = append(res.Brackets, l.Name)
	}
	if _, err := a.Store.UpsertSeason(ctx, store.Season{
		BlizzardID: res.Season, Name: season.SeasonName,
		StartsAt: msTime(season.SeasonStartTimestamp), EndsAt: msTime(season.SeasonEndTimestamp),
	}); err != nil {
		return res, retry.AsTemporal(ctx, "store season", err)
	}
	if err := a.Store.SaveSpecs(ctx, battlenet.Specs); err != nil {
		return res, retry.AsTemporal(ctx, "store the spec catalogue", err)
	}
	return res, nil
}

// SaveBoard fetches one board and stores its characters and entries in one transaction. An empty board
// is a Battle.net glitch: nothing is written and the previous snapshot stays the latest.
func (a *Activities) SaveBoard(ctx context.Context, in SaveBoardInput) (SaveBoardResult, error) {
	ctx, bn, err := a.client(ctx, in.Credential)
	if err != nil {
		return SaveBoardResult{}, err
	}
	res := SaveBoardResult{Requests: 1}
	board, err := bn.Leaderboard(ctx, in.Region, localeOr(in.Region, in.Locale), in.Season, in.Bracket)
	if err != nil {
		return res, retry.AsTemporal(ctx, fmt.Sprintf("read board %s/%s", in.Region, in.Bracket), err)
	}
	seasonID, err := a.Store.UpsertSeason(ctx, store.Season{BlizzardID: in.Season})
	if err != nil {
		return res, retry.AsTemporal(ctx, "store season", err)
	}
	res.LeaderboardID, err = a.Store.UpsertLeaderboard(ctx, seasonID, in.Region, in.Bracket)
	if err != nil {
		return res, retry.AsTemporal(ctx, "store leaderboard", err)
	}
	if len(board.Entries) == 0 {
		res.Empty = true
		prev, _, ok, err := a.Store.LatestSnapshot(ctx, res.LeaderboardID)
		if err != nil {
			return res, retry.AsTemporal(ctx, "read latest snapshot", err)
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
		return res, retry.AsTemporal(ctx, fmt.Sprintf("store board %s/%s", in.Region, in.Bracket), err)
	}
	res.Entries, res.Characters, res.Inserted = saved.Entries, saved.Characters, saved.Inserted
	a.log().Info("board stored", zap.String("region", in.Region), zap.String("bracket", in.Bracket),
		zap.Int("entries", saved.Entries), zap.Int("inserted", saved.Inserted), zap.Int("duplicates_dropped", saved.DuplicatesDropped))
	return res, nil
}
