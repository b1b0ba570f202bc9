// Command starter starts and watches pvpsync workflows and manages their schedules.
//
//	starter sync --region us [--brackets 3v3,shuffle-mage-frost] [--season N] [--wait]
//	starter schedule create|update|describe|pause|unpause|trigger|backfill|delete|list
//	starter purge [--days 30]
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"github.com/pvpsync/pvpsync/config"
)

// usageError is bad input: exit code 2, before anything starts.
type usageError struct{ error }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

func main() {
	root := &cobra.Command{
		Use:           "starter",
		Short:         "Start, watch and schedule pvpsync workflows",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(syncCmd(), scheduleCmd(), purgeCmd())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := root.ExecuteContext(ctx)
	if err == nil {
		return
	}
	fmt.Fprintln(os.Stderr, "starter:", err)
	var ue usageError
	if errors.As(err, &ue) || isCobraUsage(err) {
		os.Exit(2)
	}
	os.Exit(1)
}

// isCobraUsage catches cobra's own argument errors (unknown command, wrong arg count).
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "accepts ", "requires ", "invalid argument"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// dial connects to Temporal from the SDK's standard environment.
func dial(ctx context.Context) (client.Client, client.Options, error) {
	opts, err := config.Temporal()
	if err != nil {
		return nil, opts, err
	}
	c, err := client.DialContext(ctx, opts)
	if err != nil {
		return nil, opts, fmt.Errorf("connect to Temporal at %s (namespace %s): %w", opts.HostPort, opts.Namespace, err)
	}
	return c, opts, nil
}
