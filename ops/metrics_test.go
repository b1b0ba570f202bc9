package ops

import (
	"context"
	"math"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/buildinfo"
	"github.com/pvpsync/pvpsync/fakeblizzard"
	"github.com/pvpsync/pvpsync/internal/promtest"
	"github.com/pvpsync/pvpsync/internal/teststack"
	"github.com/pvpsync/pvpsync/workflows"
)

// TestMetrics syncs a small 3v3 board three times (fetch, idle, 304) with two Battle.net credentials and
// reads /metrics as Prometheus would: the SDK's latency histograms (with buckets reaching hours), the
// Battle.net requests of each credential matching what the fake answered that client, the pool
// statistics, the build, and the workflows' own characters-by-outcome, requests-saved and board
// freshness series.
func TestMetrics(t *testing.T) {
	const region, bracket = "us", "3v3"
	clients := []fakeblizzard.Client{{ID: "ops-client-1", Secret: "ops-secret-1"}, {ID: "ops-client-2", Secret: "ops-secret-2"}}
	creds := []battlenet.Credential{
		{Name: "c1", ClientID: clients[0].ID, ClientSecret: clients[0].Secret},
		{Name: "c2", ClientID: clients[1].ID, ClientSecret: clients[1].Secret},
	}
	s := teststack.New(t, teststack.Options{Metrics: true, Battlenet: battlenet.Config{Credentials: creds},
		Fake: fakeblizzard.Options{Brackets: []string{bracket}, Characters: 150, Seed: 5, Clients: clients}})
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
	// A board or region workflow runs for minutes to hours: its latency must land in a finite bucket.
	for _, name := range []string{"temporal_workflow_endtoend_latency_seconds", "temporal_activity_schedule_to_start_latency_seconds"} {
		assert.GreaterOrEqual(t, m.maxFiniteBucket(name), 3*time.Hour.Seconds(), "%s has a bucket le >= 10800", name)
	}
	checkBuildInfo(t, m)

	stats := s.Fake.Stats()
	// Each credential's requests, endpoint by endpoint and status by status, are what the fake answered
	// its client (token requests included), and both credentials took a share.
	for i, c := range creds {
		want := map[string]float64{}
		for ep, byStatus := range stats.ByClient[clients[i].ID].ByEndpoint {
			for status, n := range byStatus {
				want[ep+" "+status] = float64(n)
			}
		}
		got := map[string]float64{}
		for _, series := range m.series("pvpsync_battlenet_requests_total", map[string]string{"credential": c.Name}) {
			l := labelMap(series)
			got[l["endpoint"]+" "+l["status"]] += series.GetCounter().GetValue()
		}
		t.Logf("credential %s: %v", c.Name, got)
		assert.Equal(t, want, got, "pvpsync_battlenet_requests_total{credential=%q} = what the fake answered client %s", c.Name, clients[i].ID)
		assert.Positive(t, got[fakeblizzard.EndpointEquipment+" 200"], "credential %s fetched gear", c.Name)
	}
	assert.Equal(t, m.sum("pvpsync_battlenet_requests_total", nil),
		m.sum("pvpsync_battlenet_requests_total", map[string]string{"credential": "c1"})+m.sum("pvpsync_battlenet_requests_total", map[string]string{"credential": "c2"}),
		"every request is labelled with its credential")
	checkOldestGear(t, s, m, res)
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

	// Run 2: nobody played since, so every public character is idle: no request, two saved each.
	nextSnapshot()
	res2, err := s.SyncRegion(t, in, 5*time.Minute)
	require.NoError(t, err)
	require.Equal(t, public, res2.Totals.Idle)
	total.Add(res2.Totals)
	m = waitFor(t, s.MetricsURL, func(m metrics) bool {
		return m.sum("pvpsync_characters_total", nil) >= float64(2*len(board))
	})
	checkOutcomes(t, m, bracket, total)
	assert.Equal(t, float64(public), m.outcome(bracket, workflows.OutcomeIdle))
	assert.Equal(t, float64(public), m.outcome(bracket, workflows.OutcomeSynced), "no character synced again")
	assert.Equal(t, float64(2*private), m.outcome(bracket, workflows.OutcomeUnavailable)+m.outcome(bracket, workflows.OutcomePrivate),
		"private characters are skipped without a request")
	assert.Equal(t, dto.MetricType_COUNTER, m.family(t, "pvpsync_requests_saved_total").GetType())
	assert.Equal(t, float64(2*public), m.sum("pvpsync_requests_saved_total", map[string]string{"reason": workflows.SavedIdle}))
	assert.Zero(t, m.sum("pvpsync_requests_saved_total", map[string]string{"reason": workflows.SavedReuse}), "idle detection is on: nothing is reused")
	assert.Equal(t, float64(stats.Count(fakeblizzard.EndpointEquipment, 200)), m.sum("pvpsync_battlenet_requests_total",
		map[string]string{"endpoint": "equipment", "status": "200"}), "an idle run makes no equipment request")
	checkOldestGear(t, s, m, res2)

	// Run 3, idle detection off and TTL 0: conditional requests answered 304 on both sides.
	s.Acts.Config.IdleMaxAge, s.Acts.Config.EquipmentTTL = 0, 0
	nextSnapshot()
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
	assert.Equal(t, float64(2*public), m.sum("pvpsync_requests_saved_total", map[string]string{"reason": workflows.SavedIdle}),
		"the idle counter did not move on the 304 run")
	checkOldestGear(t, s, m, res3)
}

