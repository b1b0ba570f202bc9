package battlenet

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// defaultPause is how long a 429 without Retry-After holds the budget's next requests.
const defaultPause = time.Second

// processBudgetKey marks a context WithProcessBudget.
type processBudgetKey struct{}

// WithProcessBudget marks requests that bypass the per-credential Temporal task queue (the opt-in
// local_fetch mode): they also wait on an in-process limiter at Config.SustainedRate, so the hourly
// quota still holds. That limiter lives in this process only: N processes fetching locally with the
// same credential may together spend N times the budget.
func WithProcessBudget(ctx context.Context) context.Context {
	return context.WithValue(ctx, processBudgetKey{}, true)
}

func usesProcessBudget(ctx context.Context) bool {
	v, _ := ctx.Value(processBudgetKey{}).(bool)
	return v
}

// pacer holds one budget (a credential's, or a credential's in one region) in this process. Every
// API request, retries included, passes through wait; token fetches go to the OAuth host and are
// not counted.
type pacer struct {
	// perSecond shapes bursts. Burst 1 spaces requests evenly: any one-second window then holds at
	// most rps+1 requests, so 95/s can never trip the 100/s limit the way a saved-up burst could.
	perSecond *rate.Limiter
	// process is the hourly quota as a rate, for WithProcessBudget contexts only; otherwise the
	// Temporal task queue is the budget.
	process *rate.Limiter

	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error

	mu          sync.Mutex
	pausedUntil time.Time // set by a 429: no request of this budget before then
}

func newPacer(rps, sustained float64) *pacer {
	return &pacer{
		perSecond: rate.NewLimiter(rate.Limit(rps), 1),
		process:   rate.NewLimiter(rate.Limit(sustained), 1),
		now:       time.Now,
		sleep:     sleepCtx,
	}
}

// pausedError says the budget is paused past the caller's deadline.
type pausedError struct{ left time.Duration }

func (e *pausedError) Error() string {
	return fmt.Sprintf("paused after a 429 for another %s, past the deadline", e.left.Round(time.Millisecond))
}

// wait blocks until the budget allows one more request.
func (p *pacer) wait(ctx context.Context) error {
	for {
		if err := p.waitPause(ctx); err != nil {
			return err
		}
		if usesProcessBudget(ctx) {
			if err := p.process.Wait(ctx); err != nil {
				return err
			}
		}
		if err := p.perSecond.Wait(ctx); err != nil {
			return err
		}
		// A 429 that arrived while this request queued holds it too; the limiters are passed again
		// afterwards so the requests held by a pause do not all leave at once when it ends.
		if p.pauseLeft() <= 0 {
			return nil
		}
	}
}

// waitPause sleeps until a pause ends, failing at once when it would outlast the context.
func (p *pacer) waitPause(ctx context.Context) error {
	for {
		left := p.pauseLeft()
		if left <= 0 {
			return nil
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < left {
			return &pausedError{left: left}
		}
		if err := p.sleep(ctx, left); err != nil {
			return err
		}
	}
}

func (p *pacer) pauseLeft() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pausedUntil.Sub(p.now())
}

// pause holds every request of this budget for d; a longer pause already running is kept.
func (p *pacer) pause(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if until := p.now().Add(d); until.After(p.pausedUntil) {
		p.pausedUntil = until
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
