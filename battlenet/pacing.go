package battlenet

import (
	"context"
	"math"
	"time"

	"golang.org/x/time/rate"
)

// pacer holds the two budgets Blizzard enforces per client. Every API request (retries included)
// takes a token from both; token fetches go to the OAuth host and are not counted.
type pacer struct {
	perSecond *rate.Limiter
	perHour   *rate.Limiter
}

func newPacer(rps float64, rph int) *pacer {
	// Burst 1 spaces requests evenly: any one-second window then holds at most rps+1 requests, so
	// 95/s can never trip the 100/s limit the way a bucket that saved up a burst could.
	perSecond := rate.NewLimiter(rate.Limit(rps), 1)

	// The hourly bucket starts with up to a second's worth of requests so a worker does not crawl at
	// the sustained rate from its first request. Refilling at (rph-burst)/h keeps burst plus refill
	// within rph for any one-hour window.
	burst := min(int(math.Ceil(rps)), max(1, rph/2))
	refill := rate.Limit(float64(max(rph-burst, 1)) / time.Hour.Seconds())
	perHour := rate.NewLimiter(refill, burst)
	return &pacer{perSecond: perSecond, perHour: perHour}
}

// wait blocks until both budgets allow one more request.
func (p *pacer) wait(ctx context.Context) error {
	if err := p.perSecond.Wait(ctx); err != nil {
		return err
	}
	return p.perHour.Wait(ctx)
}
