package ops

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/pvpsync/pvpsync/fakeblizzard"
	"github.com/pvpsync/pvpsync/internal/teststack"
	"github.com/pvpsync/pvpsync/retry"
	"github.com/pvpsync/pvpsync/workflows"
)

// visibilityDeadline bounds the wait for the visibility store, which lags the workflows a little.
const visibilityDeadline = 30 * time.Second

// TestCLIStartedWorkflowsAreFilterable (issue 13.4): a SyncRegion and a SyncLeaderboard started from the
// Temporal CLI with no --search-attribute at all are found by the operator's filters PvpRegion = "us" and
// PvpRegion = "us" AND PvpBracket = "3v3", because each workflow sets its own attributes. The region
// syncs 2v2 so that the bracket filter has something to leave out.
func TestCLIStartedWorkflowsAreFilterable(t *testing.T) {
	s := teststack.New(t, teststack.Options{Fake: fakeblizzard.Options{Brackets: []string{"2v2", "3v3"}, Characters: 10, Seed: 24}})
	// Visibility keeps every test's workflows: only this test's are compared.
	since := startedSince()
	regionID, boardID := uniqueID(t, "ops-cli-filter-region"), uniqueID(t, "ops-cli-filter-board")
	mustTemporal(t, "workflow", "start", "--task-queue", workflows.TaskQueueWorkflows, "--type", workflows.SyncRegionName,
		"--workflow-id", regionID, "--input", `{"region":"us","brackets":["2v2"]}`)
	mustTemporal(t, "workflow", "start", "--task-queue", workflows.TaskQueueWorkflows, "--type", workflows.SyncLeaderboardName,
		"--workflow-id", boardID, "--input", `{"region":"us","bracket":"3v3"}`)

	var region struct {
		Status string                     `json:"status"`
		Result workflows.SyncRegionResult `json:"result"`
	}
	out := mustTemporal(t, "workflow", "result", "--workflow-id", regionID, "-o", "json")
	require.NoError(t, json.Unmarshal([]byte(out), &region), out)
	require.Contains(t, region.Status, "COMPLETED")
	require.Len(t, region.Result.Brackets, 1)
	child2v2 := region.Result.Brackets[0].WorkflowID
	require.NotEmpty(t, child2v2, "the 2v2 board ran: %+v", region.Result.Brackets[0])
	out = mustTemporal(t, "workflow", "result", "--workflow-id", boardID, "-o", "json")
	require.Contains(t, out, "COMPLETED")

	byRegion := fmt.Sprintf(`PvpRegion = "us" AND StartTime >= %q`, since)
	got := pollCLIList(t, byRegion, func(ids []string) bool {
		return slices.Contains(ids, regionID) && slices.Contains(ids, boardID)
	})
	assert.Contains(t, got, regionID, "SyncRegion started from the CLI carries PvpRegion")
	assert.Contains(t, got, boardID, "SyncLeaderboard started from the CLI carries PvpRegion")
	assert.Contains(t, got, child2v2)

	byBracket := fmt.Sprintf(`PvpRegion = "us" AND PvpBracket = "3v3" AND StartTime >= %q`, since)
	got = pollCLIList(t, byBracket, func(ids []string) bool { return slices.Contains(ids, boardID) })
	assert.Contains(t, got, boardID, "SyncLeaderboard started from the CLI carries PvpBracket")
	assert.NotContains(t, got, regionID, "a region spans brackets: it sets no PvpBracket")
	assert.NotContains(t, got, child2v2, "the 2v2 board is not a 3v3 one")

	// The values, and the season each learnt on the way.
	for _, tc := range []struct {
		id, bracket string
	}{{regionID, ""}, {boardID, "3v3"}} {
		sa := describeAttributes(t, s.Temporal, tc.id)
		assert.Equal(t, "us", sa.region, tc.id)
		assert.Equal(t, tc.bracket, sa.bracket, tc.id)
		assert.Equal(t, int64(fakeblizzard.DefaultSeason), sa.season, "%s: PvpSeason once discovered", tc.id)
	}
}

