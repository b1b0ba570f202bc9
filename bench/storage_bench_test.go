package bench

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/pvpsync/pvpsync/internal/teststack"
	"github.com/pvpsync/pvpsync/schema"
)

// oldLayoutVersion is the last migration of the layout before content addressing (entries carrying
// their gear, talents and raw JSON, one entry-items row per slot): migration 00003's Down rebuilds it
// from the new one with the same data.
const oldLayoutVersion = 2

// BenchmarkStorage is the storage benchmark of issue 12: a 5,000-character region (see regionBrackets)
// synced 4 times with the production configuration, 30 % of the public ranked characters changing gear
// between two syncs (fake GearChange 0.3, Active 0.3: those who regear are those who played). It
// prints the bytes on disk (pg_total_relation_size of every pvpsync table: heap, TOAST and indexes)
// after each sync — a plain VACUUM runs after each, as autovacuum would — then compares the layouts on
// the same data: the database after the first sync is cloned, and both it and the final one are
// measured after VACUUM FULL, migrated down to version 2 (the old layout), VACUUM FULL again and
// measured, then measured once more without the raw JSON. Targets: ≤ 600 bytes per additional
// entry-snapshot, and a first sync no larger than the old layout's.
//
//	go test ./bench/ -run '^$' -bench Storage -benchtime 1x -timeout 60m
func BenchmarkStorage(b *testing.B) {
	for i := 0; i < b.N; i++ {
		fake := regionFake(311)
		fake.GearChange = 0.3
		s := teststack.New(b, teststack.Options{Quiet: true, Fake: fake})
		ctx := context.Background()
		mainCfg, err := pgx.ParseConfig(s.DSN)
		if err != nil {
			b.Fatalf("parse DSN: %v", err)
		}

		var syncs []storageSync
		var firstCfg *pgx.ConnConfig
		for c := 1; c <= regionCycles; c++ {
			regeared := 0
			if c > 1 {
				rep := s.Fake.Advance()
				regeared = len(inRegion(rep.GearChanged))
			}
			regionNextSecond()
			began := time.Now()
			regionSync(b, s)
			wall := time.Since(began)
			if _, err := s.Store.Pool.Exec(ctx, "VACUUM"); err != nil {
				b.Fatalf("vacuum: %v", err)
			}
			conn := connect(b, mainCfg)
			m := measure(b, conn)
			_ = conn.Close(ctx)
			m.Regeared, m.Wall = regeared, wall
			syncs = append(syncs, m)
			b.Logf("sync %d: %s", c, m.summary())
			if c == 1 {
				firstCfg = cloneDatabase(b, s, mainCfg)
			}
		}

		cmp := compareLayouts(b, firstCfg, mainCfg)
		last := syncs[len(syncs)-1]
		b.ReportMetric(cmp.newLayout.additional(false), "new-B/added-entry")
		b.ReportMetric(cmp.oldLayout.additional(false), "old-B/added-entry")
		b.ReportMetric(cmp.newLayout.firstPerEntry(false)/cmp.oldLayout.firstPerEntry(false), "first-new/old")
		b.ReportMetric(float64(last.Total)/float64(last.Characters), "B/char")
		fmt.Print(storageReport(syncs, cmp))
	}
}

// inRegion keeps the ids of the benchmark's region (the fake advances all four).
func inRegion(ids []int64) []int64 {
	return slices.DeleteFunc(slices.Clone(ids), func(id int64) bool { return id < 100_000_000 || id >= 200_000_000 })
}

// relSize is one table on disk: its heap (with free-space and visibility maps), its TOAST (with the
// TOAST index) and each of its indexes; they sum to pg_total_relation_size.
type relSize struct {
	Table, Toast int64
	Indexes      map[string]int64
}

func (r relSize) total() int64 {
	n := r.Table + r.Toast
	for _, v := range r.Indexes {
		n += v
	}
	return n
}

// storageSync is the database at one moment.
type storageSync struct {
	Entries, Characters int
	Total               int64
	Relations           map[string]relSize
	Regeared            int // characters whose gear changed before this sync
	Wall                time.Duration
}

func (m storageSync) without(table string) int64 { return m.Total - m.Relations[table].total() }

