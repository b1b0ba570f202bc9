package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/pvpsync/pvpsync/workflows"
)

func purgeCmd() *cobra.Command {
	var days int
	cmd := &cobra.Command{
		Use:   "purge",
		Short: "Delete entry snapshots older than the retention now (the schedule does it daily)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if days < 0 {
				return usagef("--days must be positive (0 = the worker's PVP_SNAPSHOT_RETENTION_DAYS)")
			}
			c, opts, err := dial(cmd.Context())
			if err != nil {
				return err
			}
			defer c.Close()
			id := "pvp-retention/" + time.Now().UTC().Format(time.RFC3339)
			run, err := c.ExecuteWorkflow(cmd.Context(), client.StartWorkflowOptions{
				ID: id, TaskQueue: workflows.TaskQueueWorkflows, StaticSummary: "delete old snapshots",
			}, workflows.PurgeSnapshotsName, workflows.PurgeSnapshotsInput{RetentionDays: days})
			if err != nil {
				return err
			}
			var res workflows.PurgeSnapshotsResult
			if err := run.Get(cmd.Context(), &res); err != nil {
				return err
			}
			fmt.Printf("deleted %d entries older than %s (%s)\n", res.Deleted, res.Before.Format(time.RFC3339), workflowURL(opts.Namespace, id))
			return nil
		},
	}
	cmd.Flags().IntVar(&days, "days", 0, "retention in days (default: the worker's PVP_SNAPSHOT_RETENTION_DAYS)")
	return cmd
}
