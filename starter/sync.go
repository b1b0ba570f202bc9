package main

import (
	"context"
	"fmt"
	"net/url"
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
	Output   string // sync only: table or json
}

// Values of `starter sync --output`.
const (
	outputTable = "table"
	outputJSON  = "json"
)

func syncCmd() *cobra.Command {
	var o SyncOptions
	cmd := &cobra.Command{
		Use:   "sync",
		Short: "Start a sync of one region (or of one board with a single --brackets value)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.Output != outputTable && o.Output != outputJSON {
				return usagef("--output must be %s or %s, got %q", outputTable, outputJSON, o.Output)
			}
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
			run.url = workflowURL(opts.Namespace, run.id)
			rep := report{out: cmd.OutOrStdout(), json: o.Output == outputJSON}
			if rep.json && !o.Wait {
				return writeJSON(rep.out, run.fields())
			}
			// With -o json stdout carries only the JSON document: the rest goes to stderr.
			info := rep.out
			if rep.json {
				info = cmd.ErrOrStderr()
			}
			fmt.Fprintf(info, "started %s\n  workflow id: %s\n  run id:      %s\n  Temporal UI: %s\n", run.kind, run.id, run.runID, run.url)
			if !o.Wait {
				return nil
			}
			rep.progress = newProgressPrinter(info, isTerminal(info), time.Now)
			return waitAndReport(cmd.Context(), c, run, rep)
		},
	}
	o.register(cmd, syncFlagHelp{region: "required", timeout: "give up on the whole sync after this long"})
	f := cmd.Flags()
	f.BoolVar(&o.Wait, "wait", false, "show progress and the final summary")
	f.StringVarP(&o.Output, "output", "o", outputTable, "output format: table, or json (one JSON document on stdout: with --wait the final summary, without it the started run)")
	f.BoolVar(&o.Local, "local-fetch", false, "make Battle.net requests as local activities: faster orchestration, budget per worker instead of per task queue")
	return cmd
}

// syncFlagHelp is what the help of the sync flags says differently in `starter sync` and `starter schedule`.
type syncFlagHelp struct {
	region  string // when --region is required
	season  string // after "the current season"
	timeout string
}

// register adds the flags that say what to sync, shared by `starter sync` and `starter schedule create|update`.
func (o *SyncOptions) register(cmd *cobra.Command, h syncFlagHelp) {
	f := cmd.Flags()
	f.StringVar(&o.Region, "region", "", "region: us, eu, kr or tw ("+h.region+")")
	f.StringSliceVar(&o.Brackets, "brackets", nil, "boards to sync, comma separated (default: all but shuffle-overall and blitz-overall)")
	f.Int64Var(&o.Season, "season", 0, "season id (default: the current season"+h.season+")")
	f.StringVar(&o.Locale, "locale", "", "locale served in the region (default: en_US for us, en_GB for eu, ...)")
	f.IntVar(&o.Window, "window", 0, fmt.Sprintf("character workflows in flight per board (default %d)", workflows.DefaultWindow))
	f.DurationVar(&o.Timeout, "timeout", defaultSyncTimeout, h.timeout)
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
	url             string // in the Temporal UI
	run             client.WorkflowRun
}

// fields name the run in JSON output.
func (r startedRun) fields() map[string]any {
	return map[string]any{"kind": r.kind, "workflow_id": r.id, "run_id": r.runID, "temporal_ui": r.url}
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
