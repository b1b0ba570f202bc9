package activities

import (
	"context"
	"fmt"

	"github.com/pvpsync/pvpsync/retry"
	"github.com/pvpsync/pvpsync/store"
	"github.com/pvpsync/pvpsync/triage"
)

// PlanPage decides a whole roster page before any fan-out: one query reads the page with every
// character's facts, the triage rules classify them, and one statement writes the entries of every
// idle or reusable character. Only characters that need Battle.net requests come back, to become
// SyncCharacter children; the rest cost neither a request nor a workflow.
func (a *Activities) PlanPage(ctx context.Context, in PlanInput) (PlanResult, error) {
	page, err := a.Store.PlanPage(ctx, in.LeaderboardID, in.SnapshotAt,
		store.RosterCursor{AfterRank: in.After.Rank, AfterCharacterID: in.After.CharacterID}, in.Limit)
	if err != nil {
		return PlanResult{}, retry.AsTemporal(ctx, "plan roster page", err)
	}
	res := PlanResult{Rows: len(page)}
	if len(page) == 0 {
		return res, nil
	}
	last := page[len(page)-1]
	res.Last = Cursor{Rank: last.Rank, CharacterID: last.CharacterID}

	now, rules := a.now(), a.Config.Rules()
	var claims []store.Claim
	outcome := map[int64]string{}
	for _, f := range page {
		d := triage.Decide(f.Facts, in.SnapshotAt, in.LeaderboardID, now, rules)
		outcome[f.CharacterID] = d.Outcome
		switch d.Outcome {
		case triage.Fetch:
			res.Fetch = append(res.Fetch, FetchCharacter{CharacterID: f.CharacterID, BlizzardID: f.BlizzardID,
				Name: f.Name, RealmSlug: f.RealmSlug, Rank: f.Rank, Reason: d.Reason})
		case triage.Idle, triage.Reused:
			claims = append(claims, store.Claim{CharacterID: f.CharacterID, Outcome: d.Outcome})
		}
	}
	claimed, err := a.Store.CopyState(ctx, in.SnapshotAt, in.LeaderboardID, claims)
	if err != nil {
		return PlanResult{}, retry.AsTemporal(ctx, fmt.Sprintf("write %d idle or reused characters", len(claims)), err)
	}
	won := make(map[int64]bool, len(claimed))
	for _, id := range claimed {
		won[id] = true
	}
	for _, c := range claims {
		if !won[c.CharacterID] {
			// Another board's planner claimed it a moment ago: handled once, there.
			outcome[c.CharacterID] = triage.Deduplicated
		}
	}
	for _, o := range outcome {
		switch o {
		case triage.Idle:
			res.Idle++
		case triage.Reused:
			res.Reused++
		case triage.Private:
			res.Private++
		case triage.Unavailable:
			res.Unavailable++
		case triage.Deduplicated:
			res.Deduplicated++
		}
	}
	return res, nil
}
