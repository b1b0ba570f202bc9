package service

import (
	"math"
	"runtime"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/pvpsync/pvpsync/buildinfo"
)

func newMetrics(t *testing.T) *Metrics {
	t.Helper()
	m, err := NewMetrics(zap.NewNop())
	require.NoError(t, err)
	t.Cleanup(func() { _ = m.Close() })
	return m
}

// family scrapes the registry and returns one metric family by name.
func family(t *testing.T, m *Metrics, name string) *dto.MetricFamily {
	t.Helper()
	fams, err := m.Registry.Gather()
	require.NoError(t, err)
	for _, f := range fams {
		if f.GetName() == name {
			return f
		}
	}
	t.Fatalf("metric family %s not in the registry", name)
	return nil
}

func labels(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

func TestSDKTimerBucketsReachHours(t *testing.T) {
	m := newMetrics(t)
	m.Handler.Timer("temporal_workflow_endtoend_latency").Record(3 * time.Hour)

	f := family(t, m, "temporal_workflow_endtoend_latency_seconds")
	require.Len(t, f.GetMetric(), 1)
	h := f.GetMetric()[0].GetHistogram()
	require.NotNil(t, h, "SDK timers must be exported as histograms")
	assert.Equal(t, uint64(1), h.GetSampleCount())

	var reachesHours bool
	var landed *dto.Bucket // first finite bucket holding the sample (counts are cumulative)
	for _, b := range h.GetBucket() {
		if b.GetUpperBound() >= (3 * time.Hour).Seconds() {
			reachesHours = true
		}
		if landed == nil && b.GetCumulativeCount() == 1 {
			landed = b
		}
	}
	assert.True(t, reachesHours, "a bucket with le >= 10800 exists")
	require.NotNil(t, landed, "the 3 h sample falls in a finite bucket, not only +Inf")
	assert.False(t, math.IsInf(landed.GetUpperBound(), 1))
	assert.GreaterOrEqual(t, landed.GetUpperBound(), 10800.0)
	assert.Less(t, landed.GetUpperBound(), 2*10800.0, "the bucket is tight enough to read a percentile")
}

func TestSDKTimerBucketsStillResolveMilliseconds(t *testing.T) {
	m := newMetrics(t)
	m.Handler.Timer("temporal_activity_schedule_to_start_latency").Record(7 * time.Millisecond)
	h := family(t, m, "temporal_activity_schedule_to_start_latency_seconds").GetMetric()[0].GetHistogram()
	for _, b := range h.GetBucket() {
		if b.GetCumulativeCount() == 1 {
			assert.LessOrEqual(t, b.GetUpperBound(), 0.02, "a 7 ms sample lands in a bucket of at most 20 ms")
			return
		}
	}
	t.Fatal("the 7 ms sample is in no finite bucket")
}

func TestObserveRequestByCredential(t *testing.T) {
	m := newMetrics(t)
	m.ObserveRequest("eu-1", "equipment", 200, 40*time.Millisecond)
	m.ObserveRequest("eu-1", "equipment", 200, 60*time.Millisecond)
	m.ObserveRequest("eu-2", "equipment", 429, 10*time.Millisecond)

	counts := map[[3]string]float64{}
	for _, s := range family(t, m, "pvpsync_battlenet_requests_total").GetMetric() {
		l := labels(s)
		counts[[3]string{l["credential"], l["endpoint"], l["status"]}] = s.GetCounter().GetValue()
	}
	assert.Equal(t, map[[3]string]float64{
		{"eu-1", "equipment", "200"}: 2,
		{"eu-2", "equipment", "429"}: 1,
	}, counts)

	sums := map[[2]string]float64{}
	for _, s := range family(t, m, "pvpsync_battlenet_request_seconds").GetMetric() {
		l := labels(s)
		sums[[2]string{l["credential"], l["endpoint"]}] = s.GetHistogram().GetSampleSum()
	}
	require.Len(t, sums, 2)
	assert.InDelta(t, 0.1, sums[[2]string{"eu-1", "equipment"}], 1e-9)
	assert.InDelta(t, 0.01, sums[[2]string{"eu-2", "equipment"}], 1e-9)
}

func TestSetCredentialRate(t *testing.T) {
	m := newMetrics(t)
	m.SetCredentialRate("c1", "eu", 100)
	m.SetCredentialRate("c1", "us", 10)
	m.SetCredentialRate("c1", "eu", 50) // a later setting replaces the earlier one

	got := map[[2]string]float64{}
	for _, s := range family(t, m, "pvpsync_battlenet_credential_rate").GetMetric() {
		l := labels(s)
		got[[2]string{l["credential"], l["scope"]}] = s.GetGauge().GetValue()
	}
	assert.Equal(t, map[[2]string]float64{{"c1", "eu"}: 50, {"c1", "us"}: 10}, got)
}

func TestBuildInfoMetric(t *testing.T) {
	defer func(v, r string) { buildinfo.Version, buildinfo.Revision = v, r }(buildinfo.Version, buildinfo.Revision)
	buildinfo.Version, buildinfo.Revision = "v0.8.0-test", "abc1234def"
	m := newMetrics(t)

	f := family(t, m, "pvpsync_build_info")
	require.Len(t, f.GetMetric(), 1)
	s := f.GetMetric()[0]
	assert.Equal(t, 1.0, s.GetGauge().GetValue())
	assert.Equal(t, map[string]string{"version": "v0.8.0-test", "revision": "abc1234def", "go_version": runtime.Version()}, labels(s))
}
