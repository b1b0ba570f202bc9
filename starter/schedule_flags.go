package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/pvpsync/pvpsync/workflows"
)

func (f *scheduleFlags) register(cmd *cobra.Command) {
	f.SyncOptions.register(cmd, syncFlagHelp{region: "required unless --retention", season: " at each run",
		timeout: "give up on a run after this long (must be shorter than --every; retention: 2h)"})
	fl := cmd.Flags()
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

// desired validates the flags (usage errors, before anything is contacted) and builds the schedule.
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
	in, err := f.regionInput() // trims and checks --brackets as `starter sync` does
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
