package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/gear"
	"github.com/pvpsync/pvpsync/store"
)

// PrepareCharacter decides, from PostgreSQL alone, what a character sync must do: skip (private, in a
// cooldown, already processed for this snapshot), reuse a fresh snapshot, or fetch with the stored
// Last-Modified values.
func (a *Activities) PrepareCharacter(ctx context.Context, in PrepareInput) (PrepareResult, error) {
	c, err := a.Store.Character(ctx, in.CharacterID)
	if err != nil {
		return PrepareResult{}, AsTemporal(ctx, "prepare character", err)
	}
	res := PrepareResult{
		Region: c.Region, Name: c.Name, RealmSlug: c.RealmSlug,
		EquipmentLastModified: c.EquipmentLastModified, SpecializationsLastModified: c.SpecializationsLastModified,
	}
	now := a.now()
	if (c.IsPrivate || (c.UnavailableUntil != nil && c.UnavailableUntil.After(now))) &&
		c.UnreadableAt != nil && !c.UnreadableAt.Before(in.SnapshotAt) {
		// Marked by another board's workflow during this very run: already handled, count it once.
		res.Skip = SkipDone
		return res, nil
	}
	switch {
	case c.IsPrivate:
		res.Skip = SkipPrivate
		return res, nil
	case c.UnavailableUntil != nil && c.UnavailableUntil.After(now):
		res.Skip = SkipCooldown
		return res, nil
	}
	entries, err := a.Store.SnapshotEntries(ctx, in.CharacterID, in.SnapshotAt)
	if err != nil {
		return res, AsTemporal(ctx, "read snapshot entries", err)
	}
	if allProcessed(entries) {
		// Another board's character workflow already wrote every entry of this snapshot.
		res.Skip = SkipDone
		return res, nil
	}
	reuse, ok, err := a.Store.LatestReusableEquipment(ctx, in.CharacterID, now.Add(-a.Config.EquipmentTTL))
	if err != nil {
		return res, AsTemporal(ctx, "find reusable snapshot", err)
	}
	if ok && !reuse.SnapshotAt.Equal(in.SnapshotAt) {
		res.ReuseEntryID = reuse.EntryID
	}
	res.RefreshProfile = c.ClassID == 0 || c.RaceID == 0 || c.Faction == "" ||
		c.MetaSyncedAt == nil || c.MetaSyncedAt.Before(now.Add(-a.Config.CharacterMetaTTL))
	if res.ReuseEntryID > 0 {
		// A reused snapshot makes no request at all, the profile included; it is refreshed on the next fetch.
		res.RefreshProfile = false
	}
	return res, nil
}

func allProcessed(entries []store.SnapshotEntry) bool {
	for _, e := range entries {
		if !e.EquipmentProcessed {
			return false
		}
	}
	return len(entries) > 0
}

// FetchEquipment makes one equipment request (conditional on the stored Last-Modified) and stores the raw
// JSON in PostgreSQL; only the status crosses Temporal history.
func (a *Activities) FetchEquipment(ctx context.Context, in FetchInput) (FetchResult, error) {
	_, resp, err := a.Battlenet.Equipment(ctx, in.Region, localeOr(in.Region, in.Locale), in.RealmSlug, in.Name, in.IfModifiedSince)
	return a.storeFetched(ctx, in, store.SideEquipment, resp, err)
}

// FetchSpecializations is FetchEquipment for talents.
func (a *Activities) FetchSpecializations(ctx context.Context, in FetchInput) (FetchResult, error) {
	_, resp, err := a.Battlenet.Specializations(ctx, in.Region, localeOr(in.Region, in.Locale), in.RealmSlug, in.Name, in.IfModifiedSince)
	return a.storeFetched(ctx, in, store.SideSpecializations, resp, err)
}

