package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/internal/testdb"
	"github.com/pvpsync/pvpsync/meta"
	"github.com/pvpsync/pvpsync/meta/metatest"
)

// unreachableDatabase is a closed port: a command that got as far as connecting fails with exit code 1.
const unreachableDatabase = "postgres://postgres@127.0.0.1:1/pvpsync?sslmode=disable&connect_timeout=2"

func runMeta(t *testing.T, dsn string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runBinaryEnv(t, []string{"DATABASE_URL=" + dsn}, append([]string{"meta"}, args...)...)
}

func TestMetaRejectsBadInputWithExitCode2(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no region", []string{"--bracket", "3v3", "--spec", "mage-frost"}, "--region is required"},
		{"unknown region", []string{"--region", "cn", "--bracket", "3v3", "--spec", "mage-frost"}, `unknown region "cn"`},
		{"no bracket", []string{"--region", "eu"}, "--bracket is required"},
		{"unknown bracket", []string{"--region", "eu", "--bracket", "5v5", "--spec", "mage-frost"}, `unknown bracket "5v5"`},
		{"unknown spec board", []string{"--region", "eu", "--bracket", "shuffle-mage-bogus"}, `unknown bracket "shuffle-mage-bogus"`},
		{"3v3 without a spec", []string{"--region", "eu", "--bracket", "3v3"}, "--spec is required on 3v3"},
		{"2v2 without a spec", []string{"--region", "us", "--bracket", "2v2"}, "--spec is required on 2v2"},
		{"unknown spec", []string{"--region", "eu", "--bracket", "3v3", "--spec", "mage-frostfire"}, `unknown spec "mage-frostfire"`},
		{"another spec than the board's", []string{"--region", "eu", "--bracket", "shuffle-mage-frost", "--spec", "mage-fire"}, "ranks spec 64 only, not spec 63"},
		{"negative top", []string{"--region", "eu", "--bracket", "shuffle-mage-frost", "--top", "-1"}, "top must be positive"},
		{"negative rating", []string{"--region", "eu", "--bracket", "shuffle-mage-frost", "--min-rating", "-1"}, "minimum rating must be positive"},
		{"non-numeric top", []string{"--region", "eu", "--bracket", "shuffle-mage-frost", "--top", "all"}, "invalid argument"},
		{"unknown slot", []string{"--region", "eu", "--bracket", "shuffle-mage-frost", "--slot", "POCKET"}, `unknown slot "POCKET"`},
		{"zero limit", []string{"--region", "eu", "--bracket", "shuffle-mage-frost", "--limit", "0"}, "--limit must be positive"},
		{"unknown output format", []string{"--region", "eu", "--bracket", "shuffle-mage-frost", "-o", "yaml"}, `--output must be table or json, got "yaml"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runMeta(t, unreachableDatabase, tc.args...)
			assert.Equal(t, exitUsage, code, "stderr: %s", stderr)
			assert.Contains(t, stderr, tc.want)
		})
	}
	// Valid input gets as far as the database: exit code 1, not 2.
	code, _, stderr := runMeta(t, unreachableDatabase, "--region", "eu", "--bracket", "3v3", "--spec", "mage-frost")
	assert.Equal(t, exitFailed, code, "stderr: %s", stderr)
	assert.Contains(t, stderr, "connect to PostgreSQL")
}

// TestMetaPrintsTheReport runs the command on a board written through the store: the JSON is the
// report meta.Get computes, and the table shows names and percentages.
func TestMetaPrintsTheReport(t *testing.T) {
	st, dsn := testdb.Open(t)
	snapshot := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	metatest.Write(t, st, metatest.Board{Region: "eu", Bracket: "shuffle-mage-frost", Season: 42, Snapshot: snapshot,
		Characters: metatest.Generate(11, 60, 64, true), Finish: true})
	require.NoError(t, meta.Refresh(context.Background(), st.Pool))

	code, stdout, stderr := runMeta(t, dsn, "--region", "eu", "--bracket", "shuffle-mage-frost", "--top", "20", "--slot", "trinket_1", "-o", "json")
	require.Equal(t, exitOK, code, "stderr: %s", stderr)
	var got meta.Report
	require.NoError(t, json.Unmarshal([]byte(stdout), &got), stdout)
	want, err := meta.Get(context.Background(), st.Pool, meta.Query{Region: "eu", Bracket: "shuffle-mage-frost", Top: 20, Slot: "TRINKET_1"})
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Equal(t, 20, got.Characters)
	require.Len(t, got.Slots, 1)
	assert.Equal(t, "TRINKET_1", got.Slots[0].Slot)

	code, stdout, stderr = runMeta(t, dsn, "--region", "eu", "--bracket", "shuffle-mage-frost")
	require.Equal(t, exitOK, code, "stderr: %s", stderr)
	for _, s := range []string{"Frost Mage · shuffle-mage-frost · eu", "snapshot 2026-11-30T08:00:00Z", "ITEMS", "ENCHANTS", "GEMS",
		"TIER SET", "Test Tier", "HERO TREES", "Spellslinger", "TALENTS", "PVP TALENTS", "LOADOUT CODES", "Item 1000", "Enchant ", "%"} {
		assert.Contains(t, stdout, s)
	}

	// A board never synced: an explanation, not an error.
	code, stdout, stderr = runMeta(t, dsn, "--region", "us", "--bracket", "3v3", "--spec", "warrior-arms")
	require.Equal(t, exitOK, code, "stderr: %s", stderr)
	assert.Contains(t, stdout, "Arms Warrior · 3v3 · us")
	assert.Contains(t, stdout, "no character of this spec in a complete snapshot")
}