func (m storageSync) summary() string {
	return fmt.Sprintf("%d entries, %d characters, %d bytes (%d without character_payloads), %d regeared, %s",
		m.Entries, m.Characters, m.Total, m.without("character_payloads"), m.Regeared, m.Wall.Round(time.Second))
}

// measure reads the size of every pvpsync table (the migrations' bookkeeping table aside).
func measure(b *testing.B, conn *pgx.Conn) storageSync {
	b.Helper()
	ctx := context.Background()
	const q = `SELECT t.relname, pg_table_size(t.oid) - COALESCE(pg_total_relation_size(NULLIF(t.reltoastrelid, 0)), 0),
       COALESCE(pg_total_relation_size(NULLIF(t.reltoastrelid, 0)), 0), i.relname, COALESCE(pg_relation_size(i.oid), 0)
FROM pg_class AS t
JOIN pg_namespace AS n ON n.oid = t.relnamespace
LEFT JOIN pg_index AS x ON x.indrelid = t.oid
LEFT JOIN pg_class AS i ON i.oid = x.indexrelid
WHERE n.nspname = 'public' AND t.relkind = 'r' AND t.relname <> 'goose_db_version'`
	rows, err := conn.Query(ctx, q)
	if err != nil {
		b.Fatalf("measure relations: %v", err)
	}
	m := storageSync{Relations: map[string]relSize{}}
	for rows.Next() {
		var table string
		var heap, toast, idxSize int64
		var index *string
		if err := rows.Scan(&table, &heap, &toast, &index, &idxSize); err != nil {
			b.Fatalf("scan relation size: %v", err)
		}
		r, ok := m.Relations[table]
		if !ok {
			r = relSize{Table: heap, Toast: toast, Indexes: map[string]int64{}}
		}
		if index != nil {
			r.Indexes[*index] = idxSize
		}
		m.Relations[table] = r
	}
	if err := rows.Err(); err != nil {
		b.Fatalf("measure relations: %v", err)
	}
	for _, r := range m.Relations {
		m.Total += r.total()
	}
	for q, dst := range map[string]*int{
		`SELECT count(*) FROM pvp_leaderboard_entries`: &m.Entries,
		`SELECT count(*) FROM characters`:              &m.Characters,
	} {
		if err := conn.QueryRow(ctx, q).Scan(dst); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	return m
}

func connect(b *testing.B, cfg *pgx.ConnConfig) *pgx.Conn {
	b.Helper()
	conn, err := pgx.ConnectConfig(context.Background(), cfg)
	if err != nil {
		b.Fatalf("connect to %s: %v", cfg.Database, err)
	}
	return conn
}

// cloneDatabase copies the stack's database (CREATE DATABASE … TEMPLATE, which needs it without other
// sessions: the pool's idle connections are closed and any left are terminated; nothing runs between
// two syncs). The copy is dropped on cleanup.
func cloneDatabase(b *testing.B, s *teststack.Stack, src *pgx.ConnConfig) *pgx.ConnConfig {
	b.Helper()
	ctx := context.Background()
	admin := src.Copy()
	admin.Database = "postgres"
	conn := connect(b, admin)
	defer conn.Close(ctx)
	name := src.Database + "_first"
	for attempt := 1; ; attempt++ {
		s.Store.Pool.Reset()
		if _, err := conn.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, src.Database); err != nil {
			b.Fatalf("close the sessions of %s: %v", src.Database, err)
		}
		_, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE "+pgx.Identifier{src.Database}.Sanitize())
		var pgErr *pgconn.PgError
		if err == nil {
			break
		}
		if !errors.As(err, &pgErr) || pgErr.Code != "55006" || attempt == 20 {
			b.Fatalf("clone %s: %v", src.Database, err)
		}
		time.Sleep(100 * time.Millisecond) // a session came back in between: try again
	}
	b.Cleanup(func() {
		c := connect(b, admin)
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			b.Errorf("drop %s: %v", name, err)
		}
	})
	clone := src.Copy()
	clone.Database = name
	return clone
}

// layoutSizes is one layout measured after the first sync and after the last, both after VACUUM FULL,
// with and without the raw JSON.
type layoutSizes struct {
	first, last           storageSync
	firstNoRaw, lastNoRaw int64
}

