package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pvpsync/pvpsync/activities"
	"github.com/pvpsync/pvpsync/internal/testbin"
	"github.com/pvpsync/pvpsync/internal/teststack"
	"github.com/pvpsync/pvpsync/meta"
)

// BenchmarkMeta syncs the 5,000-character region of the day benchmark once, then measures what meta
// costs: the refresh at the end of the sync (the RefreshMeta activity), one report per spec through the
// query path (meta.Get: every spec on every board, unfiltered and top 100), `starter meta` as a process,
// and the README's example queries under EXPLAIN ANALYZE, whose plans must read meta_entries through
// its index. The targets: a report ≤ 100 ms per spec, the README items query ≤ 50 ms.
func BenchmarkMeta(b *testing.B) {
	ctx := context.Background()
	s := teststack.New(b, teststack.Options{Quiet: true, Fake: regionFake(400)})
	entries, characters := regionRanked(b, s.Fake)
	began := time.Now()
	regionSync(b, s)
	b.Logf("synced %d entries, %d characters in %s", entries, characters, time.Since(began).Round(time.Second))

	ref, err := s.Acts.RefreshMeta(ctx, activities.RefreshMetaInput{Region: regionName})
	if err != nil {
		b.Fatalf("refresh: %v", err)
	}
	again := time.Now()
	if err := meta.Refresh(ctx, s.Store.Pool); err != nil {
		b.Fatalf("refresh again: %v", err)
	}
	b.ReportMetric(float64(ref.Millis), "refresh-ms")
	b.ReportMetric(float64(time.Since(again).Milliseconds()), "refresh-unchanged-ms")
	b.Logf("refresh: %d ms (%d boards, %d rows); unchanged: %s", ref.Millis, ref.Boards, ref.Characters, time.Since(again).Round(time.Millisecond))

	queries := metaQueries(b, s)
	// One connection, so the server's CPU spent on the reports can be read from its process: on a busy
	// machine wall times measure the queue for a core as much as the query.
	cfg, err := pgxpool.ParseConfig(s.DSN)
	if err != nil {
		b.Fatalf("pool: %v", err)
	}
	cfg.MaxConns = 1
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		b.Fatalf("pool: %v", err)
	}
	defer pool.Close()
	var backend int
	if err := pool.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&backend); err != nil {
		b.Fatalf("backend pid: %v", err)
	}
	var took []time.Duration
	cpu0, cpuOK := processCPU(backend)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, q := range queries {
			t0 := time.Now()
			if _, err := meta.Get(ctx, pool, q); err != nil {
				b.Fatalf("meta %+v: %v", q, err)
			}
			took = append(took, time.Since(t0))
		}
	}
	b.StopTimer()
	if cpu1, ok := processCPU(backend); ok && cpuOK {
		b.ReportMetric(metaMillis(cpu1-cpu0)/float64(len(took)), "report-server-cpu-ms")
	}
	slices.Sort(took)
	b.ReportMetric(metaMillis(took[len(took)/2]), "report-p50-ms")
	b.ReportMetric(metaMillis(took[len(took)*99/100]), "report-p99-ms")
	b.ReportMetric(metaMillis(took[len(took)-1]), "report-max-ms")
	b.Logf("%d reports per iteration (every spec of every board, unfiltered and top 100): p50 %s, p99 %s, max %s",
		len(queries), took[len(took)/2], took[len(took)*99/100], took[len(took)-1])

	b.ReportMetric(metaMillis(starterMeta(b, s)), "starter-max-ms")
	explainReadme(b, s)
}

// metaQueries is a report for every spec with rows on every board, unfiltered and top 100.
func metaQueries(b *testing.B, s *teststack.Stack) []meta.Query {
	b.Helper()
	rows, err := s.Store.Pool.Query(context.Background(),
		`SELECT DISTINCT bracket, spec_id FROM meta_entries WHERE region = $1 ORDER BY 1, 2`, regionName)
	if err != nil {
		b.Fatalf("specs: %v", err)
	}
	var qs []meta.Query
	for rows.Next() {
		var q meta.Query
		if err := rows.Scan(&q.Bracket, &q.SpecID); err != nil {
			b.Fatalf("specs: %v", err)
		}
		q.Region = regionName
		qs = append(qs, q)
		q.Top = 100
		qs = append(qs, q)
	}
	if rows.Err() != nil || len(qs) == 0 {
		b.Fatalf("no spec in meta_entries: %v", rows.Err())
	}
	return qs
}

