package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/pvpsync/pvpsync/forecast"
	"github.com/pvpsync/pvpsync/retry"
)

// BoardRef names one stored board of a snapshot.
type BoardRef struct {
	Bracket       string `json:"bracket"`
	LeaderboardID int64  `json:"leaderboard_id"`
}

// ForecastInput asks what a region snapshot's sync will cost, once its boards are stored.
type ForecastInput struct {
	Region     string     `json:"region"`
	SnapshotAt time.Time  `json:"snapshot_at"`
	Boards     []BoardRef `json:"boards"`
}

// ForecastResult is the plan: characters by decision (each once) and the requests they imply.
type ForecastResult struct {
	Characters forecast.Counts `json:"characters"`
	Requests   int             `json:"requests"`
}

// Forecast applies the triage rules to every character of the stored boards, writing nothing: the plan
// a region's summary sets against what the run spent.
func (a *Activities) Forecast(ctx context.Context, in ForecastInput) (ForecastResult, error) {
	var boards []forecast.Entries
	for _, b := range in.Boards {
		facts, err := a.Store.SnapshotFacts(ctx, b.LeaderboardID, in.SnapshotAt)
		if err != nil {
			return ForecastResult{}, retry.AsTemporal(ctx, fmt.Sprintf("read board %s", b.Bracket), err)
		}
		boards = append(boards, forecast.Entries{Bracket: b.Bracket, Board: b.LeaderboardID, Facts: facts})
	}
	f := forecast.Count(in.Region, in.SnapshotAt, a.now(), a.Config.Rules(), boards)
	return ForecastResult{Characters: f.Characters, Requests: f.Requests}, nil
}
