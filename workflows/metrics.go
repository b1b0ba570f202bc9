package workflows

import "go.temporal.io/sdk/workflow"

// Workflow-emitted metric names. The worker's Prometheus naming scope appends _total to counters, so
// these are exported as pvpsync_characters_total{outcome,bracket}, pvpsync_requests_saved_total{reason}
// and the gauge pvpsync_board_oldest_gear_seconds{region,bracket}. The SDK's workflow metrics handler
// does not emit during replay, so each event counts once.
const (
	MetricCharacters    = "pvpsync_characters"
	MetricRequestsSaved = "pvpsync_requests_saved"
	MetricOldestGear    = "pvpsync_board_oldest_gear_seconds"
)

// Reasons a Battle.net request was not made.
const (
	SavedIdle        = "idle"         // the character played no rated game: both gear requests spared
	SavedReuse       = "reuse"        // idle detection off: a fresh state was copied instead of fetching
	SavedNotModified = "not_modified" // a side answered 304: the body was neither sent nor processed
)

func countCharacters(ctx workflow.Context, outcome, bracket string, n int) {
	workflow.GetMetricsHandler(ctx).WithTags(map[string]string{"outcome": outcome, "bracket": bracket}).
		Counter(MetricCharacters).Inc(int64(n))
}

// requestsSaved counts Battle.net profile requests avoided (or, for 304s, bodies not downloaded).
func requestsSaved(ctx workflow.Context, reason string, n int64) {
	if n > 0 {
		workflow.GetMetricsHandler(ctx).WithTags(map[string]string{"reason": reason}).Counter(MetricRequestsSaved).Inc(n)
	}
}

// oldestGear records how stale a board's gear is: an operator alerts when it nears PVP_IDLE_MAX_AGE plus
// a cycle.
func oldestGear(ctx workflow.Context, region, bracket string, seconds int64) {
	workflow.GetMetricsHandler(ctx).WithTags(map[string]string{"region": region, "bracket": bracket}).
		Gauge(MetricOldestGear).Update(float64(seconds))
}