func (l layoutSizes) totals(noRaw bool) (first, last int64) {
	if noRaw {
		return l.firstNoRaw, l.lastNoRaw
	}
	return l.first.Total, l.last.Total
}

func (l layoutSizes) firstPerEntry(noRaw bool) float64 {
	first, _ := l.totals(noRaw)
	return float64(first) / float64(l.first.Entries)
}

func (l layoutSizes) firstPerChar(noRaw bool) float64 {
	first, _ := l.totals(noRaw)
	return float64(first) / float64(l.first.Characters)
}

// additional is the bytes per entry-snapshot the later syncs added.
func (l layoutSizes) additional(noRaw bool) float64 {
	first, last := l.totals(noRaw)
	return float64(last-first) / float64(l.last.Entries-l.first.Entries)
}

type layoutComparison struct{ newLayout, oldLayout layoutSizes }

// compareLayouts measures both databases in the new layout, migrates them down to the old one and
// measures them again, each time after VACUUM FULL so neither layout is charged for dead space.
func compareLayouts(b *testing.B, first, last *pgx.ConnConfig) layoutComparison {
	b.Helper()
	var cmp layoutComparison
	cmp.newLayout.first, cmp.newLayout.firstNoRaw = measureFull(b, first, "")
	cmp.newLayout.last, cmp.newLayout.lastNoRaw = measureFull(b, last, "")
	for _, cfg := range []*pgx.ConnConfig{first, last} {
		downTo(b, cfg, oldLayoutVersion)
	}
	const dropRaw = `UPDATE pvp_leaderboard_entries SET raw_equipment = NULL, raw_specialization = NULL
WHERE raw_equipment IS NOT NULL OR raw_specialization IS NOT NULL`
	cmp.oldLayout.first, cmp.oldLayout.firstNoRaw = measureFull(b, first, dropRaw)
	cmp.oldLayout.last, cmp.oldLayout.lastNoRaw = measureFull(b, last, dropRaw)
	return cmp
}

// measureFull measures a database after VACUUM FULL; then its size without the raw JSON: in the new
// layout the character_payloads table, in the old one what dropRaw frees (measured again after it and
// another VACUUM FULL).
func measureFull(b *testing.B, cfg *pgx.ConnConfig, dropRaw string) (storageSync, int64) {
	b.Helper()
	ctx := context.Background()
	conn := connect(b, cfg)
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "VACUUM FULL"); err != nil {
		b.Fatalf("vacuum full %s: %v", cfg.Database, err)
	}
	m := measure(b, conn)
	if dropRaw == "" {
		return m, m.without("character_payloads")
	}
	if _, err := conn.Exec(ctx, dropRaw); err != nil {
		b.Fatalf("drop the raw JSON of %s: %v", cfg.Database, err)
	}
	if _, err := conn.Exec(ctx, "VACUUM FULL"); err != nil {
		b.Fatalf("vacuum full %s: %v", cfg.Database, err)
	}
	return m, measure(b, conn).Total
}

