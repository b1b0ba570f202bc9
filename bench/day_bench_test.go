package bench

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pvpsync/pvpsync/fakeblizzard"
	"github.com/pvpsync/pvpsync/internal/teststack"
	"github.com/pvpsync/pvpsync/workflows"
)

// dayCycle is what one sync cycle of the day cost.
type dayCycle struct {
	Cycle      int
	Entries    int // board entries of the snapshot
	Ranked     int // distinct characters ranked on the boards
	Requests   int64
	Profile    int64 // of which equipment, specializations and profile summaries
	Children   int   // SyncCharacter executions started
	Dedup      int   // of which found their character already done by another board's child
	Executions int   // every workflow run of the cycle
	Events     int64 // history events of all of them
	Wall       time.Duration
	Totals     workflows.Progress
}

func (c dayCycle) perRanked(n float64) float64 { return n / float64(c.Ranked) }

// BenchmarkDay is a day of a 5,000-character region on the fake (issue 11): 4 sync cycles, the first a
// cold start, 30 % of the ranked characters playing between two cycles. It runs twice on the same
// world — with the production configuration (idle detection, PVP_IDLE_MAX_AGE=24h) and with idle
// detection off AND the reuse TTL at 0 (PVP_IDLE_MAX_AGE=0, PVP_EQUIPMENT_SNAPSHOT_TTL_HOURS=0: every
// character is fetched every cycle, as before idle detection; with the 24 h TTL back-to-back cycles
// would all be reused) — and prints per cycle the Battle.net requests, the SyncCharacter children, the
// history events of every workflow run of the cycle and the wall time. Target on the warm cycles:
// ≤ 0.75 requests and ≤ 0.4 children per ranked character.
//
//	go test ./bench/ -run '^$' -bench Day -benchtime 1x -timeout 60m
func BenchmarkDay(b *testing.B) {
	var on, off []dayCycle
	b.Run("idle=24h", func(b *testing.B) { on = runDay(b, true) })
	b.Run("idle=off,ttl=0", func(b *testing.B) { off = runDay(b, false) })
	if len(on) == regionCycles && len(off) == regionCycles {
		// stdout: a parent benchmark's own log is not printed once it has sub-benchmarks.
		fmt.Print(dayTable(on, off))
	}
}

// runDay runs the cycles once per iteration (run with -benchtime 1x) and returns the last day's figures.
func runDay(b *testing.B, idle bool) []dayCycle {
	var day []dayCycle
	for i := 0; i < b.N; i++ {
		cfg := teststack.DefaultConfig()
		if !idle {
			cfg.IdleMaxAge, cfg.EquipmentTTL = 0, 0
		}
		// The same seed for both configurations: the same world, the same games played.
		s := teststack.New(b, teststack.Options{Quiet: true, Config: cfg, Fake: regionFake(211)})
		day = day[:0]
		for c := 1; c <= regionCycles; c++ {
			if c > 1 {
				s.Fake.Advance()
			}
			regionNextSecond()
			entries, ranked := regionRanked(b, s.Fake)
			s.Fake.ResetStats()
			from := time.Now()
			res := regionSync(b, s)
			wall := time.Since(from)
			to := time.Now()
			st := s.Fake.Stats()
			wf := regionWorkflows(b, s, from, to)
			day = append(day, dayCycle{
				Cycle: c, Entries: entries, Ranked: ranked, Wall: wall, Totals: res.Totals,
				Requests: st.Total - st.Endpoint(fakeblizzard.EndpointToken),
				Profile: st.Endpoint(fakeblizzard.EndpointEquipment) + st.Endpoint(fakeblizzard.EndpointSpecializations) +
					st.Endpoint(fakeblizzard.EndpointProfile),
				Children: wf.Characters, Dedup: wf.Deduplicated, Executions: wf.Executions, Events: wf.Events,
			})
			b.Logf("idle=%v cycle %d: %s", idle, c, day[c-1].summary())
		}
	}
	var req, children float64
	for _, c := range day[1:] {
		req += c.perRanked(float64(c.Requests))
		children += c.perRanked(float64(c.Children))
	}
	warm := float64(len(day) - 1)
	b.ReportMetric(req/warm, "warm-requests/char")
	b.ReportMetric(children/warm, "warm-children/char")
	b.ReportMetric(float64(day[len(day)-1].Events)/float64(day[len(day)-1].Ranked), "last-events/char")
	return day
}

func (c dayCycle) summary() string {
	t := c.Totals
	return fmt.Sprintf("%d entries, %d ranked characters: %d requests (%d profile-endpoint), %d children (%d deduplicated), %d runs, %d history events, %s; synced %d, not modified %d, idle %d, reused %d, deduplicated %d, private %d, unavailable %d",
		c.Entries, c.Ranked, c.Requests, c.Profile, c.Children, c.Dedup, c.Executions, c.Events, c.Wall.Round(100*time.Millisecond),
		t.Synced, t.NotModified, t.Idle, t.Reused, t.Deduplicated, t.Private, t.Unavailable)
}

// dayTable puts both configurations side by side, one row per cycle: "on" is idle detection with the
// production defaults, "off" is PVP_IDLE_MAX_AGE=0 with the reuse TTL at 0.
func dayTable(on, off []dayCycle) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "day of a %d-character region (%s), 30 %% active per cycle; on = idle detection (PVP_IDLE_MAX_AGE=24h), off = PVP_IDLE_MAX_AGE=0 and PVP_EQUIPMENT_SNAPSHOT_TTL_HOURS=0 (fetch every cycle)\n",
		regionSize(), strings.Join(regionBrackets, ","))
	fmt.Fprintf(&sb, "%-6s %6s %7s | %15s | %13s | %15s | %13s | %13s | %17s | %17s | %15s\n", "cycle", "ranked", "entries",
		"requests on/off", "req/char", "children on/off", "children/char", "dedup on/off", "history events", "events/char", "wall on/off")
	for i := range on {
		a, o := on[i], off[i]
		fmt.Fprintf(&sb, "%-6s %6d %7d | %7d/%7d | %6.2f/%6.2f | %7d/%7d | %6.2f/%6.2f | %6d/%6d | %8d/%8d | %8.1f/%8.1f | %7s/%7s\n",
			cycleName(a.Cycle), a.Ranked, a.Entries, a.Requests, o.Requests,
			a.perRanked(float64(a.Requests)), o.perRanked(float64(o.Requests)),
			a.Children, o.Children, a.perRanked(float64(a.Children)), o.perRanked(float64(o.Children)), a.Dedup, o.Dedup,
			a.Events, o.Events, a.perRanked(float64(a.Events)), o.perRanked(float64(o.Events)),
			a.Wall.Round(time.Second), o.Wall.Round(time.Second))
	}
	fmt.Fprintf(&sb, "requests: every API request of the cycle (boards included, OAuth tokens not); children: SyncCharacter runs started; dedup: of which found their character already done by another board's run (no request); history events: all runs of the cycle (region, boards with their continue-as-new runs, characters); per char = per distinct ranked character\n")
	return sb.String()
}

func cycleName(c int) string {
	if c == 1 {
		return "1 cold"
	}
	return fmt.Sprint(c)
}
