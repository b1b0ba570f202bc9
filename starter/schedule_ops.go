package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/workflows"
)

// scheduleTarget names one existing schedule: --region R, --retention, or its id as the argument.
type scheduleTarget struct {
	region    string
	retention bool
}

func (t *scheduleTarget) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&t.region, "region", "", "the region's sync schedule (pvp-sync-{region})")
	cmd.Flags().BoolVar(&t.retention, "retention", false, "the retention schedule ("+workflows.PurgeScheduleID+")")
}

func (t *scheduleTarget) id(args []string) (string, error) {
	n := 0
	for _, set := range []bool{t.region != "", t.retention, len(args) > 0} {
		if set {
			n++
		}
	}
	if n != 1 {
		return "", usagef("name one schedule: --region us, --retention, or its id")
	}
	switch {
	case t.retention:
		return workflows.PurgeScheduleID, nil
	case len(args) > 0:
		return args[0], nil
	}
	if err := battlenet.ValidateRegion(t.region); err != nil {
		return "", usageError{err}
	}
	return workflows.ScheduleID(t.region), nil
}

// scheduleOp is a subcommand acting on one existing schedule, named with the usual target flags.
type scheduleOp struct {
	use, short string
	flags      func(*cobra.Command) // extra flags
	check      func() error         // input checks on the parsed flags (usage errors)
	run        func(ctx context.Context, out io.Writer, h client.ScheduleHandle) error
}

func (op scheduleOp) command() *cobra.Command {
	var t scheduleTarget
	cmd := &cobra.Command{
		Use:   op.use + " [schedule-id]",
		Short: op.short,
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := t.id(args)
			if err != nil {
				return err
			}
			if op.check != nil {
				if err := op.check(); err != nil {
					return err
				}
			}
			c, _, err := dial(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			if err := op.run(cmd.Context(), cmd.OutOrStdout(), c.ScheduleClient().GetHandle(cmd.Context(), id)); err != nil {
				return scheduleErr(op.use, id, err)
			}
			return nil
		},
	}
	t.register(cmd)
	if op.flags != nil {
		op.flags(cmd)
	}
	return cmd
}

func schedulePauseCmd(pause bool) *cobra.Command {
	var note string
	use, short := "pause", "Stop taking scheduled actions until unpaused"
	if !pause {
		use, short = "unpause", "Resume taking scheduled actions"
	}
	return scheduleOp{use: use, short: short, flags: func(cmd *cobra.Command) {
		cmd.Flags().StringVar(&note, "note", "", "why (shown by describe)")
	}, run: func(ctx context.Context, out io.Writer, h client.ScheduleHandle) error {
		n := note
		if n == "" {
			n = use + "d with `starter schedule " + use + "`"
		}
		var err error
		if pause {
			err = h.Pause(ctx, client.SchedulePauseOptions{Note: n})
		} else {
			err = h.Unpause(ctx, client.ScheduleUnpauseOptions{Note: n})
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%sd schedule %s: %s\n", use, h.GetID(), n)
		return nil
	}}.command()
}

func scheduleTriggerCmd() *cobra.Command {
	var (
		overlap string
		p       enumspb.ScheduleOverlapPolicy
	)
	return scheduleOp{use: "trigger", short: "Start one run now (skipped if one is running, unless --overlap allow_all)", flags: func(cmd *cobra.Command) {
		cmd.Flags().StringVar(&overlap, "overlap", "", "override the schedule's overlap policy: allow_all, skip, buffer_one, buffer_all, cancel_other, terminate_other")
	}, check: func() (err error) {
		p, err = parseOverlap(overlap)
		return err
	}, run: func(ctx context.Context, out io.Writer, h client.ScheduleHandle) error {
		if err := h.Trigger(ctx, client.ScheduleTriggerOptions{Overlap: p}); err != nil {
			return err
		}
		fmt.Fprintf(out, "triggered schedule %s (overlap policy: %s); `starter schedule describe` lists the run\n", h.GetID(), overlapName(p))
		return nil
	}}.command()
}

func scheduleBackfillCmd() *cobra.Command {
	var (
		start, end, overlap string
		from, to            time.Time
		p                   enumspb.ScheduleOverlapPolicy
	)
	return scheduleOp{use: "backfill", short: "Take the actions the schedule would have taken between --start and --end", flags: func(cmd *cobra.Command) {
		cmd.Flags().StringVar(&start, "start", "", "start of the range, RFC 3339 (required)")
		cmd.Flags().StringVar(&end, "end", "", "end of the range, RFC 3339 (required)")
		cmd.Flags().StringVar(&overlap, "overlap", "", "override the schedule's overlap policy (e.g. buffer_all to run every missed time in turn)")
	}, check: func() (err error) {
		if from, err = time.Parse(time.RFC3339, start); err != nil {
			return usagef("--start must be an RFC 3339 time such as 2026-01-02T15:04:05Z: %v", err)
		}
		if to, err = time.Parse(time.RFC3339, end); err != nil {
			return usagef("--end must be an RFC 3339 time such as 2026-01-02T15:04:05Z: %v", err)
		}
		if !from.Before(to) {
			return usagef("--start (%s) must be before --end (%s)", start, end)
		}
		p, err = parseOverlap(overlap)
		return err
	}, run: func(ctx context.Context, out io.Writer, h client.ScheduleHandle) error {
		err := h.Backfill(ctx, client.ScheduleBackfillOptions{Backfill: []client.ScheduleBackfill{{Start: from, End: to, Overlap: p}}})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "backfilling schedule %s from %s to %s (overlap policy: %s)\n", h.GetID(), from.Format(time.RFC3339), to.Format(time.RFC3339), overlapName(p))
		return nil
	}}.command()
}

func scheduleDeleteCmd() *cobra.Command {
	return scheduleOp{
		use: "delete", short: "Delete a schedule (runs it started keep running)",
		run: func(ctx context.Context, out io.Writer, h client.ScheduleHandle) error {
			if err := h.Delete(ctx); err != nil {
				return err
			}
			fmt.Fprintf(out, "deleted schedule %s\n", h.GetID())
			return nil
		},
	}.command()
}

// scheduleErr turns NotFound into advice; the cause stays wrapped for errors.As.
func scheduleErr(op, id string, err error) error {
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return fmt.Errorf("%s: no schedule %s (create it with `starter schedule create`): %w", op, id, err)
	}
	return fmt.Errorf("%s schedule %s: %w", op, id, err)
}

func parseOverlap(s string) (enumspb.ScheduleOverlapPolicy, error) {
	if s == "" {
		return enumspb.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED, nil
	}
	v, ok := enumspb.ScheduleOverlapPolicy_value["SCHEDULE_OVERLAP_POLICY_"+strings.ToUpper(strings.ReplaceAll(s, "-", "_"))]
	if !ok || v == 0 {
		return 0, usagef("unknown --overlap %q (want allow_all, skip, buffer_one, buffer_all, cancel_other or terminate_other)", s)
	}
	return enumspb.ScheduleOverlapPolicy(v), nil
}

func overlapName(p enumspb.ScheduleOverlapPolicy) string {
	if p == enumspb.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED {
		return "the schedule's"
	}
	return strings.TrimPrefix(enumspb.ScheduleOverlapPolicy_name[int32(p)], "SCHEDULE_OVERLAP_POLICY_")
}