func (a *Activities) storeFetched(ctx context.Context, in FetchInput, side store.Side, resp battlenet.Response, err error) (FetchResult, error) {
	res := FetchResult{Requests: 1}
	switch {
	case errors.Is(err, battlenet.ErrNotModified):
		res.Status, res.LastModified = StatusNotModified, in.IfModifiedSince
		return res, nil
	case errors.Is(err, battlenet.ErrNotFound):
		res.Status = StatusNotFound
		return res, nil
	case err != nil:
		return res, AsTemporal(ctx, fmt.Sprintf("fetch %s of %s-%s", side, in.Name, in.RealmSlug), err)
	}
	if _, err := a.Store.StoreRaw(ctx, in.CharacterID, in.SnapshotAt, side, resp.Body); err != nil {
		return res, AsTemporal(ctx, fmt.Sprintf("store raw %s", side), err)
	}
	res.Status, res.LastModified = StatusFetched, resp.LastModified
	return res, nil
}

// FetchProfile refreshes class, race, faction and the rest of the profile summary; a 404 marks the
// character private, so later runs skip it without a request.
func (a *Activities) FetchProfile(ctx context.Context, in FetchInput) (FetchResult, error) {
	p, _, err := a.Battlenet.Profile(ctx, in.Region, localeOr(in.Region, in.Locale), in.RealmSlug, in.Name, "")
	res := FetchResult{Requests: 1}
	switch {
	case errors.Is(err, battlenet.ErrNotFound):
		res.Status = StatusNotFound
		if err := a.Store.MarkPrivate(ctx, in.CharacterID); err != nil {
			return res, AsTemporal(ctx, "mark private", err)
		}
		return res, nil
	case err != nil:
		return res, AsTemporal(ctx, fmt.Sprintf("fetch profile of %s-%s", in.Name, in.RealmSlug), err)
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
		return res, AsTemporal(ctx, "store profile", err)
	}
	res.Status = StatusFetched
	return res, nil
}

// MarkUnreadable records a 404: private (profile) or unavailable for the cooldown (gear).
func (a *Activities) MarkUnreadable(ctx context.Context, in MarkInput) error {
	var err error
	if in.Private {
		err = a.Store.MarkPrivate(ctx, in.CharacterID)
	} else {
		err = a.Store.MarkUnavailable(ctx, in.CharacterID, a.now().Add(a.Config.UnavailableCooldown))
	}
	return AsTemporal(ctx, "mark character unreadable", err)
}

// ProcessCharacter turns the stored payloads into rows: items, entry items, item level and tier set on
// the equipment side; spec, hero tree and talents on the other. One transaction per side.
func (a *Activities) ProcessCharacter(ctx context.Context, in ProcessInput) (ProcessResult, error) {
	var res ProcessResult
	if err := a.processEquipment(ctx, in, &res); err != nil {
		return res, err
	}
	if err := a.processSpecializations(ctx, in, &res); err != nil {
		return res, err
	}
	return res, nil
}

func (a *Activities) processEquipment(ctx context.Context, in ProcessInput, res *ProcessResult) error {
	switch in.Equipment.Source {
	case SourceSkip:
		return nil
	case SourceReuse:
		n, err := a.Store.CopyEquipment(ctx, in.Equipment.ReuseEntryID, in.CharacterID, in.SnapshotAt)
		res.Entries = n
		return AsTemporal(ctx, "copy reused equipment", err)
	}
	raw, ok, err := a.latestRaw(ctx, in.CharacterID, store.SideEquipment)
	if err != nil || !ok {
		return err
	}
	eq, err := battlenet.DecodeEquipment(raw)
	if err != nil {
		return AsTemporal(ctx, "decode stored equipment", err)
	}
	g, err := gear.Summarize(eq)
	if err != nil {
		return AsTemporal(ctx, "summarize equipment", fmt.Errorf("%w: %v", battlenet.ErrDecode, err))
	}
	lastModified := ""
	if in.Equipment.Source == SourceFetched {
		lastModified = in.Equipment.LastModified
	}
	n, err := a.Store.SaveEquipment(ctx, in.CharacterID, in.SnapshotAt, a.now(), toStoreEquipment(g), lastModified)
	if err != nil {
		return AsTemporal(ctx, "store equipment", err)
	}
	res.Entries, res.ItemLevel = n, g.ItemLevel
	if g.TierSet != nil {
		res.TierSet, res.TierPieces = g.TierSet.Name, g.TierSet.Pieces
	}
	return nil
}