// TestFailedCharactersAreFindable (issue 13.5): with a share of the fake's profile answers malformed,
// some characters fail; PvpOutcome = "failed" lists exactly the SyncCharacter executions whose result
// says failed, every character execution carries its outcome, and each one's static summary reads
// "Name-realm · bracket · rank N".
func TestFailedCharactersAreFindable(t *testing.T) {
	const region, bracket = "us", "3v3"
	// A malformed body is a non-retryable Decode error: a character whose equipment or specializations
	// come back malformed fails at once, the others sync.
	s := teststack.New(t, teststack.Options{Fake: fakeblizzard.Options{
		Brackets: []string{bracket}, Characters: 40, Seed: 25, MalformedRate: 0.3}})
	board, err := s.Fake.Board(region, bracket)
	require.NoError(t, err)
	since := startedSince()
	res, err := s.SyncRegion(t, workflows.SyncRegionInput{Region: region, Brackets: []string{bracket}}, 5*time.Minute)
	require.NoError(t, err)
	p := res.Totals
	require.Positive(t, p.Failed, "some characters fail: %+v", p)
	require.Positive(t, p.Synced, "and some sync: %+v", p)
	for _, f := range p.Failures {
		assert.Contains(t, f.Reason, retry.ErrTypeDecode, "failure reason of character %d", f.BlizzardID)
	}

	// Every SyncCharacter execution of this run, with its result.
	charQuery := fmt.Sprintf("WorkflowType = '%s' AND StartTime >= %q", workflows.SyncCharacterName, since)
	chars := pollExecutions(t, s.Temporal, charQuery, func(l []*workflowpb.WorkflowExecutionInfo) bool { return len(l) >= len(board) })
	require.Len(t, chars, len(board), "a first sync fetches every character, each in its own execution")
	wantFailed := map[string]bool{}
	outcomes := map[string]string{}
	for _, e := range chars {
		var r workflows.SyncCharacterResult
		require.NoError(t, s.Temporal.GetWorkflow(context.Background(), e.GetExecution().GetWorkflowId(), e.GetExecution().GetRunId()).
			Get(context.Background(), &r))
		outcomes[e.GetExecution().GetRunId()] = r.Outcome
		if r.Outcome == workflows.OutcomeFailed {
			wantFailed[e.GetExecution().GetRunId()] = true
		}
	}
	require.Len(t, wantFailed, p.Failed, "the failed results are the board's failed count")

	// The operator's filter lists exactly those.
	failedQuery := fmt.Sprintf(`PvpOutcome = %q AND StartTime >= %q`, workflows.OutcomeFailed, since)
	listed := map[string]bool{}
	for _, e := range pollExecutions(t, s.Temporal, failedQuery, func(l []*workflowpb.WorkflowExecutionInfo) bool { return len(l) >= len(wantFailed) }) {
		listed[e.GetExecution().GetRunId()] = true
	}
	assert.Equal(t, wantFailed, listed, "%s lists exactly the failed characters", failedQuery)

	// Every character execution carries the outcome of its result.
	tagged := func(l []*workflowpb.WorkflowExecutionInfo) bool {
		return !slices.ContainsFunc(l, func(e *workflowpb.WorkflowExecutionInfo) bool {
			return keyword(t, e.GetSearchAttributes(), "PvpOutcome") != outcomes[e.GetExecution().GetRunId()]
		})
	}
	for _, e := range pollExecutions(t, s.Temporal, charQuery, tagged) {
		assert.Equal(t, outcomes[e.GetExecution().GetRunId()], keyword(t, e.GetSearchAttributes(), "PvpOutcome"),
			"PvpOutcome of %s", e.GetExecution().GetWorkflowId())
	}

	// The static summary names the character the way the board does.
	want := map[string]string{}
	for _, e := range board {
		want[workflows.CharacterWorkflowID(region, e.Character.ID)] =
			fmt.Sprintf("%s-%s · %s · rank %d", e.Character.Name, e.Character.Realm.Slug, bracket, e.Rank)
	}
	for _, e := range chars {
		id := e.GetExecution().GetWorkflowId()
		desc, err := s.Temporal.DescribeWorkflow(context.Background(), id, e.GetExecution().GetRunId())
		require.NoError(t, err)
		summary, err := desc.GetStaticSummary()
		require.NoError(t, err)
		require.Contains(t, want, id, "a character of the board")
		assert.Equal(t, want[id], summary, "static summary of %s", id)
	}
	// The CLI shows the same summary.
	var desc struct {
		Config struct {
			UserMetadata struct {
				Summary string `json:"summary"`
			} `json:"userMetadata"`
		} `json:"executionConfig"`
	}
	first := chars[0].GetExecution().GetWorkflowId()
	raw := mustTemporal(t, "workflow", "describe", "--workflow-id", first, "--run-id", chars[0].GetExecution().GetRunId(), "-o", "json")
	require.NoError(t, json.Unmarshal([]byte(raw), &desc), raw)
	assert.Equal(t, want[first], desc.Config.UserMetadata.Summary)
}

