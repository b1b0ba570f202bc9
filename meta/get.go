package meta

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pvpsync/pvpsync/battlenet"
)

// Get computes one spec's report. The statements run as one batch in one REPEATABLE READ, read-only
// transaction: a refresh committing meanwhile cannot make two parts of a report show two snapshots.
// An invalid query fails with ErrInvalidQuery before the database is asked.
func Get(ctx context.Context, pool *pgxpool.Pool, q Query) (Report, error) {
	q, err := q.Normalize()
	if err != nil {
		return Report{}, err
	}
	sp, _ := battlenet.SpecByID(q.SpecID)
	rep := Report{
		Region: q.Region, Bracket: q.Bracket,
		Spec:   Spec{ID: sp.ID, Name: sp.Name, ClassName: sp.ClassName, Role: battlenet.SpecRole(sp.ID)},
		Filter: Filter{Top: q.Top, MinRating: q.MinRating, Slot: q.Slot, Limit: q.Limit},
		Slots:  []Slot{}, Gems: []Usage{}, TierSets: []Tier{}, HeroTrees: []Usage{}, Talents: []Talent{},
		PvpTalents: []Usage{}, Loadouts: []Loadout{},
	}
	var slot *string
	if q.Slot != "" {
		slot = &q.Slot
	}
	type step struct {
		what string
		body string
		args []any
		read func(pgx.Rows) error
	}
	steps := []step{
		{"summary", summarySQL, nil, rep.readSummary},
		{"gear", gearSQL, []any{slot, slot, q.Limit}, rep.readGear},
		{"tier sets", tierSQL, nil, rep.readTiers},
		{"talents", talentsSQL, nil, rep.readTalents},
		{"pvp talents", pvpSQL, []any{q.Limit}, rep.readPvp},
		{"hero trees", heroSQL, nil, rep.readHero},
		{"loadout codes", codesSQL, []any{q.Limit}, rep.readCodes},
	}
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return Report{}, fmt.Errorf("meta of %s %s spec %d: begin: %w", q.Region, q.Bracket, q.SpecID, err)
	}
	// Read-only: rolling back is the end of it, and it releases the connection on every path.
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	batch := &pgx.Batch{}
	for _, s := range steps {
		sql, args, err := withPicked(q, s.body, s.args...)
		if err != nil {
			return Report{}, fmt.Errorf("meta: build %s query: %w", s.what, err)
		}
		batch.Queue(sql, args...)
	}
	br := tx.SendBatch(ctx, batch)
	for _, s := range steps {
		rows, err := br.Query()
		if err == nil {
			err = s.read(rows)
		}
		if err != nil {
			_ = br.Close() // it reports the same failure again
			return Report{}, fmt.Errorf("meta of %s %s spec %d: %s: %w", q.Region, q.Bracket, q.SpecID, s.what, err)
		}
	}
	if err := br.Close(); err != nil {
		return Report{}, fmt.Errorf("meta of %s %s spec %d: %w", q.Region, q.Bracket, q.SpecID, err)
	}
	rep.percentages()
	return rep, nil
}

func (r *Report) readSummary(rows pgx.Rows) error {
	var (
		snapshot *time.Time
		levels   []int32
	)
	if _, err := pgx.ForEachRow(rows, []any{&r.Characters, &r.WithGear, &r.WithTalents, &r.Rating.Min, &r.Rating.Max,
		&snapshot, &levels, &r.ItemLevel.Mean}, func() error { return nil }); err != nil {
		return err
	}
	if snapshot != nil {
		utc := snapshot.UTC()
		r.SnapshotAt = &utc
	}
	if len(levels) == 7 {
		il := &r.ItemLevel
		il.Min, il.P10, il.P25, il.Median, il.P75, il.P90, il.Max = int(levels[0]), int(levels[1]), int(levels[2]),
			int(levels[3]), int(levels[4]), int(levels[5]), int(levels[6])
	}
	return nil
}

