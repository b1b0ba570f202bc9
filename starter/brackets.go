package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/config"
)

func bracketsCmd() *cobra.Command {
	var region, output string
	cmd := &cobra.Command{
		Use:   "brackets",
		Short: "List the boards of the current season in a region (two Battle.net requests)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := battlenet.ValidateRegion(region); err != nil {
				return usageError{err}
			}
			if output != "table" && output != "json" {
				return usagef("--output must be table or json, got %q", output)
			}
			return listBrackets(cmd.Context(), region, output, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&region, "region", "", "region: us, eu, kr or tw (required)")
	cmd.Flags().StringVarP(&output, "output", "o", "table", "table or json")
	return cmd
}

// bracketInfo is one board of the season's leaderboard index.
type bracketInfo struct {
	Bracket string `json:"bracket"`
	Spec    string `json:"spec,omitempty"` // "Frost Mage" on per-spec boards
	Synced  bool   `json:"synced_by_default"`
}

// listBrackets reads the season index and the leaderboard index with the first credential allowed for
// the region: the same requests a region sync starts with.
func listBrackets(ctx context.Context, region, output string, out io.Writer) error {
	cfg, err := config.LoadWorker()
	if err != nil {
		return err
	}
	bn, err := battlenet.New(cfg.Battlenet)
	if err != nil {
		return err
	}
	names := bn.ForRegion(region)
	if len(names) == 0 {
		return fmt.Errorf("no Battle.net credential may serve region %s", region)
	}
	c, _ := bn.Get(names[0])
	idx, err := c.SeasonIndex(ctx, region, "")
	if err != nil {
		return fmt.Errorf("read the season index: %w", err)
	}
	season := idx.CurrentSeason.ID
	boards, err := c.LeaderboardIndex(ctx, region, "", season)
	if err != nil {
		return fmt.Errorf("read the leaderboard index of season %d: %w", season, err)
	}
	list := make([]bracketInfo, 0, len(boards.Leaderboards))
	for _, l := range boards.Leaderboards {
		b := bracketInfo{Bracket: l.Name, Synced: !slices.Contains(battlenet.OverallBrackets, l.Name)}
		if id, ok := battlenet.BracketSpecID(l.Name); ok {
			s, _ := battlenet.SpecByID(id)
			b.Spec = s.Name + " " + s.ClassName
		}
		list = append(list, b)
	}
	if output == "json" {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"region": region, "season": season, "brackets": list})
	}
	fmt.Fprintf(out, "%s · season %d · %d boards (overall boards repeat the per-spec ones: a region sync skips them)\n", region, season, len(list))
	tw := tabwriter.NewWriter(out, 0, 2, 2, ' ', 0)
	for _, b := range list {
		note := ""
		if !b.Synced {
			note = "(skipped by default)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", b.Bracket, b.Spec, note)
	}
	return tw.Flush()
}
