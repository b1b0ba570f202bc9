package service

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/uber-go/tally/v4"
	tallyprom "github.com/uber-go/tally/v4/prometheus"
	"go.temporal.io/sdk/client"
	sdktally "go.temporal.io/sdk/contrib/tally"
	"go.uber.org/zap"
)

// Metrics is one Prometheus registry holding the SDK's metrics (through tally, timers as histograms so
// P95 is computable) and pvpsync's own: Battle.net requests by endpoint and status, and PostgreSQL pool
// statistics. Characters by outcome and requests saved are emitted by the workflows through the SDK's
// replay-safe metrics handler and land in the same registry.
type Metrics struct {
	Registry *prom.Registry
	Handler  client.MetricsHandler
	closer   func() error

	requests *prom.CounterVec
	latency  *prom.HistogramVec
}

// NewMetrics builds the registry and the SDK metrics handler.
func NewMetrics(log *zap.Logger) (*Metrics, error) {
	reg := prom.NewRegistry()
	reporter, err := tallyprom.Configuration{TimerType: "histogram"}.NewReporter(tallyprom.ConfigurationOptions{
		Registry: reg,
		OnError:  func(err error) { log.Warn("prometheus reporter", zap.Error(err)) },
	})
	if err != nil {
		return nil, err
	}
	scope, closer := tally.NewRootScope(tally.ScopeOptions{
		CachedReporter:  reporter,
		Separator:       tallyprom.DefaultSeparator,
		SanitizeOptions: &sdktally.PrometheusSanitizeOptions,
	}, time.Second)
	m := &Metrics{
		Registry: reg,
		Handler:  sdktally.NewMetricsHandler(sdktally.NewPrometheusNamingScope(scope)),
		closer:   closer.Close,
		requests: prom.NewCounterVec(prom.CounterOpts{
			Name: "pvpsync_battlenet_requests_total",
			Help: "Battle.net HTTP requests by endpoint and status (0 = transport error; 304, 404 and 429 included).",
		}, []string{"endpoint", "status"}),
		latency: prom.NewHistogramVec(prom.HistogramOpts{
			Name:    "pvpsync_battlenet_request_seconds",
			Help:    "Battle.net request latency by endpoint.",
			Buckets: prom.ExponentialBuckets(0.005, 2, 13),
		}, []string{"endpoint"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m, nil
}

// ObserveRequest is the Battle.net client's OnRequest hook.
func (m *Metrics) ObserveRequest(endpoint string, status int, d time.Duration) {
	m.requests.WithLabelValues(endpoint, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(endpoint).Observe(d.Seconds())
}

// WatchPool exports pgxpool.Stat as gauges and counters, read at scrape time.
func (m *Metrics) WatchPool(pool *pgxpool.Pool) {
	m.Registry.MustRegister(poolCollector{pool: pool})
}

// Serve exposes /metrics on addr (127.0.0.1 by default) until ctx is done.
func (m *Metrics) Serve(ctx context.Context, addr string, log *zap.Logger) (net.Addr, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Warn("metrics server stopped", zap.Error(err))
		}
	}()
	go func() {
		<-ctx.Done()
		// ctx is already done here; the shutdown needs a deadline of its own.
		shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	return ln.Addr(), nil
}

// Close flushes the tally scope.
func (m *Metrics) Close() error { return m.closer() }

type poolCollector struct{ pool *pgxpool.Pool }

var (
	poolAcquired = prom.NewDesc("pvpsync_db_pool_acquired_conns", "Connections currently acquired from the pool.", nil, nil)
	poolIdle     = prom.NewDesc("pvpsync_db_pool_idle_conns", "Idle connections in the pool.", nil, nil)
	poolTotal    = prom.NewDesc("pvpsync_db_pool_total_conns", "All connections in the pool.", nil, nil)
	poolMax      = prom.NewDesc("pvpsync_db_pool_max_conns", "Pool size limit.", nil, nil)
	poolWaits    = prom.NewDesc("pvpsync_db_pool_empty_acquire_total", "Acquires that had to wait for a connection.", nil, nil)
	poolWaitTime = prom.NewDesc("pvpsync_db_pool_acquire_wait_seconds_total", "Time spent waiting for a connection.", nil, nil)
	poolAcquires = prom.NewDesc("pvpsync_db_pool_acquires_total", "Successful acquires.", nil, nil)
	poolCanceled = prom.NewDesc("pvpsync_db_pool_canceled_acquires_total", "Acquires canceled by their context.", nil, nil)
)

func (poolCollector) Describe(ch chan<- *prom.Desc) {
	for _, d := range []*prom.Desc{poolAcquired, poolIdle, poolTotal, poolMax, poolWaits, poolWaitTime, poolAcquires, poolCanceled} {
		ch <- d
	}
}

func (c poolCollector) Collect(ch chan<- prom.Metric) {
	s := c.pool.Stat()
	ch <- prom.MustNewConstMetric(poolAcquired, prom.GaugeValue, float64(s.AcquiredConns()))
	ch <- prom.MustNewConstMetric(poolIdle, prom.GaugeValue, float64(s.IdleConns()))
	ch <- prom.MustNewConstMetric(poolTotal, prom.GaugeValue, float64(s.TotalConns()))
	ch <- prom.MustNewConstMetric(poolMax, prom.GaugeValue, float64(s.MaxConns()))
	ch <- prom.MustNewConstMetric(poolWaits, prom.CounterValue, float64(s.EmptyAcquireCount()))
	ch <- prom.MustNewConstMetric(poolWaitTime, prom.CounterValue, s.EmptyAcquireWaitTime().Seconds())
	ch <- prom.MustNewConstMetric(poolAcquires, prom.CounterValue, float64(s.AcquireCount()))
	ch <- prom.MustNewConstMetric(poolCanceled, prom.CounterValue, float64(s.CanceledAcquireCount()))
}
