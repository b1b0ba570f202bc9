package ops

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/fakeblizzard"
	"github.com/pvpsync/pvpsync/internal/teststack"
	"github.com/pvpsync/pvpsync/workflows"
)

// TestMetrics syncs a small 3v3 board three times (fetch, reuse, 304) and reads /metrics as Prometheus
// would: the SDK's latency histograms, Battle.net requests matching what the fake answered, the pool
// statistics, and the workflows' own characters-by-outcome and requests-saved counters.
func TestMetrics(t *testing.T) {
	const region, bracket = "us", "3v3"
	s := teststack.New(t, teststack.Options{Metrics: true, Fake: fakeblizzard.Options{
		Brackets: []string{bracket}, Characters: 150, Seed: 5}})
	board, err := s.Fake.Board(region, bracket)
	require.NoError(t, err)
	private := 0
	for _, e := range board {
		if s.Fake.IsPrivate(region, e.Character.ID) {
			private++
		}
	}
	public := len(board) - private
	require.Positive(t, private, "the board needs private characters for the 404 counters")
	in := workflows.SyncRegionInput{Region: region, Brackets: []string{bracket}}

	// Run 1: every character is fetched.
	res, err := s.SyncRegion(t, in, 5*time.Minute)
	require.NoError(t, err)
	require.Equal(t, len(board), res.Totals.Done)
	require.Zero(t, res.Totals.Failed, "failures: %+v", res.Totals.Failures)
	var total workflows.Progress // what the workflows reported, summed over the runs
	total.Add(res.Totals)
	m := waitFor(t, s.MetricsURL, func(m metrics) bool {
		return m.sum("pvpsync_characters_total", nil) >= float64(len(board))
	})

	for _, name := range []string{
		"temporal_activity_execution_latency_seconds", "temporal_activity_schedule_to_start_latency_seconds",
		"temporal_workflow_endtoend_latency_seconds", "temporal_workflow_task_schedule_to_start_latency_seconds",
		"temporal_workflow_task_execution_latency_seconds", "pvpsync_battlenet_request_seconds",
	} {
		f := m.family(t, name)
		assert.Equal(t, dto.MetricType_HISTOGRAM, f.GetType(), "%s is a histogram (buckets for P95)", name)
		assert.Positive(t, m.histogramCount(name, nil), "%s has observations", name)
	}
	assert.Positive(t, m.histogramCount("temporal_activity_execution_latency_seconds", map[string]string{"activity_type": "FetchEquipment"}))
	assert.Positive(t, m.histogramCount("temporal_workflow_endtoend_latency_seconds", map[string]string{"workflow_type": workflows.SyncLeaderboardName}))
	assert.Positive(t, m.sum("temporal_workflow_completed_total", map[string]string{"workflow_type": workflows.SyncCharacterName}))

	stats := s.Fake.Stats()
	for _, ep := range []string{fakeblizzard.EndpointEquipment, fakeblizzard.EndpointSpecializations, fakeblizzard.EndpointProfile, fakeblizzard.EndpointLeaderboard} {
		for _, status := range []int{200, 404} {
			want := float64(stats.Count(ep, status))
			got := m.sum("pvpsync_battlenet_requests_total", map[string]string{"endpoint": ep, "status": strconv.Itoa(status)})
			assert.Equal(t, want, got, "pvpsync_battlenet_requests_total{endpoint=%q,status=\"%d\"} = the fake's answers", ep, status)
		}
	}
	assert.Equal(t, float64(public), m.sum("pvpsync_battlenet_requests_total", map[string]string{"endpoint": "equipment", "status": "200"}))
	assert.Equal(t, float64(private), m.sum("pvpsync_battlenet_requests_total", map[string]string{"endpoint": "equipment", "status": "404"}),
		"private characters answer 404")

	for _, name := range []string{"pvpsync_db_pool_acquired_conns", "pvpsync_db_pool_idle_conns", "pvpsync_db_pool_total_conns", "pvpsync_db_pool_max_conns"} {
		assert.Equal(t, dto.MetricType_GAUGE, m.family(t, name).GetType(), name)
	}
	assert.Equal(t, 32.0, m.sum("pvpsync_db_pool_max_conns", nil))
	assert.Positive(t, m.sum("pvpsync_db_pool_acquires_total", nil))

	assert.Equal(t, dto.MetricType_COUNTER, m.family(t, "pvpsync_characters_total").GetType())
	checkOutcomes(t, m, bracket, total)
	assert.Equal(t, float64(public), m.outcome(bracket, workflows.OutcomeSynced))
	assert.Equal(t, float64(private), m.outcome(bracket, workflows.OutcomeUnavailable))
	assert.Equal(t, float64(len(board)), m.sum("pvpsync_characters_total", map[string]string{"bracket": bracket}))
	assert.Zero(t, m.sum("pvpsync_requests_saved_total", nil), "nothing to reuse on the first run")

	// Run 2: every public character reuses its fresh snapshot: two requests saved each.
	res2, err := s.SyncRegion(t, in, 5*time.Minute)
	require.NoError(t, err)
	require.Equal(t, public, res2.Totals.Reused)
	total.Add(res2.Totals)
	m = waitFor(t, s.MetricsURL, func(m metrics) bool {
		return m.sum("pvpsync_characters_total", nil) >= float64(2*len(board))
	})
	checkOutcomes(t, m, bracket, total)
	assert.Equal(t, float64(public), m.outcome(bracket, workflows.OutcomeReused))
	assert.Equal(t, float64(public), m.outcome(bracket, workflows.OutcomeSynced), "no character synced again")
	assert.Equal(t, float64(2*private), m.outcome(bracket, workflows.OutcomeUnavailable)+m.outcome(bracket, workflows.OutcomePrivate),
		"private characters are skipped without a request")
	assert.Equal(t, dto.MetricType_COUNTER, m.family(t, "pvpsync_requests_saved_total").GetType())
	assert.Equal(t, float64(2*public), m.sum("pvpsync_requests_saved_total", map[string]string{"reason": workflows.SavedReuse}))
	assert.Equal(t, float64(stats.Count(fakeblizzard.EndpointEquipment, 200)), m.sum("pvpsync_battlenet_requests_total",
		map[string]string{"endpoint": "equipment", "status": "200"}), "a reuse run makes no equipment request")

	// Run 3, TTL 0: conditional requests answered 304 on both sides.
	s.Acts.Config.EquipmentTTL = 0
	s.Fake.ResetStats()
	res3, err := s.SyncRegion(t, in, 5*time.Minute)
	require.NoError(t, err)
	require.Equal(t, public, res3.Totals.NotModified)
	total.Add(res3.Totals)
	m = waitFor(t, s.MetricsURL, func(m metrics) bool {
		return m.sum("pvpsync_characters_total", nil) >= float64(3*len(board))
	})
	stats = s.Fake.Stats()
	checkOutcomes(t, m, bracket, total)
	assert.Equal(t, float64(public), m.outcome(bracket, workflows.OutcomeNotModified))
	assert.Equal(t, float64(3*len(board)), m.sum("pvpsync_characters_total", nil))
	assert.Equal(t, float64(stats.Count(fakeblizzard.EndpointEquipment, 304)+stats.Count(fakeblizzard.EndpointSpecializations, 304)),
		m.sum("pvpsync_requests_saved_total", map[string]string{"reason": workflows.SavedNotModified}))
	assert.Equal(t, float64(2*public), m.sum("pvpsync_requests_saved_total", map[string]string{"reason": workflows.SavedNotModified}))
	assert.Equal(t, float64(stats.Count(fakeblizzard.EndpointEquipment, 304)), m.sum("pvpsync_battlenet_requests_total",
		map[string]string{"endpoint": "equipment", "status": "304"}))
	assert.Equal(t, float64(2*public), m.sum("pvpsync_requests_saved_total", map[string]string{"reason": workflows.SavedReuse}),
		"the reuse counter did not move on the 304 run")
}