func (a *Activities) processSpecializations(ctx context.Context, in ProcessInput, res *ProcessResult) error {
	if in.Specializations.Source == SourceSkip {
		return nil
	}
	raw, ok, err := a.latestRaw(ctx, in.CharacterID, store.SideSpecializations)
	if err != nil || !ok {
		return err
	}
	sp, err := battlenet.DecodeSpecializations(raw)
	if err != nil {
		return AsTemporal(ctx, "decode stored specializations", err)
	}
	entries, err := a.Store.SnapshotEntries(ctx, in.CharacterID, in.SnapshotAt)
	if err != nil {
		return AsTemporal(ctx, "read snapshot entries", err)
	}
	rows := make([]store.EntrySpec, 0, len(entries))
	for _, e := range entries {
		// Each entry gets the loadout of its own board's spec: a shuffle-mage-frost entry shows frost
		// talents even if the player logged out as fire.
		lo, ok := gear.SelectLoadout(sp, e.SpecID)
		if !ok {
			res.MissingSpecs++
			continue
		}
		talents, err := json.Marshal(map[string][]gear.Talent{"class": lo.Class, "spec": lo.Spec, "hero": lo.Hero})
		if err != nil {
			return AsTemporal(ctx, "encode talents", err)
		}
		pvp, err := json.Marshal(lo.Pvp)
		if err != nil {
			return AsTemporal(ctx, "encode pvp talents", err)
		}
		rows = append(rows, store.EntrySpec{EntryID: e.ID, SpecID: lo.SpecID, HeroTreeID: lo.HeroTreeID,
			HeroTreeName: lo.HeroTreeName, LoadoutCode: lo.Code, Talents: talents, PvpTalents: pvp})
	}
	lastModified := ""
	if in.Specializations.Source == SourceFetched {
		lastModified = in.Specializations.LastModified
	}
	n, err := a.Store.SaveSpecializations(ctx, in.CharacterID, a.now(), rows, gear.ClassOf(sp), lastModified)
	if err != nil {
		return AsTemporal(ctx, "store specializations", err)
	}
	res.SpecEntries = n
	if res.MissingSpecs > 0 {
		a.log().Info("board spec missing from specializations", zap.Int64("character_id", in.CharacterID), zap.Int("entries", res.MissingSpecs))
	}
	return nil
}

// latestRaw reads the newest stored payload of a side; none stored (never fetched) is not an error,
// the side is simply left alone.
func (a *Activities) latestRaw(ctx context.Context, characterID int64, side store.Side) ([]byte, bool, error) {
	_, raw, ok, err := a.Store.LatestRaw(ctx, characterID, side)
	if err != nil {
		return nil, false, AsTemporal(ctx, fmt.Sprintf("read stored %s", side), err)
	}
	return raw, ok, nil
}

func toStoreEquipment(g gear.Gear) store.Equipment {
	eq := store.Equipment{ItemLevel: g.ItemLevel, Items: make([]store.Item, len(g.Items)), Slots: make([]store.EntryItem, len(g.Slots))}
	if g.TierSet != nil {
		eq.TierSetID, eq.TierSetName, eq.TierSetPieces, eq.Tier4pActive = g.TierSet.ID, g.TierSet.Name, g.TierSet.Pieces, g.TierSet.FourPieceActive
	}
	for i, it := range g.Items {
		eq.Items[i] = store.Item(it)
	}
	for i, s := range g.Slots {
		eq.Slots[i] = store.EntryItem(s)
	}
	return eq
}

// PurgeSnapshots deletes entry snapshots older than the retention, in short batches.
func (a *Activities) PurgeSnapshots(ctx context.Context, in PurgeInput) (PurgeResult, error) {
	days := in.RetentionDays
	if days == 0 {
		days = a.Config.RetentionDays
	}
	if days <= 0 {
		days = 30
	}
	batch := in.BatchSize
	if batch == 0 {
		batch = 1000
	}
	before := a.now().Add(-time.Duration(days) * 24 * time.Hour)
	n, err := a.Store.DeleteSnapshotsBefore(ctx, before, batch)
	if err != nil {
		return PurgeResult{Deleted: n, Before: before}, AsTemporal(ctx, "delete old snapshots", err)
	}
	a.log().Info("old snapshots deleted", zap.Int64("entries", n), zap.Time("before", before))
	return PurgeResult{Deleted: n, Before: before}, nil
}
