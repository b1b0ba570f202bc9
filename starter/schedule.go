package main

import (
	"github.com/spf13/cobra"
)

func scheduleCmd() *cobra.Command {
	return &cobra.Command{Use: "schedule", Short: "Manage the recurring syncs (Temporal Schedules)"}
}
