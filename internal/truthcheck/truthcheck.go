// Package truthcheck compares every stored entry of a snapshot, field by field, with what the fake
// Battle.net server says a correct consumer must derive (fakeblizzard's ground truth, computed from its
// own world model, not by pvpsync's gear package). The end-to-end and fault suites end with it; each
// problem names the character, the board and the field.
package truthcheck

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pvpsync/pvpsync/fakeblizzard"
	"github.com/pvpsync/pvpsync/gear"
)

// Options say which snapshot to check and what a run may legitimately leave behind.
type Options struct {
	Region   string
	Snapshot time.Time
	// Unprocessed are characters a run reported failed: their entries may carry no gear.
	Unprocessed map[int64]bool
	// Stale are characters whose gear or talents may lag the fake: idle ones that changed gear without
	// playing a rated game (what idle detection cannot see, bounded by PVP_IDLE_MAX_AGE).
	Stale map[int64]bool
}

// Report is what a check found.
type Report struct {
	Entries, Checked int      // entries of the snapshot, entries whose gear and talents were compared
	Problems         []string // one line each: character, board, field, stored vs truth
}

// String lists the first problems.
func (r Report) String() string {
	p := r.Problems
	if len(p) > 25 {
		p = append(slices.Clone(p[:25]), fmt.Sprintf("… and %d more", len(r.Problems)-25))
	}
	return fmt.Sprintf("%d entries, %d compared with the truth, %d problems:\n%s", r.Entries, r.Checked, len(r.Problems), strings.Join(p, "\n"))
}

type entry struct {
	bracket, name, realm       string
	blizzardID                 int64
	rank, rating, wins, losses int
	specID                     int
	build, loadout             *int64
	processed, private, cooled bool
}

// Check compares the snapshot with the fake's truth as it is now: call it before the world advances.
func Check(ctx context.Context, db *pgxpool.Pool, fake *fakeblizzard.Server, o Options) (Report, error) {
	var rep Report
	entries, err := loadEntries(ctx, db, o)
	if err != nil {
		return rep, err
	}
	rep.Entries = len(entries)
	builds, err := loadBuilds(ctx, db, entries)
	if err != nil {
		return rep, err
	}
	loadouts, err := loadLoadouts(ctx, db, entries)
	if err != nil {
		return rep, err
	}
	boards := map[string]map[int64]fakeblizzard.EntryTruth{}
	truths := map[int64]fakeblizzard.CharacterTruth{}
	problem := func(e entry, field string, stored, truth any) {
		rep.Problems = append(rep.Problems, fmt.Sprintf("%s-%s (%d) on %s: %s stored %v, truth %v",
			e.name, e.realm, e.blizzardID, e.bracket, field, stored, truth))
	}
	for _, e := range entries {
		board, ok := boards[e.bracket]
		if !ok {
			list, err := fake.BoardTruth(o.Region, e.bracket)
			if err != nil {
				return rep, fmt.Errorf("board truth of %s: %w", e.bracket, err)
			}
			board = map[int64]fakeblizzard.EntryTruth{}
			for _, t := range list {
				board[t.BlizzardID] = t
			}
			boards[e.bracket] = board
		}
		bt, ok := board[e.blizzardID]
		if !ok {
			problem(e, "presence", "an entry", "not on the board")
			continue
		}
		for _, f := range []struct {
			name          string
			stored, truth int
		}{{"rank", e.rank, bt.Rank}, {"rating", e.rating, bt.Rating}, {"wins", e.wins, bt.Wins}, {"losses", e.losses, bt.Losses}} {
			if f.stored != f.truth {
				problem(e, f.name, f.stored, f.truth)
			}
		}
		t, ok := truths[e.blizzardID]
		if !ok {
			if t, err = fake.Truth(o.Region, e.realm, e.name); err != nil {
				return rep, fmt.Errorf("truth of %s-%s: %w", e.name, e.realm, err)
			}
			truths[e.blizzardID] = t
		}
		if t.Private {
			if e.build != nil || e.loadout != nil {
				problem(e, "gear of a private character", "stored", "none served")
			}
			continue
		}
		if !e.processed || e.build == nil {
			if !o.Unprocessed[e.blizzardID] {
				problem(e, "processing", "no gear", "public character")
			}
			continue
		}
		if o.Stale[e.blizzardID] {
			continue
		}
		rep.Checked++
		wantSpec := bt.SpecID
		if wantSpec == 0 {
			wantSpec = t.ActiveSpecID
		}
		if e.specID != wantSpec {
			problem(e, "spec", e.specID, wantSpec)
		}
		checkGear(e, builds[*e.build], t, problem)
		checkTalents(e, loadouts, t, wantSpec, problem)
	}
	return rep, nil
}