// starterMeta runs `starter meta` (process start, connection, report, JSON) for a few boards and
// returns the slowest wall time.
func starterMeta(b *testing.B, s *teststack.Stack) time.Duration {
	b.Helper()
	bin := testbin.Build(b, "./starter")
	b.Cleanup(testbin.Cleanup)
	var slowest time.Duration
	for _, args := range [][]string{
		{"--bracket", "shuffle-mage-frost"},
		{"--bracket", "3v3", "--spec", "mage-frost", "--top", "100"},
		{"--bracket", "2v2", "--spec", "warrior-arms", "--top", "50", "--slot", "TRINKET_1"},
		{"--bracket", "blitz-druid-restoration"},
	} {
		cmd := exec.Command(bin, append([]string{"meta", "--region", regionName, "-o", "json"}, args...)...) // #nosec G204 -- the binary this benchmark built
		cmd.Env = append(os.Environ(), "DATABASE_URL="+s.DSN)
		t0 := time.Now()
		out, err := cmd.Output()
		took := time.Since(t0)
		if err != nil {
			b.Fatalf("starter meta %v: %v", args, err)
		}
		var rep meta.Report
		if err := json.Unmarshal(out, &rep); err != nil || rep.Characters == 0 {
			b.Fatalf("starter meta %v: %d characters, %v", args, rep.Characters, err)
		}
		b.Logf("starter meta %s: %d characters in %s", strings.Join(args, " "), rep.Characters, took.Round(time.Millisecond))
		slowest = max(slowest, took)
	}
	return slowest
}

// explainReadme runs the README's queries under EXPLAIN ANALYZE: meta_entries must be read through
// its index (never a scan of every board), and the items query must answer within 50 ms.
func explainReadme(b *testing.B, s *teststack.Stack) {
	b.Helper()
	const arms = 71 // warrior-arms
	var rating int
	if err := s.Store.Pool.QueryRow(context.Background(), `SELECT COALESCE(percentile_disc(0.5) WITHIN GROUP (ORDER BY rating), 0)
FROM meta_entries WHERE region = $1 AND bracket = '3v3' AND spec_id = $2`, regionName, arms).Scan(&rating); err != nil {
		b.Fatalf("median rating: %v", err)
	}
	for _, c := range []struct {
		name, sql string
		args      []any
		limit     float64 // ms; 0: report only
	}{
		{"items", meta.ExampleTopItemsSQL, []any{regionName, "shuffle-mage-frost"}, 50},
		{"talents", meta.ExampleTalentPicksSQL, []any{regionName, "3v3", arms, rating}, 0},
	} {
		var raw []byte
		if err := s.Store.Pool.QueryRow(context.Background(), "EXPLAIN (ANALYZE, FORMAT JSON) "+c.sql, c.args...).Scan(&raw); err != nil {
			b.Fatalf("explain %s: %v", c.name, err)
		}
		var plans []struct {
			Plan          planNode `json:"Plan"`
			ExecutionTime float64  `json:"Execution Time"`
			PlanningTime  float64  `json:"Planning Time"`
		}
		if err := json.Unmarshal(raw, &plans); err != nil || len(plans) != 1 {
			b.Fatalf("explain %s: %v: %s", c.name, err, raw)
		}
		p := plans[0]
		scans := p.Plan.scansOf("meta_entries")
		b.Logf("README %s query: planning %.2f ms, execution %.2f ms, meta_entries read by %v", c.name, p.PlanningTime, p.ExecutionTime, scans)
		b.ReportMetric(p.ExecutionTime, "readme-"+c.name+"-ms")
		if len(scans) == 0 || slices.ContainsFunc(scans, func(s string) bool { return !strings.HasPrefix(s, "Index") && s != "Bitmap Heap Scan" }) {
			b.Errorf("README %s query reads meta_entries by %v, not by its index:\n%s", c.name, scans, raw)
		}
		if c.limit > 0 && p.ExecutionTime > c.limit {
			b.Errorf("README %s query took %.1f ms, over %.0f ms", c.name, p.ExecutionTime, c.limit)
		}
	}
}

// planNode is a node of EXPLAIN's JSON plan.
type planNode struct {
	NodeType string     `json:"Node Type"`
	Relation string     `json:"Relation Name"`
	Plans    []planNode `json:"Plans"`
}

// scansOf lists the node types reading relation, anywhere in the plan.
func (n planNode) scansOf(relation string) []string {
	var out []string
	if n.Relation == relation {
		out = append(out, n.NodeType)
	}
	for _, c := range n.Plans {
		out = append(out, c.scansOf(relation)...)
	}
	return out
}

// processCPU is the user and system CPU time a local process has used (PostgreSQL's backend: this
// benchmark runs beside the server); false when /proc cannot tell.
func processCPU(pid int) (time.Duration, bool) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	// Fields after the command name (which may hold spaces): state is the first, utime the 12th, stime the 13th.
	f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+1:]))
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(utime+stime) * time.Second / 100, true // clock ticks: 100 per second on Linux
}

func metaMillis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
