package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/config"
	"github.com/pvpsync/pvpsync/meta"
	"github.com/pvpsync/pvpsync/store"
)

// metaTimeout bounds the whole command: connecting and one report take milliseconds when PostgreSQL is up.
const metaTimeout = 30 * time.Second

// metaOptions are the flags of `starter meta`.
type metaOptions struct {
	q      meta.Query
	spec   string
	output string
}

func metaCmd() *cobra.Command {
	var o metaOptions
	cmd := &cobra.Command{
		Use:   "meta",
		Short: "Print a spec's meta on a board: items, enchants, gems, tier set, hero trees, talents, loadout codes",
		Long: `Print what the top players of a spec use, from the latest complete snapshot of a board
(PostgreSQL at DATABASE_URL; refreshed at the end of each region sync).

  starter meta --region eu --bracket shuffle-mage-frost --top 100
  starter meta --region us --bracket 3v3 --spec mage-frost --min-rating 2400 --slot TRINKET_1 -o json

On 2v2, 3v3, rbg and the overall boards each entry counts under the spec its player plays, so --spec
is required there; a shuffle or blitz board ranks one spec.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q, err := o.query()
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), metaTimeout)
			defer cancel()
			st, err := store.Open(ctx, config.LoadDatabaseURL(), store.WithMaxConns(2))
			if err != nil {
				return fmt.Errorf("connect to PostgreSQL: %w", err)
			}
			defer st.Close()
			rep, err := meta.Get(ctx, st.Pool, q)
			if err != nil {
				return err
			}
			if o.output == outputJSON {
				return writeJSON(cmd.OutOrStdout(), rep)
			}
			return printMeta(cmd.OutOrStdout(), rep)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.q.Region, "region", "", "region: us, eu, kr or tw (required)")
	f.StringVar(&o.q.Bracket, "bracket", "", "board: 2v2, 3v3, rbg, shuffle-{class}-{spec}, blitz-{class}-{spec} (required)")
	f.StringVar(&o.spec, "spec", "", "spec as brackets write it, such as mage-frost (required on 2v2, 3v3, rbg; shuffle and blitz boards have theirs)")
	f.IntVar(&o.q.Top, "top", 0, "only the spec's N best-ranked characters (default: all)")
	f.IntVar(&o.q.MinRating, "min-rating", 0, "only characters rated at least this (default: any)")
	f.StringVar(&o.q.Slot, "slot", "", "only this slot's items, enchants and gems, such as TRINKET_1 (default: every slot)")
	f.IntVar(&o.q.Limit, "limit", meta.DefaultLimit, "choices listed per slot and per list (talents, hero trees and tier sets are listed in full)")
	f.StringVarP(&o.output, "output", "o", outputTable, "output format: table, or json (one JSON document on stdout, for a web front end)")
	return cmd
}

// query validates the flags before anything is contacted (exit code 2 on bad input).
func (o metaOptions) query() (meta.Query, error) {
	if o.output != outputTable && o.output != outputJSON {
		return meta.Query{}, usagef("--output must be %s or %s, got %q", outputTable, outputJSON, o.output)
	}
	if o.q.Region == "" {
		return meta.Query{}, usagef("--region is required (us, eu, kr or tw)")
	}
	if o.q.Bracket == "" {
		return meta.Query{}, usagef("--bracket is required (such as 3v3 or shuffle-mage-frost)")
	}
	if o.q.Limit <= 0 {
		return meta.Query{}, usagef("--limit must be positive, got %d", o.q.Limit)
	}
	if err := battlenet.ValidateRegion(o.q.Region); err != nil {
		return meta.Query{}, usageError{err}
	}
	if err := battlenet.ValidateBracket(o.q.Bracket); err != nil {
		return meta.Query{}, usageError{err}
	}
	q := o.q
	if _, perSpec := battlenet.BracketSpecID(q.Bracket); !perSpec && o.spec == "" {
		return meta.Query{}, usagef("--spec is required on %s: each entry counts under the spec its player plays (such as --spec mage-frost)", q.Bracket)
	}
	if o.spec != "" {
		sp, err := meta.ParseSpec(o.spec)
		if err != nil {
			return meta.Query{}, usageError{err}
		}
		q.SpecID = sp.ID
	}
	q, err := q.Normalize()
	if err != nil {
		return meta.Query{}, usageError{err}
	}
	return q, nil
}

// printMeta writes the report as tables: names, counts and percentages.
func printMeta(out io.Writer, r meta.Report) error {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "%s %s · %s · %s\n", r.Spec.Name, r.Spec.ClassName, r.Bracket, r.Region)
	if r.SnapshotAt == nil {
		fmt.Fprintln(w, "no character of this spec in a complete snapshot of this board yet (a region sync refreshes meta when it ends)")
		return w.Flush()
	}
	var filters []string
	if r.Filter.Top > 0 {
		filters = append(filters, fmt.Sprintf("top %d", r.Filter.Top))
	}
	if r.Filter.MinRating > 0 {
		filters = append(filters, fmt.Sprintf("rating ≥ %d", r.Filter.MinRating))
	}
	if len(filters) == 0 {
		filters = append(filters, "all ranked")
	}
	fmt.Fprintf(w, "snapshot %s · %d characters (%s), rating %d–%d · gear known for %d, talents for %d\n",
		r.SnapshotAt.UTC().Format(time.RFC3339), r.Characters, strings.Join(filters, ", "), r.Rating.Min, r.Rating.Max, r.WithGear, r.WithTalents)
	il := r.ItemLevel
	fmt.Fprintf(w, "item level: min %d · p10 %d · p25 %d · median %d · p75 %d · p90 %d · max %d · mean %.1f\n",
		il.Min, il.P10, il.P25, il.Median, il.P75, il.P90, il.Max, il.Mean)

	metaSection(w, "ITEMS", "SLOT\tITEM\tCHARACTERS\tSHARE")
	for _, s := range r.Slots {
		metaRows(w, s.Slot, s.Items)
	}
	metaSection(w, "ENCHANTS", "SLOT\tENCHANT\tCHARACTERS\tSHARE")
	for _, s := range r.Slots {
		metaRows(w, s.Slot, s.Enchants)
	}
	metaSection(w, "GEMS", "\tGEM\tCHARACTERS\tSHARE")
	metaRows(w, "", r.Gems)
	metaSection(w, "TIER SET", "PIECES\tSET\tCHARACTERS\tSHARE")
	for _, t := range r.TierSets {
		name := t.Name
		if t.SetID == 0 {
			name = "(none)"
		}
		fmt.Fprintf(w, "%d\t%s\t%d\t%s\n", t.Pieces, name, t.Count, metaPct(t.Percent))
	}
	metaSection(w, "HERO TREES", "\tHERO TREE\tCHARACTERS\tSHARE")
	for _, h := range r.HeroTrees {
		if h.ID == 0 {
			h.Name = "(none)"
		}
		metaRows(w, "", []meta.Usage{h})
	}
	metaSection(w, "TALENTS", "TREE\tTALENT\tCHARACTERS\tSHARE\tNODE")
	for _, t := range r.Talents {
		// Battle.net omits the tooltip of some picks: then only the node is known.
		name := metaName(t.Name, "talent", t.TalentID)
		if t.TalentID == 0 {
			name = metaName(t.Name, "node", t.NodeID)
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%s\n", t.Tree, name, t.Count, metaPct(t.Percent), metaPct(t.NodePercent))
	}
	metaSection(w, "PVP TALENTS", "\tPVP TALENT\tCHARACTERS\tSHARE")
	metaRows(w, "", r.PvpTalents)
	metaSection(w, "LOADOUT CODES", "HERO TREE\tCODE\tCHARACTERS\tSHARE")
	for _, l := range r.Loadouts {
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\n", l.HeroTree, l.Code, l.Count, metaPct(l.Percent))
	}
	return w.Flush()
}

func metaSection(w io.Writer, title, header string) {
	fmt.Fprintf(w, "\n%s\n%s\n", title, header)
}

// metaRows prints a list, the label on its first row only.
func metaRows(w io.Writer, label string, us []meta.Usage) {
	for i, u := range us {
		if i > 0 {
			label = ""
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\n", label, metaName(u.Name, "id", u.ID), u.Count, metaPct(u.Percent))
	}
}

// metaName is the catalogue name, or the id when Battle.net never told us the name.
func metaName(name, kind string, id int64) string {
	if name != "" {
		return name
	}
	return fmt.Sprintf("(%s %d)", kind, id)
}

func metaPct(p float64) string { return fmt.Sprintf("%.1f%%", p) }