func checkGear(e entry, b build, t fakeblizzard.CharacterTruth, problem func(entry, string, any, any)) {
	if b.itemLevel != t.EquippedItemLevel {
		problem(e, "item level", b.itemLevel, t.EquippedItemLevel)
	}
	var want tier
	if t.TierSet != nil {
		want = tier{t.TierSet.ID, t.TierSet.Name, t.TierSet.Pieces, t.TierSet.FourPiece}
	}
	// Each part named on its own, so a wrong count reads "tier set pieces stored 3, truth 2".
	switch {
	case b.tier.ID != want.ID || b.tier.Name != want.Name:
		problem(e, "tier set", b.tier, want)
	case b.tier.Pieces != want.Pieces:
		problem(e, "tier set pieces", b.tier.Pieces, want.Pieces)
	case b.tier.Four != want.Four:
		problem(e, "tier set 4-piece bonus", b.tier.Four, want.Four)
	}
	truthSlots := map[string]fakeblizzard.SlotTruth{}
	for _, s := range t.Slots {
		truthSlots[s.Slot] = s
	}
	if len(b.slots) != len(truthSlots) {
		problem(e, "slot count", len(b.slots), len(truthSlots))
	}
	for name, s := range b.slots {
		w, ok := truthSlots[name]
		if !ok {
			problem(e, "slot "+name, "an item", "empty")
			continue
		}
		if s.ItemBlizzardID != w.ItemID {
			problem(e, name+" item", s.ItemBlizzardID, w.ItemID)
		}
		if s.ItemLevel != w.ItemLevel {
			problem(e, name+" item level", s.ItemLevel, w.ItemLevel)
		}
		if !sameIDs(s.EnchantmentIDs, w.EnchantmentIDs) {
			problem(e, name+" enchantment ids", s.EnchantmentIDs, w.EnchantmentIDs)
		}
		if !sameIDs(s.GemItemIDs, w.GemItemIDs) {
			problem(e, name+" gem ids", s.GemItemIDs, w.GemItemIDs)
		}
	}
}

func checkTalents(e entry, loadouts map[int64]loadout, t fakeblizzard.CharacterTruth, spec int, problem func(entry, string, any, any)) {
	i := slices.IndexFunc(t.Specs, func(s fakeblizzard.SpecTruth) bool { return s.SpecID == spec })
	if i < 0 {
		if e.loadout != nil {
			problem(e, "loadout", *e.loadout, "spec not in the response")
		}
		return
	}
	w := t.Specs[i]
	if e.loadout == nil {
		problem(e, "loadout", "none", fmt.Sprintf("spec %d", spec))
		return
	}
	l := loadouts[*e.loadout]
	for _, f := range []struct {
		name          string
		stored, truth any
	}{
		{"loadout spec", l.spec, spec},
		{"loadout code", l.code, w.LoadoutCode},
		{"hero tree id", l.heroID, w.HeroTreeID},
		{"hero tree name", l.heroName, w.HeroTreeName},
	} {
		if f.stored != f.truth {
			problem(e, f.name, f.stored, f.truth)
		}
	}
	for _, f := range []struct {
		name          string
		stored, truth []int64
	}{
		{"class talent nodes", l.class, w.ClassTalentNodeIDs}, {"spec talent nodes", l.spec2, w.SpecTalentNodeIDs},
		{"hero talent nodes", l.hero, w.HeroTalentNodeIDs}, {"pvp talents", l.pvp, w.PvpTalentIDs},
	} {
		if !sameIDs(f.stored, f.truth) {
			problem(e, f.name, f.stored, f.truth)
		}
	}
}

func sameIDs(a, b []int64) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

