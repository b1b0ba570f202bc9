package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/activities"
	"github.com/pvpsync/pvpsync/forecast"
	"github.com/pvpsync/pvpsync/workflows"
)

// decoded runs a result through JSON as the starter receives it from the workflow.
func decoded(t *testing.T, kind string, v any) syncResult {
	t.Helper()
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	res, err := decodeResult(kind, raw)
	require.NoError(t, err)
	return res
}

func TestSyncExitCode(t *testing.T) {
	ok := workflows.BracketSummary{Bracket: "3v3", Status: workflows.BracketCompleted, Progress: workflows.Progress{Total: 10, Done: 10, Synced: 10}}
	cases := []struct {
		name   string
		kind   string
		result any
		runErr error
		want   int
	}{
		{"region, all completed", workflows.SyncRegionName, workflows.SyncRegionResult{
			Region: "us", Brackets: []workflows.BracketSummary{ok, {Bracket: "2v2", Status: workflows.BracketEmpty}},
			Totals: ok.Progress}, nil, exitOK},
		{"region with a failed board", workflows.SyncRegionName, workflows.SyncRegionResult{
			Region: "us", Brackets: []workflows.BracketSummary{ok, {Bracket: "2v2", Status: workflows.BracketFailed, Error: "boom"}},
			Totals: ok.Progress, Failed: 1}, nil, exitFailed},
		{"region with failed characters", workflows.SyncRegionName, workflows.SyncRegionResult{
			Region: "us", Brackets: []workflows.BracketSummary{ok},
			Totals: workflows.Progress{Total: 10, Done: 10, Synced: 9, Failed: 1}}, nil, exitFailed},
		{"region counting a failed board only in its counter", workflows.SyncRegionName, workflows.SyncRegionResult{
			Region: "us", Brackets: []workflows.BracketSummary{ok}, Totals: ok.Progress, Failed: 1}, nil, exitFailed},
		{"board, all completed", workflows.SyncLeaderboardName, workflows.SyncLeaderboardResult{
			Region: "eu", Bracket: "3v3", Progress: workflows.Progress{Total: 5, Done: 5, Unavailable: 2, Synced: 3}}, nil, exitOK},
		{"empty board", workflows.SyncLeaderboardName, workflows.SyncLeaderboardResult{Region: "eu", Bracket: "3v3", Empty: true}, nil, exitOK},
		{"board with failed characters", workflows.SyncLeaderboardName, workflows.SyncLeaderboardResult{
			Region: "eu", Bracket: "3v3", Progress: workflows.Progress{Total: 5, Done: 5, Synced: 4, Failed: 1}}, nil, exitFailed},
		{"workflow failed", workflows.SyncRegionName, nil, errors.New("workflow execution error"), exitFailed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var res syncResult
			if tc.result != nil {
				res = decoded(t, tc.kind, tc.result)
			}
			assert.Equal(t, tc.want, syncExitCode(res, tc.runErr))
		})
	}
}

func TestExitCode(t *testing.T) {
	cases := []struct {
		name        string
		err         error
		interrupted bool
		want        int
	}{
		{"success", nil, false, 0},
		{"usage", usagef("--region is required"), false, 2},
		{"cobra usage", errors.New(`unknown flag: --bogus`), false, 2},
		{"failures in the result", exitError{exitFailed, errors.New("2 boards failed")}, false, 1},
		{"stopped watching", exitError{exitInterrupted, errors.New("stopped watching")}, true, 130},
		{"wrapped exit error", fmt.Errorf("sync: %w", exitError{exitInterrupted, errors.New("x")}), true, 130},
		{"interrupted while dialing", fmt.Errorf("connect: %w", context.Canceled), true, 130},
		{"connection refused", errors.New("connect to Temporal at 127.0.0.1:1"), false, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, exitCode(tc.err, tc.interrupted))
		})
	}
}

