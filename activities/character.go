package activities

import (
	"context"
	"errors"
	"fmt"

	"go.uber.org/zap"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/gear"
	"github.com/pvpsync/pvpsync/retry"
	"github.com/pvpsync/pvpsync/store"
	"github.com/pvpsync/pvpsync/triage"
)

// PrepareCharacter makes the last decision right before a character's requests, with the same rules as
// the page planner: between the two, another board may have synced the character. An idle or reusable
// character is written here and needs nothing more.
func (a *Activities) PrepareCharacter(ctx context.Context, in PrepareInput) (PrepareResult, error) {
	f, err := a.Store.CharacterFacts(ctx, in.CharacterID, in.SnapshotAt)
	if err != nil {
		return PrepareResult{}, retry.AsTemporal(ctx, "prepare character", err)
	}
	d := triage.Decide(f.Facts, in.SnapshotAt, in.LeaderboardID, a.now(), a.Config.Rules())
	res := PrepareResult{
		Outcome: d.Outcome, Region: f.Region, Name: f.Name, RealmSlug: f.RealmSlug, RefreshProfile: d.RefreshProfile,
		EquipmentLastModified: f.EquipmentLastModified, SpecializationsLastModified: f.SpecializationsLastModified,
	}
	if d.Outcome == triage.Idle || d.Outcome == triage.Reused {
		claimed, err := a.Store.CopyState(ctx, in.SnapshotAt, in.LeaderboardID, []store.Claim{{CharacterID: in.CharacterID, Outcome: d.Outcome}})
		if err != nil {
			return res, retry.AsTemporal(ctx, "write idle character", err)
		}
		if len(claimed) == 0 {
			res.Outcome = triage.Deduplicated
		}
	}
	return res, nil
}

// FetchEquipment makes one equipment request (conditional on the stored Last-Modified). A 200 body is
// decoded and validated once, summarised, and stored with its gear build; only the build id crosses
// Temporal history.
func (a *Activities) FetchEquipment(ctx context.Context, in FetchInput) (FetchResult, error) {
	ctx, bn, err := a.client(ctx, in.Credential)
	if err != nil {
		return FetchResult{}, err
	}
	eq, resp, err := bn.Equipment(ctx, in.Region, localeOr(in.Region, in.Locale), in.RealmSlug, in.Name, in.IfModifiedSince)
	res, done, err := fetchStatus(ctx, in, "equipment", err)
	if done {
		return res, err
	}
	g, err := gear.Summarize(eq)
	if err != nil {
		return res, retry.AsTemporal(ctx, "summarize equipment", fmt.Errorf("%w: %v", battlenet.ErrDecode, err))
	}
	if res.BuildID, err = a.Store.SaveEquipment(ctx, in.CharacterID, resp.Body, resp.LastModified, g); err != nil {
		return res, retry.AsTemporal(ctx, "store equipment", err)
	}
	res.Status, res.LastModified = StatusFetched, resp.LastModified
	return res, nil
}

// FetchSpecializations makes one specializations request. A 200 body is decoded once and every spec's
// loadout stored; the loadout ids, the active spec and the class cross history.
func (a *Activities) FetchSpecializations(ctx context.Context, in FetchInput) (FetchResult, error) {
	ctx, bn, err := a.client(ctx, in.Credential)
	if err != nil {
		return FetchResult{}, err
	}
	sp, resp, err := bn.Specializations(ctx, in.Region, localeOr(in.Region, in.Locale), in.RealmSlug, in.Name, in.IfModifiedSince)
	res, done, err := fetchStatus(ctx, in, "specializations", err)
	if done {
		return res, err
	}
	loadouts, active := gear.Loadouts(sp)
	if res.Loadouts, err = a.Store.SaveSpecializations(ctx, in.CharacterID, resp.Body, resp.LastModified, loadouts); err != nil {
		return res, retry.AsTemporal(ctx, "store specializations", err)
	}
	res.Status, res.LastModified, res.ActiveSpecID, res.ClassID = StatusFetched, resp.LastModified, active, gear.ClassOf(sp)
	return res, nil
}

// fetchStatus turns a request's error into the result of a fetch that is over (304, 404, failure), or
// says the body is there to process.
func fetchStatus(ctx context.Context, in FetchInput, side string, err error) (res FetchResult, done bool, _ error) {
	res = FetchResult{Requests: 1}
	switch {
	case errors.Is(err, battlenet.ErrNotModified):
		res.Status, res.LastModified = StatusNotModified, in.IfModifiedSince
		return res, true, nil
	case errors.Is(err, battlenet.ErrNotFound):
		res.Status = StatusNotFound
		return res, true, nil
	case err != nil:
		return res, true, retry.AsTemporal(ctx, fmt.Sprintf("fetch %s of %s-%s", side, in.Name, in.RealmSlug), err)
	}
	return res, false, nil
}

