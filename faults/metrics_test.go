package faults

import (
	"math"
	"net/http"
	"runtime"
	"slices"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/fakeblizzard"
	"github.com/pvpsync/pvpsync/internal/promtest"
	"github.com/pvpsync/pvpsync/service"
	"github.com/pvpsync/pvpsync/workflows"
)

// scraped is one read of a worker's /metrics: the families by name, and the page as served.
type scraped struct {
	families map[string]*dto.MetricFamily
	text     string
}

func scrapeMetrics(url string) (scraped, error) {
	fams, text, err := promtest.Scrape(url)
	return scraped{families: fams, text: text}, err
}

// series lists the series of a family whose labels include want.
func (m scraped) series(name string, want map[string]string) []*dto.Metric {
	return promtest.Series(m.families, name, want)
}

// sum adds the counter or gauge values of the series whose labels include want.
func (m scraped) sum(name string, want map[string]string) float64 {
	return promtest.Sum(m.families, name, want)
}

func labelsOf(s *dto.Metric) map[string]string { return promtest.Labels(s) }

// checkWorkerMetrics reads the running worker binary's own /metrics (PVP_METRICS_ADDR) during a sync
// and checks the series that prove its wiring: Battle.net requests by credential (the client's
// OnRequest hook), characters by outcome (the workflows' replay-safe metrics handler), the build, an
// SDK latency histogram with buckets reaching hours (the service's timer buckets, not tally's
// defaults) and each credential's allowed rate. The page must not carry the client secret.
func (e *env) checkWorkerMetrics(url string) {
	t := e.t
	t.Helper()
	var m scraped
	var err error
	// The SDK's tally scope reports every second; the first characters take a few.
	waitFor(t, time.Minute, "the worker's metrics of a sync under way", func() bool {
		m, err = scrapeMetrics(url)
		return err == nil && m.sum("pvpsync_characters_total", nil) > 0 &&
			m.sum("pvpsync_battlenet_requests_total", map[string]string{"endpoint": "equipment", "status": "200"}) > 0
	})
	served := e.api.Stats() // after the scrape: the fake counts an answer before the worker reads it

	reqs := m.series("pvpsync_battlenet_requests_total", nil)
	require.NotEmpty(t, reqs)
	assert.Equal(t, dto.MetricType_COUNTER, m.families["pvpsync_battlenet_requests_total"].GetType())
	for _, s := range reqs {
		assert.Equal(t, "default", labelsOf(s)["credential"], "every request is labelled with its credential's name: %v", labelsOf(s))
	}
	eq := m.sum("pvpsync_battlenet_requests_total", map[string]string{"credential": "default", "endpoint": "equipment", "status": "200"})
	assert.Positive(t, eq)
	assert.LessOrEqual(t, eq, float64(served.Count(fakeblizzard.EndpointEquipment, http.StatusOK)),
		"the worker counted no equipment answer the fake did not send")

	outcomes := []string{workflows.OutcomeSynced, workflows.OutcomeIdle, workflows.OutcomeReused, workflows.OutcomeNotModified,
		workflows.OutcomeUnavailable, workflows.OutcomePrivate, workflows.OutcomeDeduplicated, workflows.OutcomeFailed}
	for _, s := range m.series("pvpsync_characters_total", nil) {
		assert.Contains(t, outcomes, labelsOf(s)["outcome"], "pvpsync_characters_total series %v", labelsOf(s))
	}
	assert.Positive(t, m.sum("pvpsync_characters_total", map[string]string{"outcome": workflows.OutcomeSynced}))

	build := m.series("pvpsync_build_info", nil)
	if assert.Len(t, build, 1, "pvpsync_build_info") {
		assert.Equal(t, 1.0, build[0].GetGauge().GetValue())
		assert.Equal(t, runtime.Version(), labelsOf(build[0])["go_version"], "the worker was built by this toolchain")
	}

	const sdkHistogram = "temporal_activity_execution_latency_seconds"
	f := m.families[sdkHistogram]
	require.NotNil(t, f, "%s on the worker's /metrics", sdkHistogram)
	assert.Equal(t, dto.MetricType_HISTOGRAM, f.GetType())
	var top float64
	for _, s := range f.GetMetric() {
		for _, b := range s.GetHistogram().GetBucket() {
			if ub := b.GetUpperBound(); !math.IsInf(ub, 1) {
				top = max(top, ub)
			}
		}
	}
	assert.GreaterOrEqual(t, top, (3 * time.Hour).Seconds(), "%s has finite buckets up to hours", sdkHistogram)

	wantRate := battlenet.Config{RequestsPerSecond: workerRPS, RequestsPerHour: workerRPH}.SustainedRate() * service.Headroom
	rates := m.series("pvpsync_battlenet_credential_rate", map[string]string{"credential": "default"})
	if assert.Len(t, rates, 1, "one budget for the one credential") {
		assert.InDelta(t, wantRate, rates[0].GetGauge().GetValue(), 1e-6, "the queue's rate: headroom × the credential's sustained rate")
	}

	assert.NotContains(t, m.text, e.secret, "the client secret on /metrics")
	names := make([]string, 0, len(m.families))
	for n := range m.families {
		names = append(names, n)
	}
	slices.Sort(names)
	t.Logf("worker /metrics: %d families; %v equipment 200s counted (fake sent %d); largest %s bucket %gs",
		len(names), eq, served.Count(fakeblizzard.EndpointEquipment, http.StatusOK), sdkHistogram, top)
}
