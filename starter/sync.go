package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/config"
	"github.com/pvpsync/pvpsync/workflows"
)

// SyncOptions are the flags of `starter sync` (also what a schedule starts).
type SyncOptions struct {
	Region   string
	Brackets []string
	Season   int64
	Locale   string
	Window   int
	Timeout  time.Duration
	Wait     bool
	Local    bool
}

func syncCmd() *cobra.Command {
	var o SyncOptions
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Start a sync of one region (or of one board with a single --brackets value)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in, err := o.regionInput()
			if err != nil {
				return err
			}
			c, opts, err := dial(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			run, err := startSync(cmd.Context(), c, in, o.Timeout)
			if err != nil {
				return err
			}
			fmt.Printf("started %s\n  workflow id: %s\n  run id:      %s\n  Temporal UI: %s\n",
				run.kind, run.id, run.runID, workflowURL(opts.Namespace, run.id))
			if !o.Wait {
				return nil
			}
			return waitAndReport(cmd.Context(), c, run, os.Stdout)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Region, "region", "", "region: us, eu, kr or tw (required)")
	f.StringSliceVar(&o.Brackets, "brackets", nil, "boards to sync, comma separated (default: all but shuffle-overall and blitz-overall)")
	f.Int64Var(&o.Season, "season", 0, "season id (default: the current season)")
	f.StringVar(&o.Locale, "locale", "", "locale served in the region (default: en_US for us, en_GB for eu, ...)")
	f.IntVar(&o.Window, "window", 0, fmt.Sprintf("character workflows in flight per board (default %d)", workflows.DefaultWindow))
	f.DurationVar(&o.Timeout, "timeout", 5*time.Hour, "give up on the whole sync after this long")
	f.BoolVar(&o.Wait, "wait", false, "show progress and the final summary")
	f.BoolVar(&o.Local, "local-fetch", false, "make Battle.net requests as local activities: faster orchestration, budget per worker instead of per task queue")
	return cmd
}

// regionInput validates the flags before anything starts (exit code 2 on bad input).
func (o SyncOptions) regionInput() (workflows.SyncRegionInput, error) {
	if o.Region == "" {
		return workflows.SyncRegionInput{}, usagef("--region is required (us, eu, kr or tw)")
	}
	if err := battlenet.ValidateLocale(o.Region, o.Locale); err != nil {
		return workflows.SyncRegionInput{}, usageError{err}
	}
	if o.Season < 0 {
		return workflows.SyncRegionInput{}, usagef("--season must be a season id (or 0 for the current one), got %d", o.Season)
	}
	brackets := make([]string, 0, len(o.Brackets))
	for _, b := range o.Brackets {
		b = strings.TrimSpace(b)
		if err := battlenet.ValidateBracket(b); err != nil {
			return workflows.SyncRegionInput{}, usageError{err}
		}
		brackets = append(brackets, b)
	}
	if o.Window < 0 || o.Window > workflows.MaxWindow {
		return workflows.SyncRegionInput{}, usagef("--window must be between 1 and %d", workflows.MaxWindow)
	}
	if o.Timeout <= 0 {
		return workflows.SyncRegionInput{}, usagef("--timeout must be positive")
	}
	return workflows.SyncRegionInput{Region: o.Region, Season: o.Season, Brackets: brackets, Locale: o.Locale, Window: o.Window, LocalFetch: o.Local}, nil
}

type startedRun struct {
	kind, id, runID string
	run             client.WorkflowRun
}

// startSync starts SyncRegion, or SyncLeaderboard when exactly one board is asked for.
func startSync(ctx context.Context, c client.Client, in workflows.SyncRegionInput, timeout time.Duration) (startedRun, error) {
	now := time.Now().UTC().Truncate(time.Second)
	sa := []temporal.SearchAttributeUpdate{workflows.SearchRegion.ValueSet(in.Region)}
	if in.Season > 0 {
		sa = append(sa, workflows.SearchSeason.ValueSet(in.Season))
	}
	opts := client.StartWorkflowOptions{TaskQueue: workflows.TaskQueueWorkflows, WorkflowExecutionTimeout: timeout}
	var (
		kind string
		arg  any
	)
	if len(in.Brackets) == 1 {
		b := in.Brackets[0]
		kind = workflows.SyncLeaderboardName
		opts.ID = workflows.LeaderboardWorkflowID(in.Region, b, now)
		opts.StaticSummary = fmt.Sprintf("%s · %s", b, in.Region)
		sa = append(sa, workflows.SearchBracket.ValueSet(b))
		arg = workflows.SyncLeaderboardInput{Region: in.Region, Bracket: b, Season: in.Season, Locale: in.Locale, SnapshotAt: now,
			Window: in.Window, LocalFetch: in.LocalFetch}
	} else {
		kind = workflows.SyncRegionName
		opts.ID = workflows.RegionWorkflowID(in.Region, in.Season, now)
		boards := "all boards"
		if len(in.Brackets) > 0 {
			boards = strings.Join(in.Brackets, ", ")
		}
		opts.StaticSummary = fmt.Sprintf("sync %s · %s", in.Region, boards)
		arg = in
	}
	opts.TypedSearchAttributes = temporal.NewSearchAttributes(sa...)
	run, err := c.ExecuteWorkflow(ctx, opts, kind, arg)
	if err != nil {
		return startedRun{}, fmt.Errorf("start %s: %w", kind, err)
	}
	return startedRun{kind: kind, id: run.GetID(), runID: run.GetRunID(), run: run}, nil
}

