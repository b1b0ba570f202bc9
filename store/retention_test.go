package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/gear"
	"github.com/pvpsync/pvpsync/store"
)

func TestRetentionDeletesOldSnapshotsInBatches(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	cutoff := chBase
	raw, g := chEquipment(t, "egirlbooster")

	// 10 characters x 5 old snapshots = 50 old entries; one newer snapshot, and one exactly at the cutoff.
	var oldEntries, keptEntries []int64
	for i := range 10 {
		c := f.character(t, int64(5000+i), fmt.Sprintf("char%d", i))
		build, err := f.s.SaveEquipment(ctx, c, raw, "", g)
		require.NoError(t, err)
		for s := 1; s <= 5; s++ {
			snap := cutoff.Add(-time.Duration(s) * 24 * time.Hour)
			oldEntries = append(oldEntries, f.entry(t, "3v3", c, snap))
			n, err := f.s.CommitCharacter(ctx, store.Commit{CharacterID: c, SnapshotAt: snap, LeaderboardID: f.boards["3v3"],
				Outcome: "synced", Equipment: store.EquipmentCommit{Answered: true, BuildID: build}})
			require.NoError(t, err)
			require.Equal(t, 1, n)
		}
		for _, snap := range []time.Time{cutoff, cutoff.Add(time.Hour)} {
			keptEntries = append(keptEntries, f.entry(t, "3v3", c, snap))
		}
	}
	require.Len(t, oldEntries, 50)
	n, err := f.s.CountSnapshotsBefore(ctx, cutoff)
	require.NoError(t, err)
	assert.Equal(t, int64(50), n)

	f.stmts.Reset()
	deleted, err := f.s.DeleteSnapshotsBefore(ctx, cutoff, 7)
	require.NoError(t, err)
	assert.Equal(t, int64(50), deleted)
	// 7 full batches of 7 and a last one of 1: each its own statement, none larger than the batch.
	assert.Equal(t, int64(8), f.stmts.Count())

	n, err = f.s.CountSnapshotsBefore(ctx, cutoff)
	require.NoError(t, err)
	assert.Zero(t, n)
	assert.Zero(t, f.count(t, `SELECT count(*) FROM pvp_leaderboard_entries WHERE id = ANY($1)`, oldEntries))
	assert.Equal(t, len(keptEntries), f.count(t, `SELECT count(*) FROM pvp_leaderboard_entries WHERE id = ANY($1)`, keptEntries),
		"entries at or after the cutoff stay")
	assert.Equal(t, 1, f.count(t, `SELECT count(*) FROM gear_builds`), "builds are the garbage collector's business")
	assert.Equal(t, 10, f.count(t, `SELECT count(*) FROM characters WHERE gear_build_id IS NOT NULL`), "the state is kept")

	again, err := f.s.DeleteSnapshotsBefore(ctx, cutoff, 7)
	require.NoError(t, err)
	assert.Zero(t, again)
}

func TestRetentionStopsWhenContextIsDone(t *testing.T) {
	f := newChFixture(t)
	c := f.character(t, 1001, "Egirlbooster")
	f.entry(t, "3v3", c, chBase.Add(-48*time.Hour))

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	deleted, err := f.s.DeleteSnapshotsBefore(ctx, chBase, 7)
	require.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, deleted)
	assert.Equal(t, 1, f.count(t, `SELECT count(*) FROM pvp_leaderboard_entries`))

	_, err = f.s.DeleteSnapshotsBefore(t.Context(), chBase, 0)
	assert.ErrorIs(t, err, store.ErrInvalidRow)

	g, err := f.s.CollectGarbage(ctx, time.Now(), 10)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, store.Garbage{}, g)
	_, err = f.s.CollectGarbage(t.Context(), time.Now(), 0)
	assert.ErrorIs(t, err, store.ErrInvalidRow)
}

// danglingGearItems counts build slots pointing at a gear item that does not exist (no foreign key
// guards the array).
func (f *chFixture) danglingGearItems(t *testing.T) int {
	t.Helper()
	return f.count(t, `SELECT count(*) FROM gear_builds AS b CROSS JOIN LATERAL unnest(b.gear_item_ids) AS u(id)
WHERE NOT EXISTS (SELECT 1 FROM gear_items AS gi WHERE gi.id = u.id)`)
}

