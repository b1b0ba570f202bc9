package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/store"
)

func TestRetentionDeletesOldSnapshotsInBatches(t *testing.T) {
	f := newChFixture(t)
	ctx := t.Context()
	cutoff := chBase

	eq := store.Equipment{
		Items: []store.Item{{BlizzardID: 215137, Name: "Ring", Quality: "EPIC"}},
		Slots: []store.EntryItem{{Slot: "FINGER_1", ItemBlizzardID: 215137}, {Slot: "FINGER_2", ItemBlizzardID: 215137}},
	}
	// 10 characters x 5 old snapshots = 50 old entries; one newer snapshot, and one exactly at the cutoff.
	var oldEntries, keptEntries []int64
	for i := range 10 {
		c := f.character(t, int64(5000+i), fmt.Sprintf("char%d", i))
		for s := 1; s <= 5; s++ {
			snap := cutoff.Add(-time.Duration(s) * 24 * time.Hour)
			oldEntries = append(oldEntries, f.entry(t, "3v3", c, snap, 0))
			_, err := f.s.SaveEquipment(ctx, c, snap, snap, eq, "")
			require.NoError(t, err)
		}
		for _, snap := range []time.Time{cutoff, cutoff.Add(time.Hour)} {
			keptEntries = append(keptEntries, f.entry(t, "3v3", c, snap, 0))
			_, err := f.s.SaveEquipment(ctx, c, snap, snap, eq, "")
			require.NoError(t, err)
		}
	}
	require.Len(t, oldEntries, 50)
	n, err := f.s.CountSnapshotsBefore(ctx, cutoff)
	require.NoError(t, err)
	assert.Equal(t, int64(50), n)

	f.rec.reset()
	deleted, err := f.s.DeleteSnapshotsBefore(ctx, cutoff, 7)
	require.NoError(t, err)
	assert.Equal(t, int64(50), deleted)
	// 7 full batches of 7 and a last one of 1: each its own statement, none larger than the batch.
	assert.Equal(t, 8, f.rec.matching("DELETE FROM pvp_leaderboard_entries"))

	n, err = f.s.CountSnapshotsBefore(ctx, cutoff)
	require.NoError(t, err)
	assert.Zero(t, n)
	assert.Zero(t, f.count(t, `SELECT count(*) FROM pvp_leaderboard_entries WHERE id = ANY($1)`, oldEntries))
	assert.Zero(t, f.count(t, `SELECT count(*) FROM pvp_leaderboard_entry_items WHERE pvp_leaderboard_entry_id = ANY($1)`, oldEntries),
		"entry items cascade")
	assert.Equal(t, len(keptEntries), f.count(t, `SELECT count(*) FROM pvp_leaderboard_entries WHERE id = ANY($1)`, keptEntries),
		"entries at or after the cutoff stay")
	assert.Equal(t, 2*len(keptEntries), f.count(t, `SELECT count(*) FROM pvp_leaderboard_entry_items`))
	assert.Equal(t, 1, f.count(t, `SELECT count(*) FROM items`), "the item catalog is not retention's business")

	again, err := f.s.DeleteSnapshotsBefore(ctx, cutoff, 7)
	require.NoError(t, err)
	assert.Zero(t, again)
}

func TestRetentionStopsWhenContextIsDone(t *testing.T) {
	f := newChFixture(t)
	c := f.character(t, 1001, "Egirlbooster")
	f.entry(t, "3v3", c, chBase.Add(-48*time.Hour), 0)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	deleted, err := f.s.DeleteSnapshotsBefore(ctx, chBase, 7)
	require.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, deleted)
	assert.Equal(t, 1, f.count(t, `SELECT count(*) FROM pvp_leaderboard_entries`))

	_, err = f.s.DeleteSnapshotsBefore(t.Context(), chBase, 0)
	assert.ErrorIs(t, err, store.ErrInvalidRow)
}