// checkOldestGear compares pvpsync_board_oldest_gear_seconds{region,bracket} with what the region's
// last board workflow returned (one board per run: the gauge holds its value).
func checkOldestGear(t *testing.T, s *teststack.Stack, m metrics, res workflows.SyncRegionResult) {
	t.Helper()
	require.Len(t, res.Brackets, 1)
	b := res.Brackets[0]
	var board workflows.SyncLeaderboardResult
	require.NoError(t, s.Temporal.GetWorkflow(context.Background(), b.WorkflowID, "").Get(context.Background(), &board))
	f := m.family(t, "pvpsync_board_oldest_gear_seconds")
	assert.Equal(t, dto.MetricType_GAUGE, f.GetType())
	series := m.series("pvpsync_board_oldest_gear_seconds", map[string]string{"region": res.Region, "bracket": b.Bracket})
	require.Len(t, series, 1, "one series per region and bracket")
	assert.Equal(t, float64(board.OldestGearSeconds), series[0].GetGauge().GetValue(), "oldest gear of %s", b.WorkflowID)
}

// checkBuildInfo: pvpsync_build_info is 1 and names the build (a test binary is not stamped: the labels
// are what buildinfo falls back to, never empty).
func checkBuildInfo(t *testing.T, m metrics) {
	t.Helper()
	series := m.series("pvpsync_build_info", nil)
	require.Len(t, series, 1)
	assert.Equal(t, 1.0, series[0].GetGauge().GetValue())
	l := labelMap(series[0])
	info := buildinfo.Get()
	assert.Equal(t, map[string]string{"version": info.Version, "revision": info.Revision, "go_version": info.GoVersion}, l)
	assert.Equal(t, runtime.Version(), l["go_version"])
}

// maxFiniteBucket is the largest finite upper bound of a histogram family's buckets (0 if none).
func (m metrics) maxFiniteBucket(name string) float64 {
	var top float64
	for _, s := range m.series(name, nil) {
		for _, b := range s.GetHistogram().GetBucket() {
			if ub := b.GetUpperBound(); !math.IsInf(ub, 1) && ub > top {
				top = ub
			}
		}
	}
	return top
}

func labelMap(s *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range s.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

// nextSnapshot waits for the next second: snapshot times (and board workflow ids) have second precision.
func nextSnapshot() {
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
}

// checkOutcomes compares pvpsync_characters_total with the counters the workflows returned.
func checkOutcomes(t *testing.T, m metrics, bracket string, want workflows.Progress) {
	t.Helper()
	for o, n := range map[string]int{
		workflows.OutcomeSynced: want.Synced, workflows.OutcomeIdle: want.Idle, workflows.OutcomeReused: want.Reused, workflows.OutcomeNotModified: want.NotModified,
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
	fams, _, err := promtest.Scrape(url)
	require.NoError(t, err, "read /metrics")
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
func (m metrics) sum(name string, want map[string]string) float64 { return promtest.Sum(m, name, want) }

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
	return promtest.Series(m, name, want)
}