func loadEntries(ctx context.Context, db *pgxpool.Pool, o Options) ([]entry, error) {
	rows, err := db.Query(ctx, `SELECT l.bracket, c.name, c.realm_slug, c.blizzard_id, e.rank, e.rating, e.wins, e.losses,
       COALESCE(e.spec_id, 0), e.gear_build_id, e.talent_loadout_id, e.processed_at IS NOT NULL, c.is_private,
       COALESCE(c.unavailable_until > now(), false)
FROM pvp_leaderboard_entries AS e
JOIN pvp_leaderboards AS l ON l.id = e.pvp_leaderboard_id
JOIN characters AS c ON c.id = e.character_id
WHERE e.snapshot_at = $1 AND l.region = $2
ORDER BY l.bracket, e.rank, c.blizzard_id`, o.Snapshot, o.Region)
	if err != nil {
		return nil, fmt.Errorf("read the snapshot: %w", err)
	}
	var out []entry
	var e entry
	_, err = pgx.ForEachRow(rows, []any{&e.bracket, &e.name, &e.realm, &e.blizzardID, &e.rank, &e.rating, &e.wins, &e.losses,
		&e.specID, &e.build, &e.loadout, &e.processed, &e.private, &e.cooled}, func() error {
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the snapshot: %w", err)
	}
	return out, nil
}

type tier struct {
	ID     int64
	Name   string
	Pieces int
	Four   bool
}

type build struct {
	itemLevel int
	tier      tier
	slots     map[string]gear.Slot
}

func loadBuilds(ctx context.Context, db *pgxpool.Pool, entries []entry) (map[int64]build, error) {
	ids := idsOf(entries, func(e entry) *int64 { return e.build })
	out := map[int64]build{}
	rows, err := db.Query(ctx, `SELECT b.id, b.item_level, COALESCE(b.tier_set_id, 0), COALESCE(s.name, ''),
       COALESCE(b.tier_set_pieces, 0), COALESCE(b.tier_4p_active, false)
FROM gear_builds AS b LEFT JOIN item_sets AS s ON s.id = b.tier_set_id WHERE b.id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("read gear builds: %w", err)
	}
	var id int64
	var b build
	if _, err := pgx.ForEachRow(rows, []any{&id, &b.itemLevel, &b.tier.ID, &b.tier.Name, &b.tier.Pieces, &b.tier.Four}, func() error {
		b.slots = map[string]gear.Slot{}
		out[id] = b
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read gear builds: %w", err)
	}
	rows, err = db.Query(ctx, `SELECT gear_build_id, slot, item_id, item_level, enchantment_ids, gem_item_ids
FROM gear_build_slots WHERE gear_build_id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("read gear build slots: %w", err)
	}
	var s gear.Slot
	_, err = pgx.ForEachRow(rows, []any{&id, &s.Slot, &s.ItemBlizzardID, &s.ItemLevel, &s.EnchantmentIDs, &s.GemItemIDs}, func() error {
		out[id].slots[s.Slot] = s
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read gear build slots: %w", err)
	}
	return out, nil
}

type loadout struct {
	spec                    int
	code, heroName          string
	heroID                  int64
	class, spec2, hero, pvp []int64
}

func loadLoadouts(ctx context.Context, db *pgxpool.Pool, entries []entry) (map[int64]loadout, error) {
	ids := idsOf(entries, func(e entry) *int64 { return e.loadout })
	rows, err := db.Query(ctx, `SELECT id, spec_id, COALESCE(loadout_code, ''), COALESCE(hero_talent_tree_id, 0),
       COALESCE(hero_talent_tree_name, ''), talents, pvp_talents
FROM talent_loadouts WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("read loadouts: %w", err)
	}
	out := map[int64]loadout{}
	var (
		id  int64
		l   loadout
		ts  gear.StoredTalents
		pvp []gear.PvpPick
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &l.spec, &l.code, &l.heroID, &l.heroName, &ts, &pvp}, func() error {
		l.class, l.spec2, l.hero, l.pvp = nodes(ts.Class), nodes(ts.Spec), nodes(ts.Hero), nil
		for _, p := range pvp {
			l.pvp = append(l.pvp, p.TalentID)
		}
		out[id] = l
		ts, pvp = gear.StoredTalents{}, nil
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read loadouts: %w", err)
	}
	return out, nil
}

func nodes(ps []gear.TalentPick) []int64 {
	out := make([]int64, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.NodeID)
	}
	return out
}

func idsOf(entries []entry, f func(entry) *int64) []int64 {
	var ids []int64
	for _, e := range entries {
		if id := f(e); id != nil {
			ids = append(ids, *id)
		}
	}
	slices.SortFunc(ids, cmp.Compare[int64])
	return slices.Compact(ids)
}