func TestCollectGarbageDeletesUnreferencedUnseenRows(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	c := f.character(t, 1001, "Jw")
	d := f.character(t, 1002, "Egirlbooster")
	e := f.entry(t, "3v3", c, chBase)

	rawA, gA := chEquipment(t, "egirlbooster")
	_, gB := chEquipment(t, "jw")
	gC := chCloneGear(gA) // differs from A in its helm only
	gC.Slots[chSlotIndex(t, gC, "HEAD")].ItemLevel += 3
	gD := chCloneGear(gB)
	gD.Slots[chSlotIndex(t, gD, "BACK")].ItemLevel += 5
	gE := gear.Gear{ItemLevel: 10,
		Items: []gear.Item{{BlizzardID: 1, Name: "Shirt"}, {BlizzardID: 2, Name: "Tabard"}},
		Slots: []gear.Slot{
			{Slot: "SHIRT", ItemBlizzardID: 1, EnchantmentIDs: []int64{}, GemItemIDs: []int64{}, BonusList: []int64{}},
			{Slot: "TABARD", ItemBlizzardID: 2, EnchantmentIDs: []int64{}, GemItemIDs: []int64{}, BonusList: []int64{}},
		}}
	builds := map[string]int64{}
	for name, g := range map[string]gear.Gear{"A": gA, "B": gB, "C": gC, "D": gD, "E": gE} {
		id, err := f.s.SaveEquipment(ctx, c, rawA, "", g)
		require.NoError(t, err)
		builds[name] = id
	}

	rawJ, losJ, _ := chSpecializations(t, "jw")
	slJ, err := f.s.SaveSpecializations(ctx, c, rawJ, "", losJ)
	require.NoError(t, err)
	rawE, losE, _ := chSpecializations(t, "egirlbooster")
	slE, err := f.s.SaveSpecializations(ctx, c, rawE, "", losE)
	require.NoError(t, err)
	slX, err := f.s.SaveSpecializations(ctx, c, []byte(`{}`), "", []gear.Loadout{{SpecID: 64, Code: "X",
		Class: []gear.Talent{}, Spec: []gear.Talent{}, Hero: []gear.Talent{}}})
	require.NoError(t, err)
	jw := chLoadoutIDs(slJ)
	loadouts := map[string]int64{"J259": jw[chAssassination], "J260": jw[chOutlaw], "J261": jw[chSubtlety],
		"E259": slE[0].LoadoutID, "X64": slX[0].LoadoutID}

	// A and J261 are referenced by an entry, B and J260 by the character state; D and E259 were seen
	// recently; C, E, J259 and X64 are garbage.
	_, err = f.s.Pool.Exec(ctx, `UPDATE pvp_leaderboard_entries SET gear_build_id = $2, talent_loadout_id = $3 WHERE id = $1`,
		e, builds["A"], loadouts["J261"])
	require.NoError(t, err)
	_, err = f.s.Pool.Exec(ctx, `UPDATE characters SET gear_build_id = $2 WHERE id = $1`, d, builds["B"])
	require.NoError(t, err)
	_, err = f.s.Pool.Exec(ctx, `INSERT INTO character_loadouts (character_id, spec_id, talent_loadout_id) VALUES ($1, $2, $3)`,
		d, chOutlaw, loadouts["J260"])
	require.NoError(t, err)
	_, err = f.s.Pool.Exec(ctx, `UPDATE gear_builds SET seen_at = now() - interval '2 days' WHERE id <> $1`, builds["D"])
	require.NoError(t, err)
	_, err = f.s.Pool.Exec(ctx, `UPDATE talent_loadouts SET seen_at = now() - interval '2 days' WHERE id <> $1`, loadouts["E259"])
	require.NoError(t, err)

	gearItemsOf := func(gs ...gear.Gear) map[string]bool {
		out := map[string]bool{}
		for _, g := range gs {
			for h := range chDistinctSlotHashes(g) {
				out[h] = true
			}
		}
		return out
	}
	kept := gearItemsOf(gA, gB, gD)
	all := gearItemsOf(gA, gB, gC, gD, gE)
	require.Equal(t, len(all), f.count(t, `SELECT count(*) FROM gear_items`))
	require.Equal(t, 3, len(all)-len(kept), "C's helm and E's two items are used by no kept build")

	f.stmts.Reset()
	got, err := f.s.CollectGarbage(ctx, time.Now().Add(-24*time.Hour), 1)
	require.NoError(t, err)
	assert.Equal(t, store.Garbage{Builds: 2, Loadouts: 2, GearItems: 3}, got)
	// Batches of one row: at least one delete per row and one short batch per kind (builds 2+1,
	// loadouts 2+1, gear items 3+1); the gear-item batches also take their lock.
	assert.GreaterOrEqual(t, f.stmts.Count(), int64(3+3+4), "one row per batch, until a short batch")

	idsOf := func(q string) []int64 {
		rows, err := f.s.Pool.Query(ctx, q)
		require.NoError(t, err)
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var id int64
			require.NoError(t, rows.Scan(&id))
			out = append(out, id)
		}
		require.NoError(t, rows.Err())
		return out
	}
	assert.ElementsMatch(t, []int64{builds["A"], builds["B"], builds["D"]}, idsOf(`SELECT id FROM gear_builds`))
	assert.ElementsMatch(t, []int64{loadouts["J260"], loadouts["J261"], loadouts["E259"]}, idsOf(`SELECT id FROM talent_loadouts`))
	assert.Equal(t, len(kept), f.count(t, `SELECT count(*) FROM gear_items`))
	assert.Zero(t, f.danglingGearItems(t))
	for name, g := range map[string]gear.Gear{"A": gA, "B": gB, "D": gD} {
		assert.Equal(t, chSortedSlots(g), f.buildSlots(t, builds[name]), "build %s reads back whole", name)
	}

	again, err := f.s.CollectGarbage(ctx, time.Now().Add(-24*time.Hour), 1)
	require.NoError(t, err)
	assert.Equal(t, store.Garbage{}, again)

	// Once the snapshot referencing A goes, A and J261 are garbage too; A's items B and D share stay.
	_, err = f.s.DeleteSnapshotsBefore(ctx, chBase.Add(time.Second), 100)
	require.NoError(t, err)
	got, err = f.s.CollectGarbage(ctx, time.Now().Add(-24*time.Hour), 100)
	require.NoError(t, err)
	assert.Equal(t, store.Garbage{Builds: 1, Loadouts: 1, GearItems: int64(len(kept) - len(gearItemsOf(gB, gD)))}, got)
	assert.ElementsMatch(t, []int64{builds["B"], builds["D"]}, idsOf(`SELECT id FROM gear_builds`))
	assert.Zero(t, f.danglingGearItems(t))
}

