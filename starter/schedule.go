package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

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
