package triage

import (
	"slices"
	"testing"
	"time"
)

// FuzzDecide builds facts from arbitrary bytes: whatever they are, Decide returns a known outcome, never
// copies a character whose stats moved, never calls idle a character whose gear is older than the bound,
// and never requests anything for a private one.
func FuzzDecide(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
	f.Add([]byte{255, 0, 0, 0, 1, 1, 1, 1, 200, 100, 3, 3, 3, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := reader{data: data}
		snapshot := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
		now := snapshot.Add(time.Duration(r.byte()) * time.Minute)
		rules := Rules{IdleMaxAge: time.Duration(r.byte()) * time.Hour, ReuseTTL: time.Duration(r.byte()) * time.Hour,
			MetaTTL: time.Duration(r.byte()) * time.Hour}
		at := func() *time.Time {
			if r.byte()%3 == 0 {
				return nil
			}
			t := snapshot.Add(time.Duration(int8(r.byte())) * time.Hour)
			return &t
		}
		fs := Facts{Private: r.byte()%4 == 0, UnavailableUntil: at(), UnreadableAt: at(), ProcessedSnapshot: at(),
			ProcessedBy: int64(r.byte() % 3), ProcessedOutcome: []string{Idle, Reused, "synced", ""}[r.byte()%4],
			HasState: r.byte()%2 == 0, GearFetchedAt: at(), MetaKnown: r.byte()%2 == 0, MetaSyncedAt: at()}
		for range r.byte() % 4 {
			fs.Current = append(fs.Current, Stats{LeaderboardID: int64(r.byte() % 3), Rating: int(r.byte()), Wins: int(r.byte() % 4), Processed: r.byte()%5 == 0})
		}
		for range r.byte() % 4 {
			fs.Previous = append(fs.Previous, Stats{LeaderboardID: int64(r.byte() % 3), Rating: int(r.byte()), Wins: int(r.byte() % 4)})
		}
		board := int64(r.byte() % 3)
		d := Decide(fs, snapshot, board, now, rules)
		if !slices.Contains([]string{Fetch, Idle, Reused, Private, Unavailable, Deduplicated}, d.Outcome) {
			t.Fatalf("unknown outcome %q", d.Outcome)
		}
		if fs.Private && d.Outcome == Fetch {
			t.Fatalf("a private character fetched: %+v", fs)
		}
		if d.Outcome == Idle && (fs.ProcessedOutcome == Idle && fs.ProcessedBy == board) == false {
			if rules.IdleMaxAge <= 0 || !fs.HasState || changed(fs.Current, fs.Previous) != "" ||
				fs.GearFetchedAt == nil || fs.GearFetchedAt.Before(now.Add(-rules.IdleMaxAge)) {
				t.Fatalf("idle without the conditions: %+v rules %+v", fs, rules)
			}
		}
		if d.Outcome != Fetch && (d.Reason != "" || d.RefreshProfile) {
			t.Fatalf("a reason or a profile refresh without a fetch: %+v", d)
		}
	})
}

// reader hands out the fuzzer's bytes, zero once they run out.
type reader struct {
	data []byte
	pos  int
}

func (r *reader) byte() byte {
	if r.pos >= len(r.data) {
		return 0
	}
	b := r.data[r.pos]
	r.pos++
	return b
}
