package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/workflows"
)

// Schedule defaults: a region every 6 hours, retention daily. The catch-up window is short on purpose:
// after an outage one sync is enough, replaying every missed run would only hammer Battle.net.
const (
	defaultSyncEvery      = 6 * time.Hour
	defaultRetentionEvery = 24 * time.Hour
	defaultJitter         = 30 * time.Minute
	defaultCatchupWindow  = 10 * time.Minute
	defaultSyncTimeout    = 5 * time.Hour
	retentionTimeout      = 2 * time.Hour
)

// scheduleFlags are the flags of `starter schedule create|update`: the whole desired schedule.
type scheduleFlags struct {
	SyncOptions
	Retention     bool
	Days          int
	Every         time.Duration
	Jitter        time.Duration
	CatchupWindow time.Duration
	Note          string
	Paused        bool
	IfNotExists   bool
}

// desiredSchedule is what create and update both apply.
type desiredSchedule struct {
	id     string
	spec   client.ScheduleSpec
	action *client.ScheduleWorkflowAction
	policy client.SchedulePolicies
	memo   map[string]any
	note   string
}

func scheduleCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "schedule",
		Short: "Manage the recurring syncs (Temporal Schedules)",
		Long: "One schedule per region (id pvp-sync-{region}) starts SyncRegion every --every (default 6h), and the\n" +
			"retention schedule (id " + workflows.PurgeScheduleID + ", --retention) starts PurgeSnapshots daily.\n" +
			"A run that is still going when the next one is due makes the next one skip.",
	}
	cmd.AddCommand(scheduleCreateCmd(), scheduleUpdateCmd(), scheduleDescribeCmd(), schedulePauseCmd(true),
		schedulePauseCmd(false), scheduleTriggerCmd(), scheduleBackfillCmd(), scheduleDeleteCmd(), scheduleListCmd())
	return cmd
}

func scheduleCreateCmd() *cobra.Command {
	var f scheduleFlags
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a region's sync schedule (--region) or the retention schedule (--retention)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, c, err := f.desiredAndClient(cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			out := cmd.OutOrStdout()
			_, err = c.ScheduleClient().Create(cmd.Context(), client.ScheduleOptions{
				ID:            d.id,
				Spec:          d.spec,
				Action:        d.action,
				Overlap:       d.policy.Overlap,
				CatchupWindow: d.policy.CatchupWindow,
				Note:          d.note,
				Paused:        f.Paused,
				Memo:          d.memo,
			})
			if errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
				if f.IfNotExists {
					fmt.Fprintf(out, "schedule %s already exists; left unchanged (use `starter schedule update` to change it)\n", d.id)
					return nil
				}
				return fmt.Errorf("schedule %s already exists: change it with `starter schedule update %s` (same flags as create), or pass --if-not-exists", d.id, f.target())
			}
			if err != nil {
				return fmt.Errorf("create schedule %s: %w", d.id, err)
			}
			state := "active"
			if f.Paused {
				state = "paused"
			}
			fmt.Fprintf(out, "created schedule %s (%s): %s every %s, jitter %s\n", d.id, state, d.action.StaticSummary, human(f.Every), human(f.Jitter))
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&f.Paused, "paused", false, "create the schedule paused")
	cmd.Flags().BoolVar(&f.IfNotExists, "if-not-exists", false, "succeed without changes when the schedule already exists")
	return cmd
}

func scheduleUpdateCmd() *cobra.Command {
	var f scheduleFlags
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Replace a schedule's spec, action and policies with these flags (paused state and history kept)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, c, err := f.desiredAndClient(cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			err = c.ScheduleClient().GetHandle(cmd.Context(), d.id).Update(cmd.Context(), client.ScheduleUpdateOptions{
				DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
					s := in.Description.Schedule
					spec, policy := d.spec, d.policy
					s.Spec, s.Action, s.Policy = &spec, d.action, &policy
					if cmd.Flags().Changed("note") && s.State != nil {
						s.State.Note = d.note
					}
					return &client.ScheduleUpdate{Schedule: &s}, nil
				},
			})
			if err != nil {
				return scheduleErr("update", d.id, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "updated schedule %s: %s every %s, jitter %s\n", d.id, d.action.StaticSummary, human(f.Every), human(f.Jitter))
			return nil
		},
	}
	f.register(cmd)
	return cmd
}

func (f *scheduleFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.Region, "region", "", "region: us, eu, kr or tw (required unless --retention)")
	fl.StringSliceVar(&f.Brackets, "brackets", nil, "boards to sync, comma separated (default: all but the overall boards)")
	fl.Int64Var(&f.Season, "season", 0, "season id (default: the current season at each run)")
	fl.StringVar(&f.Locale, "locale", "", "locale served in the region (default: the region's first)")
	fl.IntVar(&f.Window, "window", 0, fmt.Sprintf("character workflows in flight per board (default %d)", workflows.DefaultWindow))
	fl.DurationVar(&f.Timeout, "timeout", defaultSyncTimeout, "give up on a run after this long (must be shorter than --every; retention: 2h)")
	fl.BoolVar(&f.Retention, "retention", false, "the retention schedule (PurgeSnapshots) instead of a region's sync")
	fl.IntVar(&f.Days, "days", 0, "with --retention: keep this many days (default: the worker's PVP_SNAPSHOT_RETENTION_DAYS)")
	fl.DurationVar(&f.Every, "every", defaultSyncEvery, "interval between runs (retention default: 24h)")
	fl.DurationVar(&f.Jitter, "jitter", defaultJitter, "start each run up to this much later, at random")
	fl.DurationVar(&f.CatchupWindow, "catchup-window", defaultCatchupWindow, "after an outage, still start a missed run this late (older ones are dropped)")
	fl.StringVar(&f.Note, "note", "", "note shown on the schedule")
}

