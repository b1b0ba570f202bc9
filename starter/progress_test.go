package main

import (
	"bytes"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/workflows"
)

// fakeClock is a clock the test steps by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

var doneRe = regexp.MustCompile(`(\d+)/(\d+) characters`)

// progressLines splits printed progress into its lines, redrawn (\r) or plain (\n).
func progressLines(t *testing.T, out string) []string {
	t.Helper()
	var lines []string
	for _, l := range strings.FieldsFunc(out, func(r rune) bool { return r == '\r' || r == '\n' }) {
		lines = append(lines, strings.TrimSuffix(l, "\x1b[K"))
	}
	return lines
}

func doneOf(t *testing.T, line string) int {
	t.Helper()
	m := doneRe.FindStringSubmatch(line)
	require.NotNil(t, m, "no progress in %q", line)
	n, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	return n
}

var errQuery = errors.New("query progress: context deadline exceeded")

func TestProgressPrinterKeepsTheLastAnswerAndSaysWhenItIsStale(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	var out bytes.Buffer
	pp := newProgressPrinter(&out, true, clock.now)

	steps := []struct {
		after time.Duration
		p     workflows.Progress
		err   error
		stale bool
	}{
		{2 * time.Second, workflows.Progress{Total: 1000, Done: 544, Requests: 600}, nil, false},
		{4 * time.Second, workflows.Progress{}, errQuery, false}, // 4 s without an answer
		{7 * time.Second, workflows.Progress{}, errQuery, true},  // 11 s: stale
		{2 * time.Second, workflows.Progress{Total: 1000, Done: 560, Requests: 620}, nil, false},
	}
	for _, s := range steps {
		clock.advance(s.after)
		pp.update(s.p, s.err)
	}
	pp.finish()

	assert.True(t, strings.HasSuffix(out.String(), "\n"), "finish ends the redrawn line")
	lines := progressLines(t, out.String())
	require.Len(t, lines, len(steps), "a terminal gets a redraw per poll: %q", out.String())
	prev := 0
	for i, l := range lines {
		done := doneOf(t, l)
		assert.GreaterOrEqual(t, done, prev, "line %d went back: %q", i, l)
		prev = done
		assert.Equal(t, steps[i].stale, strings.Contains(l, "waiting for the server"), "line %d: %q", i, l)
	}
	assert.Equal(t, []int{544, 544, 544, 560}, []int{doneOf(t, lines[0]), doneOf(t, lines[1]), doneOf(t, lines[2]), doneOf(t, lines[3])})
	assert.Contains(t, lines[2], "600 requests", "a failed query keeps every counter, not only done")
}

// A fresh answer counting fewer characters (a board between its own query and the region's) is not shown.
func TestProgressPrinterNeverShowsFewerDone(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	var out bytes.Buffer
	pp := newProgressPrinter(&out, true, clock.now)
	for _, done := range []int{100, 300, 40, 310} {
		clock.advance(2 * time.Second)
		pp.update(workflows.Progress{Total: 1000, Done: done}, nil)
	}
	var got []int
	for _, l := range progressLines(t, out.String()) {
		got = append(got, doneOf(t, l))
		assert.NotContains(t, l, "waiting for the server", "every poll answered")
	}
	assert.Equal(t, []int{100, 300, 300, 310}, got)
}

// Without a terminal: no carriage returns, and a line at most every plainEvery however often it polls.
func TestProgressPrinterPlainLines(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	var out bytes.Buffer
	pp := newProgressPrinter(&out, false, clock.now)
	for i := range 15 { // 30 s of polls every 2 s
		clock.advance(2 * time.Second)
		pp.update(workflows.Progress{Total: 1000, Done: 10 * (i + 1)}, nil)
	}
	pp.finish()
	assert.NotContains(t, out.String(), "\r")
	assert.NotContains(t, out.String(), "\x1b")
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	// Printed at 2 s, 12 s, 22 s and 32 s... of which 2, 12, 22 fall within the 30 s.
	require.Len(t, lines, 3, out.String())
	assert.Equal(t, []int{10, 60, 110}, []int{doneOf(t, lines[0]), doneOf(t, lines[1]), doneOf(t, lines[2])})
}

// With no answer ever, the line shows zeros (nothing is known yet) and turns stale after staleAfter.
func TestProgressPrinterStaleBeforeTheFirstAnswer(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	var out bytes.Buffer
	pp := newProgressPrinter(&out, false, clock.now)
	clock.advance(2 * time.Second)
	pp.update(workflows.Progress{}, errQuery)
	clock.advance(staleAfter)
	pp.update(workflows.Progress{}, errQuery)
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	require.Len(t, lines, 2)
	assert.NotContains(t, lines[0], "waiting for the server")
	assert.Contains(t, lines[1], "waiting for the server")
}

func TestProgressLine(t *testing.T) {
	l := progressLine(workflows.Progress{Total: 1000, Done: 500, Requests: 700, Failed: 3}, 100*time.Second)
	assert.Equal(t, "[###############...............] 500/1000 characters · 700 requests · 5.0/s · failed 3", l)
	assert.Contains(t, progressLine(workflows.Progress{}, 0), "[..............................] 0/0 characters")
}
