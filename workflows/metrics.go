package workflows

import "go.temporal.io/sdk/workflow"

// Workflow-emitted metric names. The worker's Prometheus naming scope appends _total to counters, so
// these are exported as pvpsync_characters_total{outcome,bracket} and
// pvpsync_requests_saved_total{reason}.
const (
	MetricCharacters    = "pvpsync_characters"
	MetricRequestsSaved = "pvpsync_requests_saved"
)

// Reasons a Battle.net request was not made.
const (
	SavedReuse       = "reuse"        // a fresh snapshot was copied instead of fetching a side
	SavedNotModified = "not_modified" // a side answered 304: the body was neither sent nor processed
)

// requestsSaved counts Battle.net profile requests avoided (or, for 304s, bodies not downloaded). The
// workflow metrics handler is replay-safe.
func requestsSaved(ctx workflow.Context, reason string, n int64) {
	workflow.GetMetricsHandler(ctx).WithTags(map[string]string{"reason": reason}).Counter(MetricRequestsSaved).Inc(n)
}