// A build inserted while the collector runs must never point at a gear item the collector deleted: the
// collector decides "unreferenced" from gear_builds' arrays, which no foreign key guards. The cutoff
// in the future makes every unreferenced build and loadout garbage at once, so the collector deletes
// gear items while savers insert builds sharing them.
func TestCollectGarbageConcurrentWithSaveEquipment(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	raw, base := chEquipment(t, "egirlbooster")
	const savers, iterations = 2, 120
	_, err := f.s.Pool.Exec(ctx, `INSERT INTO characters (blizzard_id, region, name, realm_slug)
SELECT 100000 + g, 'us', 'holder' || g, 'sargeras' FROM generate_series(1, $1::integer) AS g`, savers*iterations)
	require.NoError(t, err)
	saverIDs := []int64{f.character(t, 1, "SaverOne"), f.character(t, 2, "SaverTwo")}

	var (
		wg        sync.WaitGroup
		errs      = make(chan error, savers*iterations+100)
		done      = make(chan struct{})
		collected store.Garbage
		passes    int
		fkAborts  int
	)
	for s := range savers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(s), 42))
			for i := range iterations {
				g := chCloneGear(base)
				// A few slots take one of a few levels: builds are mostly new, their gear items often not.
				for range 3 {
					g.Slots[rng.IntN(len(g.Slots))].ItemLevel = 600 + rng.IntN(4)
				}
				build, err := f.s.SaveEquipment(ctx, saverIDs[s], raw, "", g)
				if err != nil {
					errs <- fmt.Errorf("saver %d iteration %d: %w", s, i, err)
					continue
				}
				if i%3 != 0 {
					continue
				}
				// Keep a third of the builds referenced, so a dangling slot would stay to be seen. The
				// collector may have deleted the build already (its cutoff is in the future).
				_, err = f.s.Pool.Exec(ctx, `UPDATE characters SET gear_build_id = $2 WHERE blizzard_id = $1 AND region = 'us'`,
					100000+s*iterations+i+1, build)
				var pgErr *pgconn.PgError
				if err != nil && !(errors.As(err, &pgErr) && pgErr.Code == "23503") {
					errs <- fmt.Errorf("saver %d reference %d: %w", s, i, err)
				}
			}
		}()
	}
	var collector sync.WaitGroup
	collector.Add(1)
	go func() {
		defer collector.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			g, err := f.s.CollectGarbage(ctx, time.Now().Add(time.Hour), 3)
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) && pgErr.Code == "23503" {
				// A saver referenced a build this pass was deleting: with a cutoff in the future any
				// build is fair game, so the foreign key stops the pass (not the property tested here).
				fkAborts++
			} else if err != nil {
				errs <- fmt.Errorf("collector pass %d: %w", passes, err)
				return
			}
			passes++
			collected.Builds += g.Builds
			collected.GearItems += g.GearItems
			var dangling int
			if err := f.s.Pool.QueryRow(ctx, `SELECT count(*) FROM gear_builds AS b CROSS JOIN LATERAL unnest(b.gear_item_ids) AS u(id)
WHERE NOT EXISTS (SELECT 1 FROM gear_items AS gi WHERE gi.id = u.id)`).Scan(&dangling); err != nil {
				errs <- err
				return
			}
			if dangling > 0 {
				errs <- fmt.Errorf("after collector pass %d: %d build slots point at deleted gear items", passes, dangling)
				return
			}
		}
	}()
	wg.Wait()
	close(done)
	collector.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	final, err := f.s.CollectGarbage(ctx, time.Now().Add(time.Hour), 50)
	require.NoError(t, err)
	collected.Builds += final.Builds
	collected.GearItems += final.GearItems
	t.Logf("%d collector passes (%d stopped by a concurrent reference) deleted %d builds and %d gear items",
		passes, fkAborts, collected.Builds, collected.GearItems)
	assert.Positive(t, collected.GearItems, "the collector deleted gear items while builds were saved")
	assert.Zero(t, f.danglingGearItems(t), "no build points at a deleted gear item")
	referenced := f.count(t, `SELECT count(*) FROM gear_builds`)
	assert.Equal(t, referenced, f.count(t, `SELECT count(DISTINCT gear_build_id) FROM characters WHERE gear_build_id IS NOT NULL`),
		"only referenced builds survive a collection with a future cutoff")
	assert.Equal(t, f.count(t, `SELECT COALESCE(sum(cardinality(slots)), 0) FROM gear_builds`),
		f.count(t, `SELECT count(*) FROM gear_build_slots`), "every slot of every build reads back")
}