// startedSince is a StartTime bound for this test's workflows (a second early: the dev server's clock
// is this machine's, and visibility stores times to the microsecond).
func startedSince() string {
	return time.Now().Add(-time.Second).UTC().Format(time.RFC3339Nano)
}

// pollCLIList runs `temporal workflow list --query q` until ok accepts the workflow ids (visibility is
// eventually consistent) or the deadline passes, and returns the last ids.
func pollCLIList(t *testing.T, q string, ok func([]string) bool) []string {
	t.Helper()
	deadline := time.Now().Add(visibilityDeadline)
	for {
		out := mustTemporal(t, "workflow", "list", "--query", q, "-o", "json")
		var list []struct {
			Execution struct {
				WorkflowID string `json:"workflowId"`
			} `json:"execution"`
		}
		if s := strings.TrimSpace(out); s != "" {
			require.NoError(t, json.Unmarshal([]byte(s), &list), out)
		}
		var ids []string
		for _, e := range list {
			ids = append(ids, e.Execution.WorkflowID)
		}
		if ok(ids) || time.Now().After(deadline) {
			return ids
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// listExecutions lists every execution matching q (all pages).
func listExecutions(t *testing.T, c client.Client, q string) []*workflowpb.WorkflowExecutionInfo {
	t.Helper()
	var out []*workflowpb.WorkflowExecutionInfo
	var token []byte
	for {
		resp, err := c.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: q, NextPageToken: token})
		require.NoError(t, err, q)
		out = append(out, resp.GetExecutions()...)
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return out
		}
	}
}

// pollExecutions lists q until ok accepts the list (visibility is eventually consistent) or the
// deadline passes, and returns the last list.
func pollExecutions(t *testing.T, c client.Client, q string, ok func([]*workflowpb.WorkflowExecutionInfo) bool) []*workflowpb.WorkflowExecutionInfo {
	t.Helper()
	deadline := time.Now().Add(visibilityDeadline)
	for {
		l := listExecutions(t, c, q)
		if ok(l) || time.Now().After(deadline) {
			return l
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// keyword decodes one Keyword search attribute ("" when absent).
func keyword(t *testing.T, sa *commonpb.SearchAttributes, name string) string {
	t.Helper()
	p, ok := sa.GetIndexedFields()[name]
	if !ok {
		return ""
	}
	var v string
	require.NoError(t, converter.GetDefaultDataConverter().FromPayload(p, &v), name)
	return v
}

type pvpAttributes struct {
	region, bracket string
	season          int64
}

// describeAttributes reads pvpsync's search attributes of a workflow's latest run as the server holds them.
func describeAttributes(t *testing.T, c client.Client, id string) pvpAttributes {
	t.Helper()
	desc, err := c.DescribeWorkflow(context.Background(), id, "")
	require.NoError(t, err)
	sa := desc.TypedSearchAttributes
	var a pvpAttributes
	a.region, _ = sa.GetKeyword(workflows.SearchRegion)
	a.bracket, _ = sa.GetKeyword(workflows.SearchBracket)
	a.season, _ = sa.GetInt64(workflows.SearchSeason)
	return a
}
