// Command starter starts and watches pvpsync workflows and manages their schedules.
//
//	starter sync --region us [--brackets 3v3,shuffle-mage-frost] [--season N] [--wait] [-o table|json]
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

	"github.com/pvpsync/pvpsync/buildinfo"
	"github.com/pvpsync/pvpsync/config"
)

// Exit codes, for scripts: 0 everything completed, 1 the workflow or some of its boards or characters
// failed (or the command could not run), 2 bad usage before anything started, 130 interrupted (128 +
// SIGINT, as shells report it; the workflow keeps running).
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitInterrupted = 130
)

// usageError is bad input: exit code 2, before anything starts.
type usageError struct{ error }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// exitError is a command that ran but did not fully succeed; code is what the process exits with.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

func main() {
	root := &cobra.Command{
		Use:           "starter",
		Short:         "Start, watch and schedule pvpsync workflows",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       buildinfo.String(),
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.SetVersionTemplate("{{.Version}}\n")
	root.AddCommand(syncCmd(), scheduleCmd(), purgeCmd(), planCmd(), bracketsCmd(), metaCmd())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := root.ExecuteContext(ctx)
	interrupted := ctx.Err() != nil
	stop()
	if err == nil {
		return
	}
	fmt.Fprintln(os.Stderr, "starter:", err)
	os.Exit(exitCode(err, interrupted))
}

// exitCode maps a command's error to the process exit code; interrupted says a signal ended the command
// (whatever error that caused, such as a cancelled dial, it was not the command failing).
func exitCode(err error, interrupted bool) int {
	var (
		ee exitError
		ue usageError
	)
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ue) || isCobraUsage(err):
		return exitUsage
	case interrupted:
		return exitInterrupted
	}
	return exitFailed
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
