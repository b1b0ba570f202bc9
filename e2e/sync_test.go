// Package e2e runs whole syncs on a real Temporal dev server, a real PostgreSQL and the fake Battle.net
// server, and checks the database and the fake's request counters against the fake's ground truth.
package e2e

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/fakeblizzard"
	"github.com/pvpsync/pvpsync/gear"
	"github.com/pvpsync/pvpsync/internal/teststack"
	"github.com/pvpsync/pvpsync/internal/testtemporal"
	"github.com/pvpsync/pvpsync/workflows"
)

func TestMain(m *testing.M) { testtemporal.Main(m) }

// truth is what the fake serves: the distinct characters of the boards and which are private.
type truth struct {
	entries        int
	distinct       map[int64]battlenet.LeaderboardEntry
	private        int // distinct private characters
	privateEntries int // their entries across the boards
}

func groundTruth(t *testing.T, fake *fakeblizzard.Server, region string, brackets ...string) truth {
	tr := truth{distinct: map[int64]battlenet.LeaderboardEntry{}}
	for _, b := range brackets {
		entries, err := fake.Board(region, b)
		require.NoError(t, err)
		tr.entries += len(entries)
		for _, e := range entries {
			tr.distinct[e.Character.ID] = e
			if fake.IsPrivate(region, e.Character.ID) {
				tr.privateEntries++
			}
		}
	}
	for id := range tr.distinct {
		if fake.IsPrivate(region, id) {
			tr.private++
		}
	}
	return tr
}

func (tr truth) public() int { return len(tr.distinct) - tr.private }

func endpointCount(st fakeblizzard.Stats, endpoint string, statuses ...string) int {
	n := int64(0)
	for status, c := range st.ByEndpoint[endpoint] {
		if len(statuses) == 0 {
			n += c
			continue
		}
		for _, s := range statuses {
			if s == status {
				n += c
			}
		}
	}
	return int(n)
}

