package fakeblizzard

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// quotas enforces the per-client limits: a token bucket of RPS (burst RPS, as Battle.net lets a
// short burst through) and a sliding window of RPH*window/1h accepted requests. Time is the server's
// monotonic clock in nanoseconds since start, so wall-clock jumps cannot open or close the window.
type quotas struct {
	mu       sync.Mutex
	limiters map[string]*rate.Limiter
	windows  map[string]*slidingWindow
	rph      int
	window   time.Duration
}

// slidingWindow holds the times of the requests accepted within the last window, oldest first.
type slidingWindow struct {
	at   []int64
	head int
}

func newQuotas() *quotas {
	return &quotas{limiters: map[string]*rate.Limiter{}, windows: map[string]*slidingWindow{}}
}

// configure applies new knobs. Token buckets restart full (as SetFaults always did); the window keeps
// its history: requests already made still count against a new hourly limit.
func (q *quotas) configure(clients []Client, f Faults) {
	q.mu.Lock()
	defer q.mu.Unlock()
	clear(q.limiters)
	if f.RPS > 0 {
		for _, c := range clients {
			q.limiters[c.ID] = rate.NewLimiter(rate.Limit(f.RPS), f.RPS)
		}
	}
	q.rph, q.window = f.RPH, f.QuotaWindow
	if q.window <= 0 {
		q.window = DefaultQuotaWindow
	}
}

// allowedInWindow is RPH scaled to the window; at least 1 so a tiny window never bans a client.
func allowedInWindow(rph int, window time.Duration) int {
	return max(int(int64(rph)*int64(window)/int64(time.Hour)), 1)
}

// allow says whether the client may make one more API request at now; when not, retry is how long
// until it may (whole seconds, at least 1, for Retry-After).
func (q *quotas) allow(client string, clock func() int64) (ok bool, retry int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := clock() // read under the lock, so the window stays in time order
	var w *slidingWindow
	if q.rph > 0 {
		w = q.windows[client]
		if w == nil {
			w = &slidingWindow{}
			q.windows[client] = w
		}
		w.expire(now - int64(q.window))
		if w.len() >= allowedInWindow(q.rph, q.window) {
			wait := w.at[w.head] + int64(q.window) - now
			return false, max(int((wait+int64(time.Second)-1)/int64(time.Second)), 1)
		}
	}
	if l := q.limiters[client]; l != nil && !l.Allow() {
		return false, 1
	}
	if w != nil {
		w.at = append(w.at, now)
	}
	return true, 0
}

func (w *slidingWindow) len() int { return len(w.at) - w.head }

// expire drops the requests at or before cutoff, compacting now and then so the slice stays bounded.
func (w *slidingWindow) expire(cutoff int64) {
	for w.head < len(w.at) && w.at[w.head] <= cutoff {
		w.head++
	}
	if w.head > 1024 && w.head*2 > len(w.at) {
		w.at = append(w.at[:0], w.at[w.head:]...)
		w.head = 0
	}
}

// maxArrivals bounds the arrival log of one client (and of all together): 2M requests, 16 MB. Past it
// the oldest are forgotten, so PeakWindow covers the most recent 2M requests.
const maxArrivals = 2 << 20

// arrivals logs when each API request of each client arrived, since the last reset, for PeakWindow.
type arrivals struct {
	mu  sync.Mutex
	all []int64
	by  map[string][]int64
}

func (a *arrivals) reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.all, a.by = nil, map[string][]int64{}
}

func (a *arrivals) record(client string, clock func() int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := clock() // read under the lock, so the log is sorted
	a.all = appendBounded(a.all, now)
	a.by[client] = appendBounded(a.by[client], now)
}

func appendBounded(s []int64, v int64) []int64 {
	if len(s) >= maxArrivals {
		s = append(s[:0], s[len(s)/2:]...)
	}
	return append(s, v)
}

// peak is the largest number of arrivals within any window of length d: two pointers over the
// sorted times (they are recorded under the lock that orders them).
func (a *arrivals) peak(client string, d time.Duration) int {
	if d <= 0 {
		return 0
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	ts := a.all
	if client != "" {
		ts = a.by[client]
	}
	best, i := 0, 0
	for j := range ts {
		for ts[j]-ts[i] >= int64(d) {
			i++
		}
		best = max(best, j-i+1)
	}
	return best
}
