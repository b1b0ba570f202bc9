package bench

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/pvpsync/pvpsync/fakeblizzard"
	"github.com/pvpsync/pvpsync/internal/teststack"
	"github.com/pvpsync/pvpsync/workflows"
)

// The "5,000-character region" of the day and storage benchmarks: 3v3 and 2v2 with 5,000 entries each,
// rbg with 1,000 and four spec boards with 300 — about 5,640 distinct characters (the 2v2 and 3v3
// tops overlap heavily, the spec boards almost entirely) and 12,200 entries per snapshot, 5 % private.
var regionBrackets = []string{"3v3", "2v2", "rbg", "shuffle-mage-frost", "shuffle-warrior-arms",
	"shuffle-priest-discipline", "blitz-druid-restoration"}

const (
	regionName   = "us"
	regionCycles = 4
)

// regionSize is the 2v2/3v3 size: 5,000, or PVP_BENCH_CHARACTERS while iterating on the benchmark.
func regionSize() int {
	if v, err := strconv.Atoi(os.Getenv("PVP_BENCH_CHARACTERS")); err == nil && v > 0 {
		return v
	}
	return 5000
}

// regionFake is the fake of that region; 30 % of its ranked characters play between two cycles.
func regionFake(seed int64) fakeblizzard.Options {
	size := regionSize()
	return fakeblizzard.Options{Seed: seed, Characters: size, SpecCharacters: max(10, size*300/5000),
		Brackets: regionBrackets, Active: 0.3}
}

// regionRanked counts the entries of the served boards and the distinct characters ranked on them now.
func regionRanked(b *testing.B, fake *fakeblizzard.Server) (entries, characters int) {
	b.Helper()
	seen := map[int64]bool{}
	for _, br := range regionBrackets {
		es, err := fake.Board(regionName, br)
		if err != nil {
			b.Fatalf("board %s: %v", br, err)
		}
		entries += len(es)
		for _, e := range es {
			seen[e.Character.ID] = true
		}
	}
	return entries, len(seen)
}

// regionNextSecond waits for the next second: snapshot times (and the ids of board workflows) have
// second precision, and two cycles must not share one.
func regionNextSecond() {
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
}

// regionSync runs one region sync of every served board and fails the benchmark on any failure.
func regionSync(b *testing.B, s *teststack.Stack) workflows.SyncRegionResult {
	b.Helper()
	res, err := s.SyncRegion(b, workflows.SyncRegionInput{Region: regionName}, time.Hour)
	if err != nil {
		b.Fatalf("sync: %v", err)
	}
	if res.Totals.Failed != 0 {
		b.Fatalf("sync: %d characters failed: %+v", res.Totals.Failed, res.Totals.Failures)
	}
	return res
}

// workflowCosts is what Temporal did for the executions started in a time window.
type workflowCosts struct {
	Executions int // every run: region, board runs (one per continue-as-new), characters
	Characters int // SyncCharacter runs
	// Deduplicated are SyncCharacter runs that found their character already done by another board's
	// run of the same cycle: a child workflow that cost history and no request.
	Deduplicated int
	Events       int64 // history events of all of them
}

// regionWorkflows reads the visibility records of the executions started in [from, to]. Visibility is
// written asynchronously and a record's history length is final once it is closed, so it reads until
// nothing in the window runs and two reads agree.
func regionWorkflows(b *testing.B, s *teststack.Stack, from, to time.Time) workflowCosts {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	query := fmt.Sprintf("StartTime >= '%s' AND StartTime <= '%s'", from.UTC().Format(time.RFC3339Nano), to.UTC().Format(time.RFC3339Nano))
	var last workflowCosts
	for {
		c, running := listWorkflows(ctx, b, s, query)
		if running == 0 && c == last {
			dedup, err := s.Temporal.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: fmt.Sprintf(
				"%s AND WorkflowType = '%s' AND %s = '%s'", query, workflows.SyncCharacterName, workflows.SearchOutcome.GetName(), workflows.OutcomeDeduplicated)})
			if err != nil {
				b.Fatalf("count deduplicated SyncCharacter runs: %v", err)
			}
			c.Deduplicated = int(dedup.GetCount())
			return c
		}
		last = c
		select {
		case <-ctx.Done():
			b.Fatalf("visibility did not settle: %d workflows still running", running)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func listWorkflows(ctx context.Context, b *testing.B, s *teststack.Stack, query string) (c workflowCosts, running int) {
	var token []byte
	for {
		resp, err := s.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: query, PageSize: 1000, NextPageToken: token})
		if err != nil {
			b.Fatalf("list workflows: %v", err)
		}
		for _, e := range resp.GetExecutions() {
			c.Executions++
			c.Events += e.GetHistoryLength()
			if e.GetType().GetName() == workflows.SyncCharacterName {
				c.Characters++
			}
			if e.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
				running++
			}
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return c, running
		}
	}
}