// downTo runs the embedded migrations' Down steps until version remains.
func downTo(b *testing.B, cfg *pgx.ConnConfig, version int64) {
	b.Helper()
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	sub, err := fs.Sub(schema.Migrations, "migrations")
	if err != nil {
		b.Fatalf("migrations: %v", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub)
	if err != nil {
		b.Fatalf("migration provider: %v", err)
	}
	began := time.Now()
	if _, err := p.DownTo(context.Background(), version); err != nil {
		b.Fatalf("migrate %s down to %d: %v", cfg.Database, version, err)
	}
	b.Logf("%s migrated down to version %d in %s", cfg.Database, version, time.Since(began).Round(time.Millisecond))
}

// storageReport prints the figures: growth per sync, the layouts compared, and where the bytes go.
func storageReport(syncs []storageSync, cmp layoutComparison) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "storage of a %d-character region (%s), %d syncs, 30 %% of the public ranked characters regear between two (fake Active 0.3, GearChange 0.3), production configuration\n",
		regionSize(), strings.Join(regionBrackets, ","), len(syncs))
	fmt.Fprintf(&sb, "\nafter each sync (plain VACUUM after each, as autovacuum would):\n")
	fmt.Fprintf(&sb, "%-4s %8s %10s %8s %12s %12s %14s %16s %8s\n", "sync", "entries", "characters", "regeared", "bytes", "+bytes", "+bytes/+entry", "w/o payloads", "wall")
	for i, m := range syncs {
		delta, per := m.Total, float64(m.Total)/float64(m.Entries)
		if i > 0 {
			delta = m.Total - syncs[i-1].Total
			per = float64(delta) / float64(m.Entries-syncs[i-1].Entries)
		}
		fmt.Fprintf(&sb, "%-4d %8d %10d %8d %12d %12d %14.0f %16d %8s\n", i+1, m.Entries, m.Characters, m.Regeared, m.Total, delta, per,
			m.without("character_payloads"), m.Wall.Round(time.Second))
	}

	fmt.Fprintf(&sb, "\nlayouts on the same data (VACUUM FULL on both; old = migrated down to version %d):\n", oldLayoutVersion)
	fmt.Fprintf(&sb, "%-22s %12s %10s %10s | %14s | %16s %14s\n", "", "first sync", "B/entry", "B/char", "B/added entry", "w/o raw: B/entry", "B/added entry")
	row := func(name string, l layoutSizes) {
		fmt.Fprintf(&sb, "%-22s %12d %10.0f %10.0f | %14.0f | %16.0f %14.0f\n", name, l.first.Total, l.firstPerEntry(false), l.firstPerChar(false),
			l.additional(false), l.firstPerEntry(true), l.additional(true))
	}
	row("new (content-addressed)", cmp.newLayout)
	row("old (version 2)", cmp.oldLayout)
	n, o := cmp.newLayout, cmp.oldLayout
	fmt.Fprintf(&sb, "%-22s %12.2f %10.2f %10.2f | %14.2f | %16.2f %14.2f\n", "new/old", float64(n.first.Total)/float64(o.first.Total),
		n.firstPerEntry(false)/o.firstPerEntry(false), n.firstPerChar(false)/o.firstPerChar(false),
		n.additional(false)/o.additional(false), n.firstPerEntry(true)/o.firstPerEntry(true), n.additional(true)/o.additional(true))
	fmt.Fprintf(&sb, "entries: %d after the first sync, %d after the last; characters: %d; raw JSON = character_payloads (new) or raw_equipment/raw_specialization (old)\n",
		n.first.Entries, n.last.Entries, n.last.Characters)
	fmt.Fprintf(&sb, "targets: ≤ 600 B per added entry-snapshot: %s (%.0f); first sync no larger than the old layout's: %s (%d vs %d bytes)\n",
		verdict(n.additional(false) <= 600), n.additional(false), verdict(n.first.Total <= o.first.Total), n.first.Total, o.first.Total)

	breakdown(&sb, "new layout", n)
	breakdown(&sb, "old layout", o)
	return sb.String()
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// breakdown lists each table's heap, TOAST and indexes after the first sync and the last (VACUUM FULL),
// and what the later syncs added per added entry-snapshot, largest first.
func breakdown(sb *strings.Builder, name string, l layoutSizes) {
	added := float64(l.last.Entries - l.first.Entries)
	type part struct {
		name        string
		first, last int64
	}
	var parts []part
	for table, r := range l.last.Relations {
		f := l.first.Relations[table]
		parts = append(parts, part{table, f.Table, r.Table})
		if r.Toast > 0 || f.Toast > 0 {
			parts = append(parts, part{table + " (TOAST)", f.Toast, r.Toast})
		}
		for idx, v := range r.Indexes {
			parts = append(parts, part{"  " + idx, f.Indexes[idx], v})
		}
	}
	slices.SortFunc(parts, func(a, b part) int {
		if c := (b.last - b.first) - (a.last - a.first); c != 0 {
			return int(c)
		}
		return strings.Compare(a.name, b.name)
	})
	fmt.Fprintf(sb, "\n%s, where the bytes go (indexes indented; VACUUM FULL; unchanged relations under 64 KiB left out):\n", name)
	fmt.Fprintf(sb, "%-70s %12s %12s %14s\n", "relation", "first sync", "last sync", "B/added entry")
	for _, p := range parts {
		if p.first == p.last && p.last < 64<<10 {
			continue // empty TOAST tables and small catalogues
		}
		fmt.Fprintf(sb, "%-70s %12d %12d %14.1f\n", p.name, p.first, p.last, float64(p.last-p.first)/added)
	}
}