// target is how the other subcommands name this schedule.
func (f *scheduleFlags) target() string {
	if f.Retention {
		return "--retention"
	}
	return "--region " + f.Region
}

// desired validates the flags (usage errors, before anything is contacted) and builds the schedule.
// desiredAndClient validates the flags (usage errors before any connection), then dials Temporal: how
// create and update both begin.
func (f *scheduleFlags) desiredAndClient(cmd *cobra.Command) (desiredSchedule, client.Client, error) {
	d, err := f.desired(cmd)
	if err != nil {
		return d, nil, err
	}
	c, _, err := dial(cmd.Context())
	return d, c, err
}

func (f *scheduleFlags) desired(cmd *cobra.Command) (desiredSchedule, error) {
	changed := cmd.Flags().Changed
	if f.Retention && !changed("every") {
		f.Every = defaultRetentionEvery
	}
	if f.Retention && !changed("timeout") {
		f.Timeout = retentionTimeout
	}
	switch {
	case f.Every <= 0:
		return desiredSchedule{}, usagef("--every must be positive, got %s", f.Every)
	case f.Jitter < 0 || f.Jitter >= f.Every:
		return desiredSchedule{}, usagef("--jitter must be between 0 and --every (%s), got %s", human(f.Every), f.Jitter)
	case f.CatchupWindow <= 0:
		return desiredSchedule{}, usagef("--catchup-window must be positive, got %s", f.CatchupWindow)
	case f.Timeout <= 0:
		return desiredSchedule{}, usagef("--timeout must be positive, got %s", f.Timeout)
	case f.Timeout >= f.Every:
		return desiredSchedule{}, usagef("--timeout (%s) must be shorter than --every (%s) so runs cannot pile up: pass a shorter --timeout", human(f.Timeout), human(f.Every))
	}
	d := desiredSchedule{
		spec:   client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: f.Every}}, Jitter: f.Jitter},
		policy: client.SchedulePolicies{Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, CatchupWindow: f.CatchupWindow},
	}
	if f.Retention {
		return f.retention(cmd, d)
	}
	if f.Days != 0 {
		return desiredSchedule{}, usagef("--days only applies with --retention")
	}
	for i, b := range f.Brackets {
		f.Brackets[i] = strings.TrimSpace(b)
	}
	in, err := f.regionInput()
	if err != nil {
		return desiredSchedule{}, err
	}
	boards := "all boards"
	if len(in.Brackets) > 0 {
		boards = strings.Join(in.Brackets, ", ")
	}
	summary := fmt.Sprintf("scheduled sync %s · %s", in.Region, boards)
	sa := []temporal.SearchAttributeUpdate{workflows.SearchRegion.ValueSet(in.Region)}
	if in.Season > 0 {
		summary += fmt.Sprintf(" · season %d", in.Season)
		sa = append(sa, workflows.SearchSeason.ValueSet(in.Season))
	}
	d.id = workflows.ScheduleID(in.Region)
	d.action = &client.ScheduleWorkflowAction{
		ID:                       fmt.Sprintf("pvp-sync/%s/scheduled", in.Region),
		Workflow:                 workflows.SyncRegionName,
		Args:                     []any{in},
		TaskQueue:                workflows.TaskQueueWorkflows,
		WorkflowExecutionTimeout: f.Timeout,
		TypedSearchAttributes:    temporal.NewSearchAttributes(sa...),
		StaticSummary:            summary,
	}
	d.memo = map[string]any{"region": in.Region, "boards": boards, "managed_by": "starter schedule"}
	d.note = f.Note
	if d.note == "" {
		d.note = fmt.Sprintf("sync %s every %s, managed with `starter schedule`", in.Region, human(f.Every))
	}
	return d, nil
}

func (f *scheduleFlags) retention(cmd *cobra.Command, d desiredSchedule) (desiredSchedule, error) {
	for _, name := range []string{"region", "brackets", "season", "locale", "window"} {
		if cmd.Flags().Changed(name) {
			return desiredSchedule{}, usagef("--%s does not apply to the retention schedule", name)
		}
	}
	if f.Days < 0 {
		return desiredSchedule{}, usagef("--days must be positive (0 = the worker's PVP_SNAPSHOT_RETENTION_DAYS), got %d", f.Days)
	}
	keep := "the worker's retention"
	if f.Days > 0 {
		keep = fmt.Sprintf("%d days", f.Days)
	}
	d.id = workflows.PurgeScheduleID
	d.action = &client.ScheduleWorkflowAction{
		ID:                       "pvp-retention/scheduled",
		Workflow:                 workflows.PurgeSnapshotsName,
		Args:                     []any{workflows.PurgeSnapshotsInput{RetentionDays: f.Days}},
		TaskQueue:                workflows.TaskQueueWorkflows,
		WorkflowExecutionTimeout: f.Timeout,
		StaticSummary:            "scheduled purge · keep " + keep,
	}
	d.memo = map[string]any{"retention": keep, "managed_by": "starter schedule"}
	d.note = f.Note
	if d.note == "" {
		d.note = fmt.Sprintf("delete snapshots older than %s every %s, managed with `starter schedule`", keep, human(f.Every))
	}
	return d, nil
}

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

// human prints 6h instead of 6h0m0s.
func human(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