// TestRegionSync is the end-to-end scenario: a region sync of a 3v3 board past 2,000 characters
// (several roster pages, continue-as-new, the child window) and a shuffle spec board sharing characters
// with it, 5 % private; then a second run that reuses every snapshot, then a run with the TTL at 0 whose
// conditional requests come back 304.
func TestRegionSync(t *testing.T) {
	const region = "us"
	brackets := []string{"3v3", "shuffle-mage-frost"}
	s := teststack.New(t, teststack.Options{Fake: fakeblizzard.Options{
		Seed: 11, Characters: e2eSize(2100), SpecCharacters: e2eSize(300), Brackets: brackets, PrivateFraction: 0.05,
	}})
	tr := groundTruth(t, s.Fake, region, brackets...)
	require.Greater(t, tr.entries, len(tr.distinct), "the boards must share characters")
	require.Positive(t, tr.private)

	// Run 1: everything is fetched.
	s.Fake.ResetStats()
	began := time.Now()
	res, err := s.SyncRegion(t, workflows.SyncRegionInput{Region: region, Window: 150}, 15*time.Minute)
	require.NoError(t, err)
	t.Logf("run 1: %d entries, %d distinct characters in %s", tr.entries, len(tr.distinct), time.Since(began))
	require.Len(t, res.Brackets, 2)
	for _, b := range res.Brackets {
		assert.Equal(t, workflows.BracketCompleted, b.Status, "%s: %s", b.Bracket, b.Error)
	}
	p := res.Totals
	assert.Equal(t, tr.entries, p.Total)
	assert.Equal(t, tr.entries, p.Done)
	assert.Zero(t, p.Failed, "failures: %+v", p.Failures)
	assert.Equal(t, tr.public(), p.Synced, "each public character is synced exactly once")
	assert.Equal(t, tr.private, p.Unavailable, "private characters answer 404 and are marked unavailable")
	assert.Equal(t, tr.entries-len(tr.distinct), p.Deduplicated, "shared characters are synced once per run")

	assert.Equal(t, len(tr.distinct), s.Count(t, `SELECT count(*) FROM characters`))
	assert.Equal(t, tr.entries, s.Count(t, `SELECT count(*) FROM pvp_leaderboard_entries`))
	assert.Equal(t, tr.private, s.Count(t, `SELECT count(*) FROM characters WHERE unavailable_until > now() AND is_private`))
	processed := s.Count(t, `SELECT count(*) FROM pvp_leaderboard_entries WHERE equipment_processed_at IS NOT NULL`)
	entriesOfPublic := s.Count(t, `SELECT count(*) FROM pvp_leaderboard_entries e JOIN characters c ON c.id = e.character_id WHERE c.unavailable_until IS NULL`)
	assert.Equal(t, entriesOfPublic, processed, "every entry of a public character is processed")
	assert.Equal(t, entriesOfPublic, s.Count(t, `SELECT count(*) FROM pvp_leaderboard_entries WHERE specialization_processed_at IS NOT NULL`))

	stats := s.Fake.Stats()
	gearRequests := endpointCount(stats, fakeblizzard.EndpointEquipment) + endpointCount(stats, fakeblizzard.EndpointSpecializations)
	assert.Equal(t, 2*len(tr.distinct), gearRequests, "one equipment and one specializations request per distinct character")
	assert.Equal(t, len(tr.distinct), endpointCount(stats, fakeblizzard.EndpointProfile), "one profile refresh per new character, in parallel with its gear")
	assert.Equal(t, tr.private, endpointCount(stats, fakeblizzard.EndpointProfile, "404"))
	assert.Equal(t, 2*tr.private, endpointCount(stats, fakeblizzard.EndpointEquipment, "404")+endpointCount(stats, fakeblizzard.EndpointSpecializations, "404"))
	assert.Equal(t, p.Requests, gearRequests+endpointCount(stats, fakeblizzard.EndpointProfile)+
		endpointCount(stats, fakeblizzard.EndpointLeaderboard), "the workflows count every request they make")

	checkEntryItems(t, s, tr)
	checkSpecBoard(t, s)

	// Run 2, right after: every public character reuses its fresh snapshot, private ones are in their
	// cooldown: no profile request at all.
	s.Fake.ResetStats()
	began = time.Now()
	res2, err := s.SyncRegion(t, workflows.SyncRegionInput{Region: region}, 15*time.Minute)
	require.NoError(t, err)
	t.Logf("run 2 (reuse): %s", time.Since(began))
	assert.Zero(t, res2.Totals.Failed, "failures: %+v", res2.Totals.Failures)
	assert.Equal(t, tr.public(), res2.Totals.Reused)
	// Private characters are skipped without a request, on each board that shows them (unless another
	// board's skip of the same character is still running: then deduplicated).
	assert.GreaterOrEqual(t, res2.Totals.Private, tr.private)
	assert.LessOrEqual(t, res2.Totals.Private, tr.privateEntries)
	assert.Equal(t, tr.entries, res2.Totals.Reused+res2.Totals.Private+res2.Totals.Deduplicated)
	stats = s.Fake.Stats()
	for _, e := range []string{fakeblizzard.EndpointEquipment, fakeblizzard.EndpointSpecializations, fakeblizzard.EndpointProfile} {
		assert.Zero(t, endpointCount(stats, e), "%s requests on a reuse run", e)
	}
	assert.Equal(t, 2*tr.entries, s.Count(t, `SELECT count(*) FROM pvp_leaderboard_entries`))
	assert.Equal(t, 2*entriesOfPublic, s.Count(t, `SELECT count(*) FROM pvp_leaderboard_entries WHERE equipment_processed_at IS NOT NULL`))
	assert.Equal(t, 2*s.Count(t, `SELECT count(*) FROM pvp_leaderboard_entry_items i JOIN pvp_leaderboard_entries e ON e.id = i.pvp_leaderboard_entry_id WHERE e.snapshot_at = $1`, res.SnapshotAt),
		s.Count(t, `SELECT count(*) FROM pvp_leaderboard_entry_items`), "the reused snapshot carries the same items")

	// Run 3 with the TTL at 0: conditional requests, all answered 304.
	s.Acts.Config.EquipmentTTL = 0
	s.Fake.ResetStats()
	began = time.Now()
	res3, err := s.SyncRegion(t, workflows.SyncRegionInput{Region: region}, 15*time.Minute)
	require.NoError(t, err)
	t.Logf("run 3 (304): %s", time.Since(began))
	assert.Zero(t, res3.Totals.Failed, "failures: %+v", res3.Totals.Failures)
	assert.Equal(t, tr.public(), res3.Totals.NotModified)
	stats = s.Fake.Stats()
	assert.Equal(t, tr.public(), endpointCount(stats, fakeblizzard.EndpointEquipment, "304"))
	assert.Equal(t, tr.public(), endpointCount(stats, fakeblizzard.EndpointSpecializations, "304"))
	assert.Zero(t, endpointCount(stats, fakeblizzard.EndpointEquipment, "200"))
	assert.Equal(t, 3*entriesOfPublic, s.Count(t, `SELECT count(*) FROM pvp_leaderboard_entries WHERE equipment_processed_at IS NOT NULL`))
}