// FetchProfile refreshes class, race, faction and the rest of the profile summary; a 404 marks the
// character private, so later runs skip it without a request.
func (a *Activities) FetchProfile(ctx context.Context, in FetchInput) (FetchResult, error) {
	ctx, bn, err := a.client(ctx, in.Credential)
	if err != nil {
		return FetchResult{}, err
	}
	p, _, err := bn.Profile(ctx, in.Region, localeOr(in.Region, in.Locale), in.RealmSlug, in.Name, "")
	res := FetchResult{Requests: 1}
	switch {
	case errors.Is(err, battlenet.ErrNotFound):
		res.Status = StatusNotFound
		if err := a.Store.MarkPrivate(ctx, in.CharacterID); err != nil {
			return res, retry.AsTemporal(ctx, "mark private", err)
		}
		return res, nil
	case err != nil:
		return res, retry.AsTemporal(ctx, fmt.Sprintf("fetch profile of %s-%s", in.Name, in.RealmSlug), err)
	}
	m := store.ProfileMeta{Level: p.Level, ItemLevel: p.EquippedItemLevel, LastLoginAt: msTime(p.LastLoginTimestamp)}
	if p.CharacterClass != nil {
		m.ClassID = int(p.CharacterClass.ID)
	}
	if p.Race != nil {
		m.RaceID, m.Race = int(p.Race.ID), p.Race.Name
	}
	if p.Faction != nil {
		m.Faction = p.Faction.Type
	}
	if p.ActiveSpec != nil {
		m.ActiveSpecID = int(p.ActiveSpec.ID)
	}
	if err := a.Store.SaveProfile(ctx, in.CharacterID, m); err != nil {
		return res, retry.AsTemporal(ctx, "store profile", err)
	}
	res.Status = StatusFetched
	return res, nil
}

// MarkUnreadable records a gear 404: no request for the character during the cooldown.
func (a *Activities) MarkUnreadable(ctx context.Context, in MarkInput) error {
	err := a.Store.MarkUnavailable(ctx, in.CharacterID, a.now().Add(a.Config.UnavailableCooldown))
	return retry.AsTemporal(ctx, "mark character unavailable", err)
}

// CommitCharacter moves the character's state to what its requests answered and writes it onto the
// snapshot's entries, in one transaction: no JSON is parsed here, the fetch activities did that.
func (a *Activities) CommitCharacter(ctx context.Context, in CommitInput) (CommitResult, error) {
	eq, sp := in.Equipment, in.Specializations
	c := store.Commit{CharacterID: in.CharacterID, SnapshotAt: in.SnapshotAt, LeaderboardID: in.LeaderboardID, Outcome: in.Outcome,
		Equipment: store.EquipmentCommit{Answered: answered(eq)},
		Talents:   store.TalentsCommit{Answered: answered(sp)},
	}
	if eq.Status == StatusFetched {
		c.Equipment.BuildID, c.Equipment.LastModified = eq.BuildID, eq.LastModified
	}
	if sp.Status == StatusFetched {
		c.Talents = store.TalentsCommit{Answered: true, Fetched: true, Loadouts: sp.Loadouts,
			ActiveSpecID: sp.ActiveSpecID, ClassID: sp.ClassID, LastModified: sp.LastModified}
	}
	n, err := a.Store.CommitCharacter(ctx, c)
	if err != nil {
		return CommitResult{}, retry.AsTemporal(ctx, "commit character", err)
	}
	if n == 0 {
		a.log().Warn("character committed with no entry at the snapshot", zap.Int64("character_id", in.CharacterID),
			zap.Time("snapshot_at", in.SnapshotAt))
	}
	return CommitResult{Entries: n}, nil
}

func answered(r FetchResult) bool {
	return r.Status == StatusFetched || r.Status == StatusNotModified
}

// BoardFreshness marks the board's snapshot complete and measures how stale the gear of its ranked,
// readable characters is.
func (a *Activities) BoardFreshness(ctx context.Context, in FreshnessInput) (FreshnessResult, error) {
	age, err := a.Store.FinishBoard(ctx, in.LeaderboardID, in.SnapshotAt, a.now())
	if err != nil {
		return FreshnessResult{}, retry.AsTemporal(ctx, "measure gear freshness", err)
	}
	return FreshnessResult{OldestGearSeconds: int64(age.Seconds())}, nil
}
