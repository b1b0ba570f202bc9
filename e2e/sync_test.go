// Package e2e runs whole syncs on a real Temporal dev server, a real PostgreSQL and the fake Battle.net
// server, and checks the database and the fake's request counters against the fake's ground truth.
package e2e

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/fakeblizzard"
	"github.com/pvpsync/pvpsync/internal/teststack"
	"github.com/pvpsync/pvpsync/internal/testtemporal"
	"github.com/pvpsync/pvpsync/internal/truthcheck"
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
// with it, 5 % private; a second run right after in which every character is idle (no request, no
// child workflow); a run after the world moved on, where only the characters that played are fetched;
// and a run with idle detection off and the TTL at 0, whose conditional requests come back 304. Every
// run ends with the ground-truth check of every entry.
func TestRegionSync(t *testing.T) {
	const region = "us"
	brackets := []string{"3v3", "shuffle-mage-frost"}
	s := teststack.New(t, teststack.Options{Fake: fakeblizzard.Options{
		Seed: 11, Characters: e2eSize(2100), SpecCharacters: e2eSize(300), Brackets: brackets, PrivateFraction: 0.05, Active: 0.3,
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
	entriesOfPublic := s.Count(t, `SELECT count(*) FROM pvp_leaderboard_entries e JOIN characters c ON c.id = e.character_id WHERE c.unavailable_until IS NULL`)
	assert.Equal(t, entriesOfPublic, s.Count(t, `SELECT count(*) FROM pvp_leaderboard_entries WHERE gear_build_id IS NOT NULL AND processed_at IS NOT NULL`),
		"every entry of a public character carries its gear build")

	stats := s.Fake.Stats()
	gearRequests := endpointCount(stats, fakeblizzard.EndpointEquipment) + endpointCount(stats, fakeblizzard.EndpointSpecializations)
	assert.Equal(t, 2*len(tr.distinct), gearRequests, "one equipment and one specializations request per distinct character")
	assert.Equal(t, len(tr.distinct), endpointCount(stats, fakeblizzard.EndpointProfile), "one profile refresh per new character, in parallel with its gear")
	assert.Equal(t, tr.private, endpointCount(stats, fakeblizzard.EndpointProfile, "404"))
	assert.Equal(t, 2*tr.private, endpointCount(stats, fakeblizzard.EndpointEquipment, "404")+endpointCount(stats, fakeblizzard.EndpointSpecializations, "404"))
	assert.Equal(t, p.Requests, gearRequests+endpointCount(stats, fakeblizzard.EndpointProfile)+
		endpointCount(stats, fakeblizzard.EndpointLeaderboard)+endpointCount(stats, fakeblizzard.EndpointSeasonIndex)+
		endpointCount(stats, fakeblizzard.EndpointSeason)+endpointCount(stats, fakeblizzard.EndpointLeaderboardIndex),
		"the workflows count every request they make")
	checkTruth(t, s, region, res.SnapshotAt, nil)
	builds := s.Count(t, `SELECT count(*) FROM gear_builds`)
	assert.LessOrEqual(t, builds, tr.public(), "at most one gear build per public character")

	nextSnapshot()
	// Run 2, right after: nobody played, so every public character is idle — no request and no child
	// workflow — and private ones are skipped without a request.
	s.Fake.ResetStats()
	began = time.Now()
	res2, err := s.SyncRegion(t, workflows.SyncRegionInput{Region: region}, 15*time.Minute)
	require.NoError(t, err)
	t.Logf("run 2 (idle): %s", time.Since(began))
	assert.Zero(t, res2.Totals.Failed, "failures: %+v", res2.Totals.Failures)
	assert.Equal(t, tr.public(), res2.Totals.Idle)
	// Private characters are skipped without a request, on each board that shows them.
	assert.GreaterOrEqual(t, res2.Totals.Private, tr.private)
	assert.LessOrEqual(t, res2.Totals.Private, tr.privateEntries)
	assert.Equal(t, tr.entries, res2.Totals.Idle+res2.Totals.Private+res2.Totals.Deduplicated)
	stats = s.Fake.Stats()
	for _, e := range []string{fakeblizzard.EndpointEquipment, fakeblizzard.EndpointSpecializations, fakeblizzard.EndpointProfile} {
		assert.Zero(t, endpointCount(stats, e), "%s requests on an idle run", e)
	}
	assert.Zero(t, characterWorkflows(t, s, res2.SnapshotAt), "no SyncCharacter child for a character that needs no request")
	assert.Equal(t, 2*tr.entries, s.Count(t, `SELECT count(*) FROM pvp_leaderboard_entries`))
	assert.Equal(t, builds, s.Count(t, `SELECT count(*) FROM gear_builds`), "an idle snapshot writes no gear build")
	assert.Zero(t, s.Count(t, `SELECT count(*) FROM pvp_leaderboard_entries a JOIN pvp_leaderboard_entries b
	  ON a.character_id = b.character_id AND a.pvp_leaderboard_id = b.pvp_leaderboard_id
	  WHERE a.snapshot_at = $1 AND b.snapshot_at = $2
	    AND (a.gear_build_id, a.talent_loadout_id, a.spec_id) IS DISTINCT FROM (b.gear_build_id, b.talent_loadout_id, b.spec_id)`,
		res.SnapshotAt, res2.SnapshotAt), "an idle character's new entries equal its previous ones")
	checkTruth(t, s, region, res2.SnapshotAt, nil)

	// Run 3: the world moves on — 30 % of the characters play, some change gear, a few change gear
	// without playing. Only the players (and characters new to a board) are fetched.
	adv := s.Fake.Advance()
	nextSnapshot()
	s.Fake.ResetStats()
	res3, err := s.SyncRegion(t, workflows.SyncRegionInput{Region: region}, 15*time.Minute)
	require.NoError(t, err)
	assert.Zero(t, res3.Totals.Failed, "failures: %+v", res3.Totals.Failures)
	assert.Positive(t, res3.Totals.Idle)
	fetched := res3.Totals.Synced + res3.Totals.NotModified
	assert.Positive(t, fetched)
	assert.Less(t, fetched, tr.public()/2, "only the characters that played are fetched")
	stats = s.Fake.Stats()
	assert.Equal(t, fetched+res3.Totals.Unavailable, endpointCount(stats, fakeblizzard.EndpointEquipment),
		"one equipment request per character that went through a child, none for idle ones")
	stale := map[int64]bool{}
	for _, id := range adv.IdleGearChanged {
		stale[id] = true // changed gear without a rated game: idle detection cannot see it (bounded by PVP_IDLE_MAX_AGE)
	}
	checkTruth(t, s, region, res3.SnapshotAt, stale)

	// Run 3b, right after: everybody is idle again, and the copies carry what run 3 fetched (new gear,
	// respecs), not an older snapshot's.
	nextSnapshot()
	s.Fake.ResetStats()
	res3b, err := s.SyncRegion(t, workflows.SyncRegionInput{Region: region}, 15*time.Minute)
	require.NoError(t, err)
	assert.Equal(t, res3.Totals.Synced+res3.Totals.NotModified+res3.Totals.Idle, res3b.Totals.Idle,
		"every character run 3 processed is idle now")
	assert.Zero(t, res3b.Totals.Synced)
	assert.Zero(t, endpointCount(s.Fake.Stats(), fakeblizzard.EndpointEquipment), "no gear request on an idle run")
	checkTruth(t, s, region, res3b.SnapshotAt, stale)

	// Run 4 with idle detection off and the TTL at 0: conditional requests for everybody; whoever did
	// not change since run 3 answers 304 on both sides.
	s.Acts.Config.IdleMaxAge, s.Acts.Config.EquipmentTTL = 0, 0
	nextSnapshot()
	s.Fake.ResetStats()
	res4, err := s.SyncRegion(t, workflows.SyncRegionInput{Region: region}, 15*time.Minute)
	require.NoError(t, err)
	assert.Zero(t, res4.Totals.Failed, "failures: %+v", res4.Totals.Failures)
	assert.Zero(t, res4.Totals.Idle)
	assert.Positive(t, res4.Totals.NotModified)
	stats = s.Fake.Stats()
	assert.Equal(t, res4.Totals.Synced+res4.Totals.NotModified, endpointCount(stats, fakeblizzard.EndpointEquipment, "200", "304"))
	assert.GreaterOrEqual(t, endpointCount(stats, fakeblizzard.EndpointEquipment, "304"), res4.Totals.NotModified,
		"a character is not modified when both of its sides answer 304")
	checkTruth(t, s, region, res4.SnapshotAt, nil)
}

// nextSnapshot waits for the next second: snapshot times (and the ids of board workflows) have second
// precision, and two runs of one test may otherwise share one.
func nextSnapshot() {
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
}

// checkTruth is the ground-truth check of one snapshot.
func checkTruth(t *testing.T, s *teststack.Stack, region string, snapshot time.Time, stale map[int64]bool) {
	t.Helper()
	rep, err := truthcheck.Check(context.Background(), s.Store.Pool, s.Fake, truthcheck.Options{Region: region, Snapshot: snapshot, Stale: stale})
	require.NoError(t, err)
	assert.Positive(t, rep.Checked)
	assert.Empty(t, rep.Problems, "ground truth of snapshot %s: %s", snapshot.Format(time.RFC3339), rep)
}

// characterWorkflows counts the SyncCharacter executions started for a snapshot's run (their ids are
// per character, so it counts executions started since the snapshot).
func characterWorkflows(t *testing.T, s *teststack.Stack, since time.Time) int {
	t.Helper()
	resp, err := s.Temporal.CountWorkflow(context.Background(), &workflowservice.CountWorkflowExecutionsRequest{
		Query: fmt.Sprintf("WorkflowType = '%s' AND StartTime >= '%s'", workflows.SyncCharacterName, since.Format(time.RFC3339)),
	})
	require.NoError(t, err)
	return int(resp.GetCount())
}

// e2eSize lets a developer shrink the boards while iterating (PVP_E2E_SCALE=0.1); CI runs full size.
func e2eSize(n int) int {
	if v, err := strconv.ParseFloat(os.Getenv("PVP_E2E_SCALE"), 64); err == nil && v > 0 {
		return max(1, int(float64(n)*v))
	}
	return n
}