// checkEntryItems compares the stored slots of every public character with what the fake serves.
func checkEntryItems(t *testing.T, s *teststack.Stack, tr truth) {
	t.Helper()
	ctx := context.Background()
	want := 0
	bn, err := battlenet.New(battlenet.Config{ClientID: s.Fake.ClientID(), ClientSecret: s.Fake.ClientSecret(),
		APIURL: s.Fake.URL(), OAuthURL: s.Fake.TokenURL(), RequestsPerSecond: 100000, RequestsPerHour: 1 << 30})
	require.NoError(t, err)
	boardsOf := map[int64]int{}
	rows, err := s.Store.Pool.Query(ctx, `SELECT c.blizzard_id, count(*) FROM pvp_leaderboard_entries e JOIN characters c ON c.id = e.character_id GROUP BY 1`)
	require.NoError(t, err)
	for rows.Next() {
		var id int64
		var n int
		require.NoError(t, rows.Scan(&id, &n))
		boardsOf[id] = n
	}
	require.NoError(t, rows.Err())
	for id, e := range tr.distinct {
		if s.Fake.IsPrivate("us", id) {
			continue
		}
		eq, _, err := bn.Equipment(ctx, "us", "", e.Character.Realm.Slug, e.Character.Name, "")
		require.NoError(t, err)
		g, err := gear.Summarize(eq)
		require.NoError(t, err)
		want += len(g.Slots) * boardsOf[id]
	}
	assert.Equal(t, want, s.Count(t, `SELECT count(*) FROM pvp_leaderboard_entry_items`), "entry items = slots of synced characters × their entries")
}

// checkSpecBoard: entries of a shuffle board carry that board's spec and its talents, whatever spec the
// player logged out in.
func checkSpecBoard(t *testing.T, s *teststack.Stack) {
	t.Helper()
	specID, _ := battlenet.BracketSpecID("shuffle-mage-frost")
	q := `SELECT count(*) FROM pvp_leaderboard_entries e JOIN pvp_leaderboards l ON l.id = e.pvp_leaderboard_id
	      JOIN characters c ON c.id = e.character_id
	      WHERE l.bracket = 'shuffle-mage-frost' AND c.unavailable_until IS NULL`
	all := s.Count(t, q)
	require.Positive(t, all)
	assert.Equal(t, all, s.Count(t, q+` AND e.spec_id = $1 AND e.specialization_processed_at IS NOT NULL`, specID))
	assert.Equal(t, all, s.Count(t, q+` AND c.class_id = 8`), "class derived for every mage")
	assert.Equal(t, all, s.Count(t, q+` AND e.item_level > 0`))
}

// e2eSize lets a developer shrink the boards while iterating (PVP_E2E_SCALE=0.1); CI runs full size.
func e2eSize(n int) int {
	if v, err := strconv.ParseFloat(os.Getenv("PVP_E2E_SCALE"), 64); err == nil && v > 0 {
		return max(1, int(float64(n)*v))
	}
	return n
}
