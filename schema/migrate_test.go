package schema_test

import (
	"bytes"
	"context"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/internal/testdb"
	"github.com/pvpsync/pvpsync/schema"
)

var allTables = []string{
	"character_loadouts",
	"character_payloads",
	"characters",
	"enchantments",
	"gear_builds",
	"gear_items",
	"item_sets",
	"items",
	"pvp_leaderboard_entries",
	"pvp_leaderboards",
	"pvp_seasons",
	"pvp_talents",
	"specs",
	"talent_loadouts",
	"talents",
}

// v2Tables are the tables of the layout before content addressing (00002).
var v2Tables = []string{
	"characters",
	"items",
	"pvp_leaderboard_entries",
	"pvp_leaderboard_entry_items",
	"pvp_leaderboards",
	"pvp_seasons",
}

// metaRelations are the views of 00004 (the relations that are not base tables), with their kind.
var metaRelations = []string{
	"meta_entries materialized view",
	"meta_entry_slots view",
	"meta_entry_talents view",
}

// appRelations lists the views and materialized views pvpsync created, except gear_build_slots (00003's).
func appRelations(t *testing.T, ctx context.Context, dsn string) []string {
	t.Helper()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `
		SELECT c.relname || CASE c.relkind WHEN 'm' THEN ' materialized view' ELSE ' view' END
		FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind IN ('v', 'm') AND c.relname <> 'gear_build_slots'
		ORDER BY c.relname`)
	require.NoError(t, err)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return names
}

// migrationVersion is the version a migration file's name starts with.
func migrationVersion(t *testing.T, file string) int64 {
	t.Helper()
	v, err := strconv.ParseInt(strings.SplitN(path.Base(file), "_", 2)[0], 10, 64)
	require.NoError(t, err, file)
	return v
}

func appTables(t *testing.T, ctx context.Context, dsn string) []string {
	t.Helper()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `
		SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'goose_db_version'
		ORDER BY table_name`)
	require.NoError(t, err)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return names
}

func TestUpDownUp(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dsn := testdb.NewEmpty(t)

	require.Empty(t, appTables(t, ctx, dsn), "fresh database must be empty")

	var before bytes.Buffer
	require.NoError(t, schema.Status(ctx, dsn, &before))
	assert.Contains(t, before.String(), "00001")
	assert.Contains(t, before.String(), "pending")

	require.NoError(t, schema.Up(ctx, dsn))
	assert.Equal(t, allTables, appTables(t, ctx, dsn))

	var applied bytes.Buffer
	require.NoError(t, schema.Status(ctx, dsn, &applied))
	lines := strings.Split(strings.TrimSpace(applied.String()), "\n")
	files, err := fs.Glob(schema.Migrations, "migrations/*.sql")
	require.NoError(t, err)
	require.Len(t, lines, len(files), "one line per migration: %q", applied.String())
	for i, f := range files {
		assert.Contains(t, lines[i], path.Base(f))
		assert.NotContains(t, lines[i], "pending")
		assert.Regexp(t, `\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z`, lines[i])
	}
	// One step down undoes exactly the last migration, whichever it is.
	require.NoError(t, schema.Down(ctx, dsn, 1))
	assert.Equal(t, migrationVersion(t, files[len(files)-2]), dbVersion(t, ctx, dsn))
	require.NoError(t, schema.Up(ctx, dsn))
	assert.Equal(t, migrationVersion(t, files[len(files)-1]), dbVersion(t, ctx, dsn))

	// Each migration really undoes, down to explicit versions. 00004: the meta view and its column.
	assert.Equal(t, metaRelations, appRelations(t, ctx, dsn))
	assert.True(t, hasColumn(t, ctx, dsn, "pvp_leaderboards", "completed_snapshot_at"))
	migrateDownTo(t, ctx, dsn, 3)
	assert.Empty(t, appRelations(t, ctx, dsn))
	assert.False(t, hasColumn(t, ctx, dsn, "pvp_leaderboards", "completed_snapshot_at"))
	assert.Equal(t, allTables, appTables(t, ctx, dsn))
	// 00003: content addressing.
	migrateDownTo(t, ctx, dsn, 2)
	assert.Equal(t, v2Tables, appTables(t, ctx, dsn))
	assert.False(t, hasColumn(t, ctx, dsn, "characters", "gear_build_id"))
	assert.True(t, hasColumn(t, ctx, dsn, "characters", "unreadable_at"))
	// 00002: one column.
	migrateDownTo(t, ctx, dsn, 1)
	assert.False(t, hasColumn(t, ctx, dsn, "characters", "unreadable_at"))
	require.NoError(t, schema.Up(ctx, dsn))
	assert.True(t, hasColumn(t, ctx, dsn, "characters", "unreadable_at"))
	assert.True(t, hasColumn(t, ctx, dsn, "characters", "gear_build_id"))
	assert.True(t, hasColumn(t, ctx, dsn, "pvp_leaderboards", "completed_snapshot_at"))
	assert.Equal(t, allTables, appTables(t, ctx, dsn))
	assert.Equal(t, metaRelations, appRelations(t, ctx, dsn))

	// Up is idempotent.
	require.NoError(t, schema.Up(ctx, dsn))

	require.NoError(t, schema.Down(ctx, dsn, 100))
	assert.Empty(t, appTables(t, ctx, dsn), "down must drop every pvpsync table")
	assert.Empty(t, appRelations(t, ctx, dsn), "and every view")

	var down bytes.Buffer
	require.NoError(t, schema.Status(ctx, dsn, &down))
	assert.Contains(t, down.String(), "pending")

	require.NoError(t, schema.Up(ctx, dsn))
	assert.Equal(t, allTables, appTables(t, ctx, dsn))
}

func TestDownRejectsZeroSteps(t *testing.T) {
	err := schema.Down(context.Background(), "postgres://postgres@127.0.0.1:5432/unused", 0)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "steps")
}

func TestEnsureDatabase(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// NewEmpty gives a unique name and a drop on cleanup; drop it first so EnsureDatabase has to create it.
	dsn := testdb.NewEmpty(t)
	cfg, err := pgx.ParseConfig(dsn)
	require.NoError(t, err)
	admin := cfg.Copy()
	admin.Database = "postgres"
	conn, err := pgx.ConnectConfig(ctx, admin)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP DATABASE "+pgx.Identifier{cfg.Database}.Sanitize())
	require.NoError(t, err)

	created, err := schema.EnsureDatabase(ctx, dsn)
	require.NoError(t, err)
	assert.True(t, created)

	created, err = schema.EnsureDatabase(ctx, dsn)
	require.NoError(t, err)
	assert.False(t, created, "second call finds the database")

	require.NoError(t, schema.Up(ctx, dsn))
	assert.Equal(t, allTables, appTables(t, ctx, dsn))
}

func hasColumn(t *testing.T, ctx context.Context, dsn, table, column string) bool {
	t.Helper()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var n int
	require.NoError(t, conn.QueryRow(ctx,
		`SELECT count(*) FROM information_schema.columns WHERE table_name = $1 AND column_name = $2`, table, column).Scan(&n))
	return n == 1
}
