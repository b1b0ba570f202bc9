package battlenet

import (
	"context"
	"time"
)

// SetClock replaces the clock the budgets of cs use for 429 pauses, so tests need not sleep.
func SetClock(cs *Clients, now func() time.Time, sleep func(context.Context, time.Duration) error) {
	for _, c := range cs.byName {
		for _, p := range c.pacers {
			p.now, p.sleep = now, sleep
		}
	}
}
