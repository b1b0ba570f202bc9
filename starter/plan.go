package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/config"
	"github.com/pvpsync/pvpsync/forecast"
	"github.com/pvpsync/pvpsync/service"
	"github.com/pvpsync/pvpsync/store"
)

// planOptions are the flags of `starter plan`.
type planOptions struct {
	Region      string
	Brackets    []string
	Output      string
	FetchBoards bool
	Every       time.Duration
}

func planCmd() *cobra.Command {
	var o planOptions
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Say what the next sync of a region will cost, before it runs",
		Long: "From what PostgreSQL holds (and, with --fetch-boards, the current boards: one request each), per board and\n" +
			"in total: the ranked characters, how many are private, cooling down, reusable, idle or to fetch; the\n" +
			"Battle.net requests that implies; how long they take at the configured budget (credentials × rate); and\n" +
			"whether that fits the schedule interval. Without --fetch-boards nobody is assumed to have played since the\n" +
			"last stored snapshot: a lower bound.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.validate(); err != nil {
				return err
			}
			return runPlan(cmd.Context(), o, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Region, "region", "", "region: us, eu, kr or tw (required)")
	f.StringSliceVar(&o.Brackets, "brackets", nil, "boards to plan, comma separated (default: every board the mirror holds for the season)")
	f.StringVarP(&o.Output, "output", "o", "table", "table or json")
	f.BoolVar(&o.FetchBoards, "fetch-boards", false, "fetch the current boards from Battle.net (one request each) for an exact plan")
	f.DurationVar(&o.Every, "every", defaultSyncEvery, "the interval between two syncs of the region")
	return cmd
}

func (o planOptions) validate() error {
	if o.Region == "" {
		return usagef("--region is required (us, eu, kr or tw)")
	}
	if err := battlenet.ValidateRegion(o.Region); err != nil {
		return usageError{err}
	}
	for _, b := range o.Brackets {
		if err := battlenet.ValidateBracket(strings.TrimSpace(b)); err != nil {
			return usageError{err}
		}
	}
	if o.Output != "table" && o.Output != "json" {
		return usagef("--output must be table or json, got %q", o.Output)
	}
	if o.Every <= 0 {
		return usagef("--every must be positive")
	}
	return nil
}

// planReport is the JSON form of a plan.
type planReport struct {
	forecast.Forecast
	Source   string          `json:"source"` // "stored snapshot" or "fetched boards"
	Budget   forecast.Budget `json:"budget"`
	Seconds  float64         `json:"seconds_at_budget"`
	Every    string          `json:"schedule_interval"`
	Fits     bool            `json:"fits_interval"`
	Warnings []string        `json:"warnings,omitempty"`
}

func runPlan(ctx context.Context, o planOptions, out io.Writer) error {
	cfg, cfgErr := config.LoadWorker()
	if cfgErr != nil {
		if o.FetchBoards {
			return cfgErr
		}
		// Without requests the plan needs the database and, for the time estimate, the budget: a missing
		// credential only makes the estimate assume one.
		cfg = config.DefaultWorker()
	}
	st, err := store.Open(ctx, cfg.DatabaseURL, store.WithMaxConns(4))
	if err != nil {
		return err
	}
	defer st.Close()
	boards, err := st.LatestBoards(ctx, o.Region)
	if err != nil {
		return err
	}
	if len(o.Brackets) > 0 {
		boards = slices.DeleteFunc(boards, func(b store.BoardSnapshot) bool { return !slices.Contains(o.Brackets, b.Bracket) })
	}
	if len(boards) == 0 {
		return fmt.Errorf("the mirror holds no board of region %s%s yet: run a sync first", o.Region, bracketsNote(o.Brackets))
	}
	rep := planReport{Source: "stored snapshot", Every: o.Every.String()}
	var entries []forecast.Entries
	if o.FetchBoards {
		rep.Source = "fetched boards"
		entries, err = fetchedBoards(ctx, cfg, st, o.Region, boards)
	} else {
		entries, err = storedBoards(ctx, st, boards)
	}
	if err != nil {
		return err
	}
	rep.Forecast = forecast.Count(o.Region, time.Now().UTC(), time.Now(), cfg.Activities().Rules(), entries)
	rep.Budget = budgetOf(cfg, o.Region)
	if cfgErr != nil {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("no usable Battle.net configuration (%v): the time assumes one credential at the default rate", cfgErr))
	}
	d := rep.Budget.Duration(rep.Requests)
	rep.Seconds, rep.Fits = d.Seconds(), d <= o.Every
	if o.Output == "json" {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(out, "plan of region %s from the %s (%s):\n", o.Region, rep.Source, strings.Join(bracketList(boards), ", "))
	fmt.Fprint(out, forecast.Table(rep.Forecast, rep.Budget, o.Every))
	for _, w := range rep.Warnings {
		fmt.Fprintln(out, "warning:", w)
	}
	return nil
}

// storedBoards reads each board's newest snapshot as the next run would see it if nobody played.
func storedBoards(ctx context.Context, st *store.Store, boards []store.BoardSnapshot) ([]forecast.Entries, error) {
	var out []forecast.Entries
	for _, b := range boards {
		facts, err := st.SnapshotFacts(ctx, b.LeaderboardID, b.SnapshotAt)
		if err != nil {
			return nil, err
		}
		out = append(out, forecast.Entries{Bracket: b.Bracket, Board: b.LeaderboardID, Facts: forecast.AsNextRun(facts, b.SnapshotAt)})
	}
	return out, nil
}

// fetchedBoards asks Battle.net for the current boards (one request each, with the first credential
// allowed for the region) and compares them with what the mirror knows of their characters.
func fetchedBoards(ctx context.Context, cfg config.Worker, st *store.Store, region string, boards []store.BoardSnapshot) ([]forecast.Entries, error) {
	bn, err := battlenet.New(cfg.Battlenet)
	if err != nil {
		return nil, err
	}
	names := bn.ForRegion(region)
	if len(names) == 0 {
		return nil, fmt.Errorf("no Battle.net credential may serve region %s", region)
	}
	client, _ := bn.Get(names[0])
	var fetched []forecast.FetchedBoard
	var ids []int64
	for _, b := range boards {
		lb, err := client.Leaderboard(ctx, region, "", b.Season, b.Bracket)
		if err != nil {
			return nil, fmt.Errorf("fetch board %s: %w", b.Bracket, err)
		}
		fetched = append(fetched, forecast.FetchedBoard{Bracket: b.Bracket, Board: b.LeaderboardID, Entries: lb.Entries})
		for _, e := range lb.Entries {
			ids = append(ids, e.Character.ID)
		}
	}
	known, err := st.FactsByBlizzardID(ctx, region, ids)
	if err != nil {
		return nil, err
	}
	return forecast.FromBoards(fetched, known), nil
}

// budgetOf is the region's request budget: the credentials allowed to serve it, each at its queue's rate.
func budgetOf(cfg config.Worker, region string) forecast.Budget {
	n := 0
	for _, c := range cfg.Battlenet.Credentials {
		if c.Serves(region) {
			n++
		}
	}
	return forecast.Budget{Credentials: max(n, 1), RPS: cfg.Battlenet.SustainedRate() * service.Headroom}
}

func bracketList(boards []store.BoardSnapshot) []string {
	out := make([]string, len(boards))
	for i, b := range boards {
		out[i] = b.Bracket
	}
	return out
}

func bracketsNote(brackets []string) string {
	if len(brackets) == 0 {
		return ""
	}
	return " (" + strings.Join(brackets, ", ") + ")"
}