// The JSON document passes the result on as the workflow returned it, fields the starter does not
// know included, and adds how the run ended.
func TestSummaryDocKeepsEveryResultField(t *testing.T) {
	raw := json.RawMessage(`{"region":"us","season":40,"brackets":[{"bracket":"3v3","status":"failed","error":"boom"}],` +
		`"totals":{"total":10,"done":10,"failed":2,"idle":4},"failed_brackets":1,"a_new_field":{"x":1}}`)
	res, err := decodeResult(workflows.SyncRegionName, raw)
	require.NoError(t, err)
	run := startedRun{kind: workflows.SyncRegionName, id: "pvp-sync/us/current/x", runID: "r1", url: "http://ui/x"}
	var out bytes.Buffer
	require.NoError(t, writeJSON(&out, summaryDoc(run, res, nil, syncExitCode(res, nil), 1500*time.Millisecond)))

	var doc map[string]any
	require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
	assert.Equal(t, "pvp-sync/us/current/x", doc["workflow_id"])
	assert.Equal(t, "r1", doc["run_id"])
	assert.Equal(t, workflows.SyncRegionName, doc["kind"])
	assert.InDelta(t, 1.5, doc["elapsed_seconds"], 1e-9)
	assert.EqualValues(t, 1, doc["exit_code"])
	assert.Equal(t, map[string]any{"x": float64(1)}, doc["a_new_field"])
	assert.EqualValues(t, 4, doc["totals"].(map[string]any)["idle"], "counters the starter does not know are kept")
	assert.NotContains(t, doc, "error")
	assert.Equal(t, "1 board failed (3v3), 2 characters failed", res.failureText())
}

// Results carry a bounded list of failed characters: the summary counts the ones it cannot name.
func TestPrintSummaryNamesFailures(t *testing.T) {
	res := decoded(t, workflows.SyncRegionName, workflows.SyncRegionResult{
		Region: "eu", Season: 40, Brackets: []workflows.BracketSummary{
			{Bracket: "3v3", Status: workflows.BracketCompleted, Progress: workflows.Progress{Total: 3, Done: 3, Synced: 1, Failed: 2}},
			{Bracket: "rbg", Status: workflows.BracketFailed, Error: "leaderboard rbg: 503 Service Unavailable"},
		},
		Totals: workflows.Progress{Total: 3, Done: 3, Synced: 1, Failed: 2, Failures: []workflows.Failure{
			{BlizzardID: 77, Bracket: "3v3", Reason: "profile: 500"}}},
		Failed: 1,
	})
	var out bytes.Buffer
	printSummary(&out, res, 3*time.Second)
	assert.Contains(t, out.String(), "rbg")
	assert.Contains(t, out.String(), "failed    — leaderboard rbg: 503 Service Unavailable")
	assert.Contains(t, out.String(), "failed: character 77 (3v3): profile: 500")
	assert.Contains(t, out.String(), "… and 1 more failed character\n")
}

// A region's summary sets its plan against what it spent, and says when the meta pages were refreshed.
func TestPrintSummaryShowsPlannedAndMeta(t *testing.T) {
	res := decoded(t, workflows.SyncRegionName, workflows.SyncRegionResult{
		Region: "us", Season: 40, Totals: workflows.Progress{Total: 667, Done: 667, Requests: 386},
		Planned: &activities.ForecastResult{Requests: 380, Characters: forecast.Counts{Ranked: 667, Idle: 447, Private: 30, Fetch: 190}},
		Meta:    &activities.RefreshMetaResult{Boards: 2, Characters: 600, Millis: 45},
	})
	var out bytes.Buffer
	printSummary(&out, res, time.Minute)
	assert.Contains(t, out.String(), "planned: 380 requests (idle 447, reusable 0, private 30, cooling down 0, to fetch 190) · spent 386\n")
	assert.Contains(t, out.String(), "meta pages: refreshed in 45 ms (2 boards, 600 characters)\n")

	board := decoded(t, workflows.SyncLeaderboardName, workflows.SyncLeaderboardResult{Region: "us", Bracket: "3v3",
		Progress: workflows.Progress{Total: 5, Done: 5, Synced: 5}, Meta: &activities.RefreshMetaResult{Boards: 1, Characters: 5, Millis: 7}})
	out.Reset()
	printSummary(&out, board, time.Minute)
	assert.Contains(t, out.String(), "meta pages: refreshed in 7 ms (1 boards, 5 characters)\n", "a board run alone refreshes them too")
}