// SaveEquipment must not hand out a build the collector deleted under it: the caller commits that id
// later, and a deleted id fails CommitCharacter on the foreign key (every retry too). The interleaving
// is forced: the collector's DELETE holds the row (as deleteBuildsSQL does for a build unseen for two
// days) while SaveEquipment's lookup finds it and waits to refresh its seen_at.
func TestSaveEquipmentDoesNotReturnBuildDeletedConcurrently(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	c := f.character(t, 1001, "Egirlbooster")
	raw, g := chEquipment(t, "egirlbooster")
	id, err := f.s.SaveEquipment(ctx, c, raw, "", g)
	require.NoError(t, err)
	_, err = f.s.Pool.Exec(ctx, `UPDATE gear_builds SET seen_at = now() - interval '2 days' WHERE id = $1`, id)
	require.NoError(t, err)

	collector, err := f.s.Pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = collector.Rollback(context.Background()) }()
	tag, err := collector.Exec(ctx, `DELETE FROM gear_builds WHERE id = $1 AND seen_at < now() - interval '1 day'`, id)
	require.NoError(t, err)
	require.Equal(t, int64(1), tag.RowsAffected())

	type result struct {
		id  int64
		err error
	}
	res := make(chan result, 1)
	go func() {
		got, err := f.s.SaveEquipment(ctx, c, raw, "", g)
		res <- result{got, err}
	}()
	// Wait until the lookup blocks on the row the collector holds.
	require.Eventually(t, func() bool {
		return f.count(t, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
  AND wait_event_type = 'Lock' AND query LIKE '%UPDATE gear_builds SET seen_at%'`) == 1
	}, 30*time.Second, 10*time.Millisecond)
	require.NoError(t, collector.Commit(ctx))

	r := <-res
	require.NoError(t, r.err)
	assert.Equal(t, 1, f.count(t, `SELECT count(*) FROM gear_builds WHERE id = $1`, r.id),
		"BUG (store/gear.go lookupBuildSQL): SaveEquipment returned build %d, deleted by the collector while the lookup "+
			"waited to refresh seen_at; return the id only when the build is fresh or the refresh RETURNING found it", r.id)
}