// checkOutcomes compares pvpsync_characters_total with the counters the workflows returned.
func checkOutcomes(t *testing.T, m metrics, bracket string, want workflows.Progress) {
	t.Helper()
	for o, n := range map[string]int{
		workflows.OutcomeSynced: want.Synced, workflows.OutcomeReused: want.Reused, workflows.OutcomeNotModified: want.NotModified,
		workflows.OutcomeUnavailable: want.Unavailable, workflows.OutcomePrivate: want.Private,
		workflows.OutcomeDeduplicated: want.Deduplicated, workflows.OutcomeFailed: want.Failed,
	} {
		assert.Equal(t, float64(n), m.outcome(bracket, o), "pvpsync_characters_total{outcome=%q} = the workflows' results", o)
	}
}

func (m metrics) outcome(bracket, outcome string) float64 {
	return m.sum("pvpsync_characters_total", map[string]string{"outcome": outcome, "bracket": bracket})
}

// metrics is one scrape, by family name.
type metrics map[string]*dto.MetricFamily

func scrape(t testing.TB, url string) metrics {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	require.NoError(t, err, "parse /metrics")
	return fams
}

// waitFor scrapes until ok holds: the SDK's tally scope reports every second.
func waitFor(t testing.TB, url string, ok func(metrics) bool) metrics {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		m := scrape(t, url)
		if ok(m) {
			// One more report period, so every counter of the run has landed.
			time.Sleep(1500 * time.Millisecond)
			return scrape(t, url)
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics never reached the expected state; families: %s", m.names())
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func (m metrics) family(t testing.TB, name string) *dto.MetricFamily {
	t.Helper()
	f, ok := m[name]
	if !ok {
		t.Fatalf("no metric family %s on /metrics; families: %s", name, m.names())
	}
	return f
}

func (m metrics) names() string {
	var out []string
	for n := range m {
		out = append(out, n)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// sum adds the counter/gauge values of the series whose labels include want.
func (m metrics) sum(name string, want map[string]string) float64 {
	var total float64
	for _, s := range m.series(name, want) {
		switch {
		case s.Counter != nil:
			total += s.Counter.GetValue()
		case s.Gauge != nil:
			total += s.Gauge.GetValue()
		case s.Untyped != nil:
			total += s.Untyped.GetValue()
		}
	}
	return total
}

// histogramCount adds the observation counts of matching histogram series.
func (m metrics) histogramCount(name string, want map[string]string) float64 {
	var total float64
	for _, s := range m.series(name, want) {
		if h := s.GetHistogram(); h != nil {
			total += float64(h.GetSampleCount())
		}
	}
	return total
}

func (m metrics) series(name string, want map[string]string) []*dto.Metric {
	f, ok := m[name]
	if !ok {
		return nil
	}
	var out []*dto.Metric
	for _, s := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range s.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		match := true
		for k, v := range want {
			if have[k] != v {
				match = false
				break
			}
		}
		if match {
			out = append(out, s)
		}
	}
	return out
}
