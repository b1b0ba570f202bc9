package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/pvpsync/pvpsync/workflows"
)

const (
	pollEvery    = 2 * time.Second // how often a watched sync is asked for its progress
	queryTimeout = 5 * time.Second // a busy worker answers late; the next poll asks again
)

// report is where a watched sync's output goes.
type report struct {
	out      io.Writer // the final summary
	json     bool      // the summary as one JSON document (-o json)
	progress *progressPrinter
}

// waitAndReport polls progress until the run ends, then prints the summary. The returned error carries
// the exit code: exitFailed when the workflow or some of its boards or characters failed, exitInterrupted
// when a signal stopped the watching.
func waitAndReport(ctx context.Context, c client.Client, r startedRun, rep report) error {
	type outcome struct {
		raw json.RawMessage
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		var v json.RawMessage
		err := r.run.Get(ctx, &v)
		done <- outcome{v, err}
	}()
	start := time.Now()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		select {
		case o := <-done:
			rep.progress.finish()
			if ctx.Err() != nil { // Get gave up because of the signal: the run itself did not end
				return rep.interrupted(r, time.Since(start))
			}
			return rep.final(r, o.raw, o.err, time.Since(start))
		case <-tick.C:
			p, err := liveProgress(ctx, c, r)
			if ctx.Err() != nil {
				continue // the query failed because of the signal: not news to print
			}
			rep.progress.update(p, err)
		case <-ctx.Done():
			rep.progress.finish()
			return rep.interrupted(r, time.Since(start))
		}
	}
}

// final prints the finished run's summary and turns it into the command's outcome.
func (rep report) final(r startedRun, raw json.RawMessage, runErr error, elapsed time.Duration) error {
	var res syncResult
	if runErr == nil {
		var err error
		if res, err = decodeResult(r.kind, raw); err != nil {
			return fmt.Errorf("read the result of %s %s: %w", r.kind, r.id, err)
		}
	} else {
		runErr = fmt.Errorf("%s %s failed: %w", r.kind, r.id, runErr)
		res = failureDetails(r.kind, runErr)
	}
	code := syncExitCode(res, runErr)
	if rep.json {
		if err := writeJSON(rep.out, summaryDoc(r, res, runErr, code, elapsed)); err != nil {
			return err
		}
	} else if res.raw != nil {
		printSummary(rep.out, res, elapsed)
	}
	switch {
	case runErr != nil:
		return exitError{code, runErr}
	case code != exitOK:
		return exitError{code, fmt.Errorf("%s %s finished with failures: %s", r.kind, r.id, res.failureText())}
	}
	return nil
}

// failureDetails is the result a failed run carries as its error's details: a region whose every board
// failed still says which and why. Anything else (no details, other details) is no result.
func failureDetails(kind string, runErr error) syncResult {
	var (
		appErr *temporal.ApplicationError
		raw    json.RawMessage
	)
	if !errors.As(runErr, &appErr) || !appErr.HasDetails() || appErr.Details(&raw) != nil {
		return syncResult{}
	}
	res, err := decodeResult(kind, raw)
	if err != nil {
		return syncResult{}
	}
	return res
}

// interrupted is Ctrl-C or SIGTERM while watching: the workflow is not cancelled, only the watching.
func (rep report) interrupted(r startedRun, elapsed time.Duration) error {
	err := fmt.Errorf("stopped watching; the workflow keeps running: %s", r.id)
	if rep.json {
		if werr := writeJSON(rep.out, summaryDoc(r, syncResult{}, err, exitInterrupted, elapsed)); werr != nil {
			return werr
		}
	}
	return exitError{exitInterrupted, err}
}

// liveProgress adds up the counters of the running boards (a region's own query knows finished boards).
// An error means no fresh answer: the caller keeps showing the last one.
func liveProgress(ctx context.Context, c client.Client, r startedRun) (workflows.Progress, error) {
	qctx, cancel := context.WithTimeout(ctx, queryTimeout)
	defer cancel()
	if r.kind == workflows.SyncLeaderboardName {
		var p workflows.Progress
		// No run id: the board continues as new, its latest run answers.
		err := queryProgress(qctx, c, r.id, "", &p)
		return p, err
	}
	var reg workflows.SyncRegionResult
	if err := queryProgress(qctx, c, r.id, r.runID, &reg); err != nil {
		return workflows.Progress{}, err
	}
	var total workflows.Progress
	for _, b := range reg.Brackets {
		if b.Status == workflows.BracketRunning && b.WorkflowID != "" {
			var p workflows.Progress
			if queryProgress(qctx, c, b.WorkflowID, "", &p) == nil {
				total.Add(p)
				continue
			}
		}
		total.Add(b.Progress)
	}
	return total, nil
}

func queryProgress(ctx context.Context, c client.Client, id, runID string, v any) error {
	res, err := c.QueryWorkflow(ctx, id, runID, workflows.ProgressQuery)
	if err != nil {
		return fmt.Errorf("query progress of %s: %w", id, err)
	}
	if err := res.Get(v); err != nil {
		return fmt.Errorf("decode progress of %s: %w", id, err)
	}
	return nil
}