func workflowURL(namespace, id string) string {
	return fmt.Sprintf("%s/namespaces/%s/workflows/%s", config.UIBase(), url.PathEscape(namespace), url.PathEscape(id))
}

// waitAndReport polls progress until the run ends, then prints the summary.
func waitAndReport(ctx context.Context, c client.Client, r startedRun, out io.Writer) error {
	done := make(chan error, 1)
	var resultJSON json.RawMessage
	go func() {
		var v json.RawMessage
		err := r.run.Get(ctx, &v)
		resultJSON = v
		done <- err
	}()
	start := time.Now()
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			fmt.Fprintln(out)
			if err != nil {
				return fmt.Errorf("%s %s failed: %w", r.kind, r.id, err)
			}
			return printSummary(out, r.kind, resultJSON, time.Since(start))
		case <-tick.C:
			p := liveProgress(ctx, c, r)
			fmt.Fprintf(out, "\r%s", progressLine(p, time.Since(start)))
		case <-ctx.Done():
			fmt.Fprintln(out, "\nstopped watching; the workflow keeps running:", r.id)
			return nil
		}
	}
}

// liveProgress adds up the counters of the running boards (a region's own query knows finished boards).
func liveProgress(ctx context.Context, c client.Client, r startedRun) workflows.Progress {
	qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if r.kind == workflows.SyncLeaderboardName {
		var p workflows.Progress
		if v, err := c.QueryWorkflow(qctx, r.id, "", workflows.ProgressQuery); err == nil {
			_ = v.Get(&p)
		}
		return p
	}
	var reg workflows.SyncRegionResult
	v, err := c.QueryWorkflow(qctx, r.id, r.runID, workflows.ProgressQuery)
	if err != nil || v.Get(&reg) != nil {
		return workflows.Progress{}
	}
	var total workflows.Progress
	for _, b := range reg.Brackets {
		if b.Status == workflows.BracketRunning && b.WorkflowID != "" {
			var p workflows.Progress
			if v, err := c.QueryWorkflow(qctx, b.WorkflowID, "", workflows.ProgressQuery); err == nil && v.Get(&p) == nil {
				total.Add(p)
				continue
			}
		}
		total.Add(b.Progress)
	}
	return total
}

func progressLine(p workflows.Progress, elapsed time.Duration) string {
	const width = 30
	filled := 0
	if p.Total > 0 {
		filled = min(width, p.Done*width/p.Total)
	}
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(p.Done) / s
	}
	return fmt.Sprintf("[%s%s] %d/%d characters · %d requests · %.1f/s · failed %d   ",
		strings.Repeat("#", filled), strings.Repeat(".", width-filled), p.Done, p.Total, p.Requests, rate, p.Failed)
}

func printSummary(out io.Writer, kind string, raw json.RawMessage, elapsed time.Duration) error {
	if kind == workflows.SyncLeaderboardName {
		var r workflows.SyncLeaderboardResult
		if err := json.Unmarshal(raw, &r); err != nil {
			return err
		}
		fmt.Fprintf(out, "%s · %s · season %d done in %s\n", r.Bracket, r.Region, r.Season, elapsed.Round(time.Second))
		if r.Note != "" {
			fmt.Fprintln(out, "  ", r.Note)
		}
		fmt.Fprintln(out, "  ", r.Progress.String())
		printFailures(out, r.Progress.Failures)
		return nil
	}
	var r workflows.SyncRegionResult
	if err := json.Unmarshal(raw, &r); err != nil {
		return err
	}
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
	printFailures(out, r.Totals.Failures)
	return nil
}

func printFailures(out io.Writer, fs []workflows.Failure) {
	for _, f := range fs {
		fmt.Fprintf(out, "  failed: character %d (%s): %s\n", f.BlizzardID, f.Bracket, f.Reason)
	}
}
