package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/internal/sqlcount"
	"github.com/pvpsync/pvpsync/internal/testdb"
	"github.com/pvpsync/pvpsync/store"
)

// BenchmarkSaveBoard5000 persists a 5,000-entry board as a new snapshot each iteration, in the steady
// state of a sync (the characters already exist and are updated). Budget: ≤ 3 data statements and
// ≤ 100 ms per op.
func BenchmarkSaveBoard5000(b *testing.B) {
	ctx := context.Background()
	stmts := &sqlcount.Counter{}
	s, _ := testdb.Open(b, store.WithTracer(stmts))
	season, err := s.UpsertSeason(ctx, store.Season{BlizzardID: 40, Name: "Season 40"})
	require.NoError(b, err)
	board, err := s.UpsertLeaderboard(ctx, season, "eu", "3v3")
	require.NoError(b, err)
	entries := bdEntries(5000, 100_000_000)
	snap := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err = s.SaveBoard(ctx, store.SaveBoardInput{LeaderboardID: board, Region: "eu", SnapshotAt: snap, Entries: entries})
	require.NoError(b, err)

	stmts.Reset()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		snap = snap.Add(time.Hour)
		res, err := s.SaveBoard(ctx, store.SaveBoardInput{LeaderboardID: board, Region: "eu", SnapshotAt: snap, Entries: entries})
		if err != nil {
			b.Fatal(err)
		}
		if res.Inserted != len(entries) {
			b.Fatalf("inserted %d rows, want %d", res.Inserted, len(entries))
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(stmts.Count())/float64(b.N), "stmts/op")
	b.ReportMetric(float64(stmts.TxControl())/float64(b.N), "txctl/op")
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
}
