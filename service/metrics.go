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

	"github.com/pvpsync/pvpsync/buildinfo"
)

// Metrics is one Prometheus registry holding the SDK's metrics (through tally, timers as histograms so
// P95 is computable) and pvpsync's own: Battle.net requests by credential, endpoint and status, each
// credential's allowed rate, the build, and PostgreSQL pool statistics. Characters by outcome and
// requests saved are emitted by the workflows through the SDK's replay-safe metrics handler and land in
// the same registry.
type Metrics struct {
	Registry *prom.Registry
	Handler  client.MetricsHandler
	closer   func() error

	requests *prom.CounterVec
	latency  *prom.HistogramVec
	rate     *prom.GaugeVec
}

// TimerBuckets are the upper bounds, in seconds, of every SDK timer histogram: ×2 steps from 5 ms to
// 11.6 h. tally's defaults stop near 10 s, which puts every board and region workflow (minutes to
// hours) and every wait on the rate-limited queue's schedule-to-start into +Inf, where no percentile
// can be read. ×2 keeps a P95 within a factor of two at every scale for 24 series per timer.
var TimerBuckets = prom.ExponentialBuckets(0.005, 2, 24)

// NewMetrics builds the registry and the SDK metrics handler.
func NewMetrics(log *zap.Logger) (*Metrics, error) {
	reg := prom.NewRegistry()
	// tallyprom.NewReporter, not Configuration.NewReporter: the latter also mounts /metrics on
	// http.DefaultServeMux, which panics the second time a process builds Metrics (tests do).
	reporter := tallyprom.NewReporter(tallyprom.Options{
		Registerer:              reg,
		DefaultTimerType:        tallyprom.HistogramTimerType,
		DefaultHistogramBuckets: TimerBuckets,
		OnRegisterError:         func(err error) { log.Warn("prometheus reporter", zap.Error(err)) },
	})
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
			Help: "Battle.net HTTP requests by credential, endpoint and status (0 = transport error; 304, 404 and 429 included).",
		}, []string{"credential", "endpoint", "status"}),
		latency: prom.NewHistogramVec(prom.HistogramOpts{
			Name:    "pvpsync_battlenet_request_seconds",
			Help:    "Battle.net request latency by credential and endpoint.",
			Buckets: prom.ExponentialBuckets(0.005, 2, 13),
		}, []string{"credential", "endpoint"}),
		rate: prom.NewGaugeVec(prom.GaugeOpts{
			Name: "pvpsync_battlenet_credential_rate",
			Help: "Requests per second the Temporal server allows each Battle.net budget: a credential, or a credential and region (scope = the region, or all).",
		}, []string{"credential", "scope"}),
	}
	info := buildinfo.Get()
	build := prom.NewGaugeVec(prom.GaugeOpts{
		Name: "pvpsync_build_info",
		Help: "Always 1; the labels say which build is running (see the buildinfo package).",
	}, []string{"version", "revision", "go_version"})
	build.WithLabelValues(info.Version, info.Revision, info.GoVersion).Set(1)
	reg.MustRegister(m.requests, m.latency, m.rate, build)
	return m, nil
}

// ObserveRequest is the Battle.net client's OnRequest hook. credential is the credential's public
// name as the client labels it, never its secret: it becomes a label anyone scraping can read.
func (m *Metrics) ObserveRequest(credential, endpoint string, status int, d time.Duration) {
	m.requests.WithLabelValues(credential, endpoint, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(credential, endpoint).Observe(d.Seconds())
}

// SetCredentialRate records the rate, in requests per second, the Temporal server allows one budget's
// task queue: a credential's (scope "all", PVP_QUOTA_SCOPE=credential) or a credential's in one region
// (scope = the region, PVP_QUOTA_SCOPE=region), so a dashboard can set the observed request rate
// against the allowed one.
func (m *Metrics) SetCredentialRate(credential, scope string, rps float64) {
	m.rate.WithLabelValues(credential, scope).Set(rps)
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
