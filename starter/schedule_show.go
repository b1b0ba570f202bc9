package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/pvpsync/pvpsync/workflows"
)

func scheduleDescribeCmd() *cobra.Command {
	return scheduleOp{
		use: "describe", short: "Show a schedule's spec, policies, action, next runs and recent runs",
		run: func(ctx context.Context, out io.Writer, h client.ScheduleHandle) error {
			d, err := h.Describe(ctx)
			if err != nil {
				return err
			}
			printDescription(out, h.GetID(), d)
			return nil
		},
	}.command()
}

func scheduleListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List all schedules with their next run",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, _, err := dial(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			it, err := c.ScheduleClient().List(cmd.Context(), client.ScheduleListOptions{})
			if err != nil {
				return fmt.Errorf("list schedules: %w", err)
			}
			var entries []*client.ScheduleListEntry
			for it.HasNext() {
				e, err := it.Next()
				if err != nil {
					return fmt.Errorf("list schedules: %w", err)
				}
				entries = append(entries, e)
			}
			sort.Slice(entries, func(i, j int) bool { return entries[i].ID < entries[j].ID })
			out := cmd.OutOrStdout()
			if len(entries) == 0 {
				fmt.Fprintln(out, "no schedules (create one with `starter schedule create --region us`)")
				return nil
			}
			w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tWORKFLOW\tSTATE\tEVERY\tNEXT RUN\tNOTE")
			for _, e := range entries {
				state, next := "active", "-"
				if e.Paused {
					state, next = "paused", "(paused)"
				} else if len(e.NextActionTimes) > 0 {
					next = e.NextActionTimes[0].UTC().Format(time.RFC3339)
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", e.ID, e.WorkflowType.Name, state, specEvery(e.Spec), next, e.Note)
			}
			return w.Flush()
		},
	}
}

func specEvery(s *client.ScheduleSpec) string {
	if s == nil {
		return "-"
	}
	var parts []string
	for _, iv := range s.Intervals {
		p := human(iv.Every)
		if iv.Offset > 0 {
			p += "+" + human(iv.Offset)
		}
		parts = append(parts, p)
	}
	if len(s.Calendars) > 0 || len(s.CronExpressions) > 0 {
		parts = append(parts, "calendar")
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ",")
}

func printDescription(out io.Writer, id string, d *client.ScheduleDescription) {
	s := d.Schedule
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "schedule\t%s\n", id)
	if s.State != nil {
		state := "active"
		if s.State.Paused {
			state = "paused"
		}
		fmt.Fprintf(w, "state\t%s\n", state)
		fmt.Fprintf(w, "note\t%s\n", s.State.Note)
	}
	if s.Spec != nil {
		tz := s.Spec.TimeZoneName
		if tz == "" {
			tz = "UTC"
		}
		fmt.Fprintf(w, "spec\tevery %s · jitter %s · %s\n", specEvery(s.Spec), human(s.Spec.Jitter), tz)
	}
	if s.Policy != nil {
		fmt.Fprintf(w, "policy\toverlap %s · catch-up window %s · pause on failure %t\n",
			overlapName(s.Policy.Overlap), human(s.Policy.CatchupWindow), s.Policy.PauseOnFailure)
	}
	if a, ok := s.Action.(*client.ScheduleWorkflowAction); ok {
		fmt.Fprintf(w, "action\tstart %v on %s · ids %s-{time} · timeout %s\n", a.Workflow, a.TaskQueue, a.ID, human(a.WorkflowExecutionTimeout))
		fmt.Fprintf(w, "summary\t%s\n", a.StaticSummary)
		for _, arg := range a.Args {
			fmt.Fprintf(w, "input\t%s\n", payloadString(arg))
		}
		if sa := actionSearchAttributes(a); sa != "" {
			fmt.Fprintf(w, "search attributes\t%s\n", sa)
		}
	}
	if d.Memo != nil && len(d.Memo.Fields) > 0 {
		keys := make([]string, 0, len(d.Memo.Fields))
		for k := range d.Memo.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var kv []string
		for _, k := range keys {
			kv = append(kv, k+"="+payloadString(d.Memo.Fields[k]))
		}
		fmt.Fprintf(w, "memo\t%s\n", strings.Join(kv, " · "))
	}
	info := d.Info
	created := fmtTime(info.CreatedAt)
	if u := fmtTime(info.LastUpdateAt); u != "-" {
		created += " (updated " + u + ")"
	}
	fmt.Fprintf(w, "created\t%s\n", created)
	fmt.Fprintf(w, "actions\t%d taken · %d skipped (overlap) · %d missed (catch-up window)\n",
		info.NumActions, info.NumActionsSkippedOverlap, info.NumActionsMissedCatchupWindow)
	for _, r := range info.RunningWorkflows {
		fmt.Fprintf(w, "running\t%s (run %s)\n", r.WorkflowID, r.FirstExecutionRunID)
	}
	_ = w.Flush()
	fmt.Fprintln(out, "recent runs:")
	if len(info.RecentActions) == 0 {
		fmt.Fprintln(out, "  none")
	}
	for _, r := range info.RecentActions {
		wf := "-"
		if r.StartWorkflowResult != nil {
			wf = r.StartWorkflowResult.WorkflowID
		}
		fmt.Fprintf(out, "  %s (scheduled %s)  %s\n", fmtTime(r.ActualTime), fmtTime(r.ScheduleTime), wf)
	}
	fmt.Fprintln(out, "next runs:")
	if len(info.NextActionTimes) == 0 {
		fmt.Fprintln(out, "  none")
	}
	for i, t := range info.NextActionTimes {
		if i == 5 {
			break
		}
		fmt.Fprintf(out, "  %s\n", fmtTime(t))
	}
}

func actionSearchAttributes(a *client.ScheduleWorkflowAction) string {
	var parts []string
	if v, ok := a.TypedSearchAttributes.GetKeyword(workflows.SearchRegion); ok {
		parts = append(parts, workflows.SearchRegion.GetName()+"="+v)
	}
	if v, ok := a.TypedSearchAttributes.GetInt64(workflows.SearchSeason); ok {
		parts = append(parts, fmt.Sprintf("%s=%d", workflows.SearchSeason.GetName(), v))
	}
	return strings.Join(parts, " · ")
}

// payloadString shows an encoded argument or memo value as JSON (describe returns them undecoded).
func payloadString(v any) string {
	p, ok := v.(*commonpb.Payload)
	if !ok {
		b, _ := json.Marshal(v)
		return string(b)
	}
	var raw json.RawMessage
	if err := converter.GetDefaultDataConverter().FromPayload(p, &raw); err != nil {
		var s string
		if err := converter.GetDefaultDataConverter().FromPayload(p, &s); err == nil {
			return s
		}
		return "(undecodable)"
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

func fmtTime(t time.Time) string {
	if t.IsZero() || t.Unix() == 0 { // the server reports "never" as the epoch
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