func (r *Report) readGear(rows pgx.Rows) error {
	var kind, slot string
	var u Usage
	bySlot := map[string]*Slot{}
	_, err := pgx.ForEachRow(rows, []any{&kind, &slot, &u.ID, &u.Name, &u.Count}, func() error {
		if kind == "gem" {
			r.Gems = append(r.Gems, u)
			return nil
		}
		s := bySlot[slot]
		if s == nil {
			s = &Slot{Slot: slot, Items: []Usage{}, Enchants: []Usage{}}
			bySlot[slot] = s
		}
		if kind == "item" {
			s.Items = append(s.Items, u)
		} else {
			s.Enchants = append(s.Enchants, u)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, s := range bySlot {
		r.Slots = append(r.Slots, *s)
	}
	// Character-sheet order; a slot Battle.net adds later goes last, by name.
	order := func(s string) int {
		if i := slices.Index(Slots, s); i >= 0 {
			return i
		}
		return len(Slots)
	}
	slices.SortFunc(r.Slots, func(a, b Slot) int {
		return cmp.Or(cmp.Compare(order(a.Slot), order(b.Slot)), cmp.Compare(a.Slot, b.Slot))
	})
	return nil
}

func (r *Report) readTiers(rows pgx.Rows) error {
	var t Tier
	_, err := pgx.ForEachRow(rows, []any{&t.SetID, &t.Name, &t.Pieces, &t.Count}, func() error {
		r.TierSets = append(r.TierSets, t)
		return nil
	})
	return err
}

func (r *Report) readTalents(rows pgx.Rows) error {
	var t Talent
	_, err := pgx.ForEachRow(rows, []any{&t.Tree, &t.NodeID, &t.TalentID, &t.Name, &t.Count, &t.NodeCount}, func() error {
		r.Talents = append(r.Talents, t)
		return nil
	})
	return err
}

func (r *Report) readPvp(rows pgx.Rows) error { return readUsage(rows, &r.PvpTalents) }

func (r *Report) readHero(rows pgx.Rows) error { return readUsage(rows, &r.HeroTrees) }

func readUsage(rows pgx.Rows, out *[]Usage) error {
	var u Usage
	_, err := pgx.ForEachRow(rows, []any{&u.ID, &u.Name, &u.Count}, func() error {
		*out = append(*out, u)
		return nil
	})
	return err
}

func (r *Report) readCodes(rows pgx.Rows) error {
	var l Loadout
	_, err := pgx.ForEachRow(rows, []any{&l.Code, &l.HeroTree, &l.Count}, func() error {
		r.Loadouts = append(r.Loadouts, l)
		return nil
	})
	return err
}

// percentages turns counts into shares of the side each list belongs to.
func (r *Report) percentages() {
	for i := range r.Slots {
		s := &r.Slots[i]
		for j := range s.Items {
			s.Items[j].Percent = percent(s.Items[j].Count, r.WithGear)
		}
		for j := range s.Enchants {
			s.Enchants[j].Percent = percent(s.Enchants[j].Count, r.WithGear)
		}
	}
	for i := range r.Gems {
		r.Gems[i].Percent = percent(r.Gems[i].Count, r.WithGear)
	}
	for i := range r.TierSets {
		r.TierSets[i].Percent = percent(r.TierSets[i].Count, r.WithGear)
	}
	for _, list := range [][]Usage{r.HeroTrees, r.PvpTalents} {
		for i := range list {
			list[i].Percent = percent(list[i].Count, r.WithTalents)
		}
	}
	for i := range r.Talents {
		t := &r.Talents[i]
		t.Percent, t.NodePercent = percent(t.Count, r.WithTalents), percent(t.NodeCount, r.WithTalents)
	}
	for i := range r.Loadouts {
		r.Loadouts[i].Percent = percent(r.Loadouts[i].Count, r.WithTalents)
	}
}
