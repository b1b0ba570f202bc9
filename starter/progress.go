package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/pvpsync/pvpsync/workflows"
)

const (
	// staleAfter without a fresh answer, the line says it is waiting: the counters shown are old.
	staleAfter = 10 * time.Second
	// plainEvery is how often a line is printed when output is not a terminal: a log or a CI job wants
	// a line now and then, not one per poll.
	plainEvery = 10 * time.Second
	staleNote  = " · waiting for the server"
)

// progressPrinter shows a watched sync's progress from the answers of its progress queries. A query
// that fails or times out (a busy or restarting worker) keeps the last counters on the line, so the bar
// never falls back to 0.
type progressPrinter struct {
	out      io.Writer
	redraw   bool // a terminal: one line redrawn in place; otherwise a plain line every plainEvery
	now      func() time.Time
	start    time.Time
	shown    workflows.Progress
	answered time.Time // of the last fresh answer (start until the first)
	printed  time.Time // of the last plain line; zero before the first
	drawn    bool      // a redrawn line is open: finish ends it
}

// newProgressPrinter starts the clock; now is injected so tests can step it.
func newProgressPrinter(out io.Writer, redraw bool, now func() time.Time) *progressPrinter {
	t := now()
	return &progressPrinter{out: out, redraw: redraw, now: now, start: t, answered: t}
}

// isTerminal tells whether w is a terminal, where redrawing one line reads well.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd())) // #nosec G115 -- a file descriptor fits in an int
}

// update takes one progress query's outcome and prints when a line is due.
func (pp *progressPrinter) update(p workflows.Progress, err error) {
	t := pp.now()
	if err == nil {
		pp.answered = t
		// A board that has just finished can be counted for a moment by neither its own query nor the
		// region's: such an answer would show fewer characters done than before, so it is not shown.
		if p.Done >= pp.shown.Done {
			pp.shown = p
		}
	}
	line := progressLine(pp.shown, t.Sub(pp.start))
	if t.Sub(pp.answered) > staleAfter {
		line += staleNote
	}
	if pp.redraw {
		fmt.Fprintf(pp.out, "\r%s\x1b[K", line) // \x1b[K clears what a longer previous line left
		pp.drawn = true
		return
	}
	if !pp.printed.IsZero() && t.Sub(pp.printed) < plainEvery {
		return
	}
	pp.printed = t
	fmt.Fprintln(pp.out, line)
}

// finish ends a redrawn line so what follows starts on a line of its own.
func (pp *progressPrinter) finish() {
	if pp.drawn {
		fmt.Fprintln(pp.out)
		pp.drawn = false
	}
}

func progressLine(p workflows.Progress, elapsed time.Duration) string {
	const width = 30
	filled := 0
	if p.Total > 0 {
		filled = min(width, p.Done*width/p.Total)
	}
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(p.Done) / s
	}
	return fmt.Sprintf("[%s%s] %d/%d characters · %d requests · %.1f/s · failed %d",
		strings.Repeat("#", filled), strings.Repeat(".", width-filled), p.Done, p.Total, p.Requests, rate, p.Failed)
}
