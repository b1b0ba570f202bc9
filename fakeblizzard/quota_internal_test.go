package fakeblizzard

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// fakeClock hands out the times it is set to, so the window is tested without waiting.
type fakeClock struct{ now int64 }

func (c *fakeClock) read() int64           { return c.now }
func (c *fakeClock) at(d time.Duration)    { c.now = int64(d) }
func (c *fakeClock) after(d time.Duration) { c.now += int64(d) }

func TestSlidingWindowAllowsScaledRPHInAnyWindow(t *testing.T) {
	q := newQuotas()
	// 72,000 an hour over 10 s windows is 200 per window.
	q.configure([]Client{{ID: "a", Secret: "x"}, {ID: "b", Secret: "y"}}, Faults{RPH: 72000, QuotaWindow: 10 * time.Second})
	clk := &fakeClock{}
	ok := 0
	for range 300 {
		if allowed, _ := q.allow("a", clk.read); allowed {
			ok++
		}
		clk.after(10 * time.Millisecond) // 300 requests over 3 s: all in one window
	}
	assert.Equal(t, 200, ok)
	allowed, _ := q.allow("b", clk.read)
	assert.True(t, allowed, "the other client has its own window")

	// The first request was at 0 s: its slot frees at 10 s. At 3 s that is 7 s away.
	clk.at(3 * time.Second)
	allowed, retry := q.allow("a", clk.read)
	assert.False(t, allowed)
	assert.Equal(t, 7, retry)
	// A sliver before the slot frees, the wait rounds up to a whole second.
	clk.at(10*time.Second - time.Millisecond)
	_, retry = q.allow("a", clk.read)
	assert.Equal(t, 1, retry)
	// Once the first requests leave the window, as many slots free up as left.
	clk.at(10*time.Second + 55*time.Millisecond) // requests at 0, 10, 20, 30, 40, 50 ms have left
	ok = 0
	for range 10 {
		if allowed, _ := q.allow("a", clk.read); allowed {
			ok++
		}
	}
	assert.Equal(t, 6, ok)
}

func TestSlidingWindowKeepsHistoryAcrossReconfiguration(t *testing.T) {
	q := newQuotas()
	clients := []Client{{ID: "a", Secret: "x"}}
	q.configure(clients, Faults{RPH: 5})
	clk := &fakeClock{}
	for range 5 {
		allowed, _ := q.allow("a", clk.read)
		assert.True(t, allowed)
	}
	allowed, retry := q.allow("a", clk.read)
	assert.False(t, allowed)
	assert.Equal(t, 3600, retry, "the default window is an hour")

	q.configure(clients, Faults{RPH: 8})
	ok := 0
	for range 5 {
		if allowed, _ := q.allow("a", clk.read); allowed {
			ok++
		}
	}
	assert.Equal(t, 3, ok, "requests already made count against the new limit")

	q.configure(clients, Faults{})
	allowed, _ = q.allow("a", clk.read)
	assert.True(t, allowed, "0 = unlimited")
}

func TestAllowedInWindow(t *testing.T) {
	assert.Equal(t, 200, allowedInWindow(72000, 10*time.Second))
	assert.Equal(t, 36000, allowedInWindow(36000, time.Hour))
	assert.Equal(t, 1, allowedInWindow(10, time.Second), "never zero: a tiny window does not ban")
}

func TestPeakWindow(t *testing.T) {
	var a arrivals
	a.reset()
	clk := &fakeClock{}
	// a: bursts of 3 every second; b: one request every 100 ms.
	for s := range 5 {
		for i := range 3 {
			clk.at(time.Duration(s)*time.Second + time.Duration(i)*time.Millisecond)
			a.record("a", clk.read)
		}
	}
	for i := range 20 {
		clk.at(10*time.Second + time.Duration(i)*100*time.Millisecond)
		a.record("b", clk.read)
	}
	assert.Equal(t, 3, a.peak("a", 500*time.Millisecond))
	assert.Equal(t, 3, a.peak("a", time.Second), "a window is half-open: the next burst is a second later")
	assert.Equal(t, 4, a.peak("a", time.Second+time.Millisecond), "[s+2ms, s+1s+3ms) holds one burst's last and the next one")
	assert.Equal(t, 6, a.peak("a", time.Second+3*time.Millisecond))
	assert.Equal(t, 15, a.peak("a", time.Hour))
	assert.Equal(t, 10, a.peak("b", time.Second))
	assert.Equal(t, 35, a.peak("", time.Hour), "all clients together")
	assert.Equal(t, 0, a.peak("a", 0))
	assert.Equal(t, 0, a.peak("nobody", time.Hour))
	a.reset()
	assert.Equal(t, 0, a.peak("", time.Hour))
}
