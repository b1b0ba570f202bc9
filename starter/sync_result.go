package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/pvpsync/pvpsync/activities"
	"github.com/pvpsync/pvpsync/workflows"
)

// syncResult is a finished sync's result, whichever workflow ran. raw is the result as the workflow
// returned it, so -o json passes on every field, including ones this starter does not know yet.
type syncResult struct {
	raw    json.RawMessage
	region *workflows.SyncRegionResult      // a SyncRegion's
	board  *workflows.SyncLeaderboardResult // a SyncLeaderboard's
}

func decodeResult(kind string, raw json.RawMessage) (syncResult, error) {
	res := syncResult{raw: raw}
	var err error
	if kind == workflows.SyncLeaderboardName {
		res.board = new(workflows.SyncLeaderboardResult)
		err = json.Unmarshal(raw, res.board)
	} else {
		res.region = new(workflows.SyncRegionResult)
		err = json.Unmarshal(raw, res.region)
	}
	if err != nil {
		return syncResult{}, fmt.Errorf("decode %s result: %w", kind, err)
	}
	return res, nil
}

// failedBoards are a region's boards that did not complete.
func (r syncResult) failedBoards() []workflows.BracketSummary {
	if r.region == nil {
		return nil
	}
	var out []workflows.BracketSummary
	for _, b := range r.region.Brackets {
		if b.Status == workflows.BracketFailed {
			out = append(out, b)
		}
	}
	return out
}

// progress is the result's character counters (a region's totals).
func (r syncResult) progress() workflows.Progress {
	switch {
	case r.region != nil:
		return r.region.Totals
	case r.board != nil:
		return r.board.Progress
	}
	return workflows.Progress{}
}

// syncExitCode is the verdict scripts read: 0 only when the run completed and every board and character
// in it did; a failed board or character is 1 even though the workflow itself completed.
func syncExitCode(r syncResult, runErr error) int {
	failedBoards := len(r.failedBoards())
	if r.region != nil {
		failedBoards = max(failedBoards, r.region.Failed)
	}
	if runErr != nil || failedBoards > 0 || r.progress().Failed > 0 {
		return exitFailed
	}
	return exitOK
}

// failureText says in one line what failed (the summary above it lists the boards and characters).
func (r syncResult) failureText() string {
	var parts []string
	if bs := r.failedBoards(); len(bs) > 0 {
		names := make([]string, len(bs))
		for i, b := range bs {
			names[i] = b.Bracket
		}
		parts = append(parts, fmt.Sprintf("%d %s failed (%s)", len(bs), plural(len(bs), "board", "boards"), strings.Join(names, ", ")))
	}
	if n := r.progress().Failed; n > 0 {
		parts = append(parts, fmt.Sprintf("%d %s failed", n, plural(n, "character", "characters")))
	}
	return strings.Join(parts, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// summaryDoc is the -o json document: the workflow's result as it returned it, plus how the watching
// ended. error is set when the run failed or the watching was interrupted.
func summaryDoc(r startedRun, res syncResult, runErr error, code int, elapsed time.Duration) map[string]any {
	doc := map[string]any{}
	if res.raw != nil {
		var fields map[string]json.RawMessage
		if json.Unmarshal(res.raw, &fields) == nil {
			for k, v := range fields {
				doc[k] = v
			}
		}
	}
	for k, v := range r.fields() {
		doc[k] = v
	}
	doc["elapsed_seconds"] = math.Round(elapsed.Seconds()*1000) / 1000
	doc["exit_code"] = code
	if runErr != nil {
		doc["error"] = runErr.Error()
	}
	return doc
}

func writeJSON(out io.Writer, v any) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write JSON output: %w", err)
	}
	return nil
}

func printSummary(out io.Writer, res syncResult, elapsed time.Duration) {
	if r := res.board; r != nil {
		fmt.Fprintf(out, "%s · %s · season %d done in %s\n", r.Bracket, r.Region, r.Season, elapsed.Round(time.Second))
		if r.Note != "" {
			fmt.Fprintln(out, "  ", r.Note)
		}
		fmt.Fprintln(out, "  ", r.Progress.String())
		printMetaRefresh(out, r.Meta)
		printFailures(out, r.Progress)
		return
	}
	r := res.region
	fmt.Fprintf(out, "%s · season %d (%s) · snapshot %s · done in %s\n", r.Region, r.Season, r.SeasonName,
		r.SnapshotAt.Format(time.RFC3339), elapsed.Round(time.Second))
	for _, b := range r.Brackets {
		line := fmt.Sprintf("  %-34s %-9s", b.Bracket, b.Status)
		if b.Progress.Total > 0 || b.Status == workflows.BracketCompleted {
			line += " " + b.Progress.String()
		}
		if b.Note != "" {
			line += " — " + b.Note
		}
		if b.Error != "" {
			line += " — " + b.Error
		}
		fmt.Fprintln(out, line)
	}
	fmt.Fprintln(out, "  total:", r.Totals.String())
	if p := r.Planned; p != nil {
		c := p.Characters
		fmt.Fprintf(out, "  planned: %d requests (idle %d, reusable %d, private %d, cooling down %d, to fetch %d) · spent %d\n",
			p.Requests, c.Idle, c.Reused, c.Private, c.Unavailable, c.Fetch, r.Totals.Requests)
	}
	printMetaRefresh(out, r.Meta)
	printFailures(out, r.Totals)
}

// printMetaRefresh says when a sync refreshed the meta pages (a region after its boards, a board run alone).
func printMetaRefresh(out io.Writer, m *activities.RefreshMetaResult) {
	if m != nil {
		fmt.Fprintf(out, "  meta pages: refreshed in %d ms (%d boards, %d characters)\n", m.Millis, m.Boards, m.Characters)
	}
}

// printFailures lists the failed characters the result names; results carry a bounded list, so the
// rest are counted.
func printFailures(out io.Writer, p workflows.Progress) {
	for _, f := range p.Failures {
		fmt.Fprintf(out, "  failed: character %d (%s): %s\n", f.BlizzardID, f.Bracket, f.Reason)
	}
	if more := p.Failed - len(p.Failures); more > 0 && len(p.Failures) > 0 {
		fmt.Fprintf(out, "  … and %d more failed %s\n", more, plural(more, "character", "characters"))
	}
}
