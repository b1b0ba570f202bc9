// Package config reads pvpsync's environment, the same variables for worker and starter, and fails with
// one clear line naming the variable when a value is unusable.
package config

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/envconfig"
)

// DefaultDatabaseURL is the local PostgreSQL of the dev setup.
const DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/pvpsync?sslmode=disable"

// Days is a duration written as "14d", "36h" or "90m" (env var values operators type).
type Days time.Duration

// UnmarshalText accepts Go durations plus a "d" (days) suffix.
func (d *Days) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if n, ok := strings.CutSuffix(s, "d"); ok {
		v, err := strconv.ParseFloat(n, 64)
		if err != nil {
			return fmt.Errorf("%q is not a duration (want e.g. 14d, 36h)", s)
		}
		*d = Days(time.Duration(v * float64(24*time.Hour)))
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration (want e.g. 14d, 36h)", s)
	}
	*d = Days(v)
	return nil
}

// Worker is the worker's configuration; every field has the variable it comes from.
type Worker struct {
	DatabaseURL         string   `env:"DATABASE_URL"`
	SyncThreads         int      `env:"PVP_SYNC_THREADS" envDefault:"3"`
	ProcessingThreads   int      `env:"PVP_PROCESSING_THREADS" envDefault:"8"`
	WorkflowThreads     int      `env:"DEFAULT_THREADS" envDefault:"100"`
	Pollers             int      `env:"JOB_CONCURRENCY" envDefault:"2"`
	SyncRPS             float64  `env:"PVP_SYNC_RPS" envDefault:"95"`
	SyncRPH             int      `env:"PVP_SYNC_RPH" envDefault:"36000"`
	EquipmentTTLHours   float64  `env:"PVP_EQUIPMENT_SNAPSHOT_TTL_HOURS" envDefault:"24"`
	UnavailableCooldown Days     `env:"PVP_UNAVAILABLE_COOLDOWN" envDefault:"14d"`
	CharacterMetaTTL    Days     `env:"PVP_CHARACTER_META_TTL" envDefault:"7d"`
	RetentionDays       int      `env:"PVP_SNAPSHOT_RETENTION_DAYS" envDefault:"30"`
	MetricsAddr         string   `env:"PVP_METRICS_ADDR" envDefault:"127.0.0.1:9464"`
	LogFormat           string   `env:"PVP_LOG_FORMAT" envDefault:"json"`
	Queues              []string `env:"PVP_QUEUES" envSeparator:","`
	DBMaxConns          int      `env:"PVP_DB_MAX_CONNS" envDefault:"20"`
}

// LoadWorker reads and validates the worker's environment.
func LoadWorker() (Worker, error) {
	var w Worker
	if err := env.Parse(&w); err != nil {
		return w, explain(w, err)
	}
	if w.DatabaseURL == "" {
		w.DatabaseURL = DefaultDatabaseURL
	}
	checks := []struct {
		name string
		ok   bool
		want string
	}{
		{"PVP_SYNC_THREADS", w.SyncThreads > 0, "a positive number of Battle.net activity slots"},
		{"PVP_PROCESSING_THREADS", w.ProcessingThreads > 0, "a positive number of processing slots"},
		{"DEFAULT_THREADS", w.WorkflowThreads > 0, "a positive number of workflow task slots"},
		{"JOB_CONCURRENCY", w.Pollers > 0, "a positive number of pollers per task queue"},
		{"PVP_SYNC_RPS", w.SyncRPS > 0, "a positive number of requests per second"},
		{"PVP_SYNC_RPH", w.SyncRPH > 0, "a positive number of requests per hour"},
		{"PVP_EQUIPMENT_SNAPSHOT_TTL_HOURS", w.EquipmentTTLHours >= 0, "zero or more hours"},
		{"PVP_UNAVAILABLE_COOLDOWN", w.UnavailableCooldown >= 0, "a duration ≥ 0 such as 14d"},
		{"PVP_CHARACTER_META_TTL", w.CharacterMetaTTL >= 0, "a duration ≥ 0 such as 7d"},
		{"PVP_SNAPSHOT_RETENTION_DAYS", w.RetentionDays > 0, "a positive number of days"},
		// pgxpool takes an int32; the upper bound keeps the worker's conversion exact.
		{"PVP_DB_MAX_CONNS", w.DBMaxConns > 0 && w.DBMaxConns <= math.MaxInt32, "a positive number of connections (at most 2147483647)"},
		{"PVP_LOG_FORMAT", w.LogFormat == "json" || w.LogFormat == "console", "json or console"},
	}
	for _, c := range checks {
		if !c.ok {
			return w, fmt.Errorf("configuration: %s: want %s", c.name, c.want)
		}
	}
	for _, q := range w.Queues {
		switch q {
		case "workflows", "sync", "processing":
		default:
			return w, fmt.Errorf("configuration: PVP_QUEUES: unknown queue %q (want workflows, sync, processing)", q)
		}
	}
	return w, nil
}

// EquipmentTTL is PVP_EQUIPMENT_SNAPSHOT_TTL_HOURS as a duration.
func (w Worker) EquipmentTTL() time.Duration {
	return time.Duration(w.EquipmentTTLHours * float64(time.Hour))
}

// Temporal returns the client options from the SDK's standard environment (TEMPORAL_ADDRESS,
// TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, config file profiles).
func Temporal() (client.Options, error) {
	opts, err := envconfig.LoadDefaultClientOptions()
	if err != nil {
		return opts, fmt.Errorf("configuration: Temporal client: %w", err)
	}
	if opts.HostPort == "" {
		opts.HostPort = client.DefaultHostPort
	}
	if opts.Namespace == "" {
		opts.Namespace = client.DefaultNamespace
	}
	return opts, nil
}

// UIBase is the Temporal Web UI address used in printed links (TEMPORAL_UI_URL, default the dev server's).
func UIBase() string {
	var c struct {
		URL string `env:"TEMPORAL_UI_URL" envDefault:"http://localhost:8233"`
	}
	_ = env.Parse(&c)
	return strings.TrimRight(c.URL, "/")
}

// explain rewrites env's "parse error on field X" into the variable an operator set.
func explain(cfg any, err error) error {
	var pe env.ParseError
	if errors.As(err, &pe) {
		if f, ok := reflect.TypeOf(cfg).FieldByName(pe.Name); ok {
			v, _ := strings.CutSuffix(f.Tag.Get("env"), ",")
			return fmt.Errorf("configuration: %s: %v", v, pe.Err)
		}
	}
	return fmt.Errorf("configuration: %w", err)
}

// Duration converts to time.Duration.
func (d Days) Duration() time.Duration { return time.Duration(d) }
