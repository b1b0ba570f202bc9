// Package config reads pvpsync's environment, the same variables for worker and starter, and fails with
// one clear line naming the variable when a value is unusable.
package config

import (
	"cmp"
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

	"github.com/pvpsync/pvpsync/activities"
	"github.com/pvpsync/pvpsync/battlenet"
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
	EquipmentTTLHours   float64  `env:"PVP_EQUIPMENT_SNAPSHOT_TTL_HOURS" envDefault:"24"`
	IdleMaxAge          Days     `env:"PVP_IDLE_MAX_AGE" envDefault:"24h"`
	UnavailableCooldown Days     `env:"PVP_UNAVAILABLE_COOLDOWN" envDefault:"14d"`
	CharacterMetaTTL    Days     `env:"PVP_CHARACTER_META_TTL" envDefault:"7d"`
	RetentionDays       int      `env:"PVP_SNAPSHOT_RETENTION_DAYS" envDefault:"30"`
	MetricsAddr         string   `env:"PVP_METRICS_ADDR" envDefault:"127.0.0.1:9464"`
	LogFormat           string   `env:"PVP_LOG_FORMAT" envDefault:"json"`
	Queues              []string `env:"PVP_QUEUES" envSeparator:","`
	DBMaxConns          int      `env:"PVP_DB_MAX_CONNS" envDefault:"20"`

	// Battlenet is built from the variables of battlenetEnv, credentials included; set OnRequest
	// and hand it to battlenet.New. It prints without secrets.
	Battlenet battlenet.Config `env:"-"`
}

// battlenetEnv holds the variables behind Worker.Battlenet. The defaults repeat battlenet's Default*
// constants (tags cannot name constants); TestDefaultWorker keeps them equal.
type battlenetEnv struct {
	CredentialsFile string  `env:"BLIZZARD_CREDENTIALS"`
	ClientID        string  `env:"BLIZZARD_CLIENT_ID"`
	ClientSecret    string  `env:"BLIZZARD_CLIENT_SECRET"`
	APIURL          string  `env:"BLIZZARD_API_URL" envDefault:"https://{region}.api.blizzard.com"`
	OAuthURL        string  `env:"BLIZZARD_OAUTH_URL" envDefault:"https://oauth.battle.net/token"`
	RPS             float64 `env:"PVP_SYNC_RPS" envDefault:"95"`
	RPH             int     `env:"PVP_SYNC_RPH" envDefault:"36000"`
	QuotaScope      string  `env:"PVP_QUOTA_SCOPE" envDefault:"credential"`
}

// LoadWorker reads and validates the worker's environment, the Battle.net credentials file included.
func LoadWorker() (Worker, error) {
	w, bn, err := parseWorker(env.Options{})
	if err != nil {
		return w, err
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
		{"PVP_SYNC_RPS", bn.RPS > 0 && !math.IsInf(bn.RPS, 0), "a positive number of requests per second per credential"},
		{"PVP_SYNC_RPH", bn.RPH > 0, "a positive number of requests per hour per credential"},
		{"PVP_QUOTA_SCOPE", bn.QuotaScope == battlenet.QuotaPerCredential || bn.QuotaScope == battlenet.QuotaPerRegion,
			"credential (one budget per credential) or region (one per credential and region)"},
		{"BLIZZARD_API_URL", battlenet.CheckBaseURL(bn.APIURL) == nil, "an absolute http(s) URL, {region} standing for the region"},
		{"BLIZZARD_OAUTH_URL", battlenet.CheckBaseURL(bn.OAuthURL) == nil, "an absolute http(s) URL"},
		{"PVP_EQUIPMENT_SNAPSHOT_TTL_HOURS", w.EquipmentTTLHours >= 0, "zero or more hours"},
		{"PVP_IDLE_MAX_AGE", w.IdleMaxAge >= 0, "a duration ≥ 0 such as 24h (0 turns idle detection off)"},
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
	creds, source, err := bn.credentials()
	if err != nil {
		return w, fmt.Errorf("configuration: %w", err)
	}
	w.Battlenet.Credentials = creds
	// The remaining checks span credentials (a client id listed twice, ...).
	if err := w.Battlenet.Validate(); err != nil {
		return w, fmt.Errorf("configuration: %s: %w", source, err)
	}
	return w, nil
}

// DefaultWorker is the configuration of an empty environment: every default, no credentials. Test
// helpers start from it rather than repeating the defaults.
func DefaultWorker() Worker {
	w, _, err := parseWorker(env.Options{Environment: map[string]string{}})
	if err != nil {
		// The defaults are constants of this package; TestDefaultWorker parses them.
		panic(fmt.Sprintf("config: the defaults do not parse: %v", err))
	}
	return w
}

// LoadDatabaseURL is DATABASE_URL, or the dev default: all `worker migrate` needs, so a bad value
// of an unrelated variable does not stop a migration.
func LoadDatabaseURL() string {
	var c struct {
		URL string `env:"DATABASE_URL"`
	}
	_ = env.Parse(&c) // a string field cannot fail to parse
	return cmp.Or(c.URL, DefaultDatabaseURL)
}

// parseWorker parses the environment of opts (the process's when opts.Environment is nil) into a
// Worker whose Battlenet has everything but the credentials, and returns the raw Battle.net
// variables for LoadWorker's checks.
func parseWorker(opts env.Options) (Worker, battlenetEnv, error) {
	var all struct {
		Worker
		BN battlenetEnv
	}
	if err := env.ParseWithOptions(&all, opts); err != nil {
		return all.Worker, all.BN, explain(all, err)
	}
	w, bn := all.Worker, all.BN
	w.DatabaseURL = cmp.Or(w.DatabaseURL, DefaultDatabaseURL)
	bn.APIURL, bn.OAuthURL = strings.TrimSpace(bn.APIURL), strings.TrimSpace(bn.OAuthURL)
	w.Battlenet = battlenet.Config{APIURL: bn.APIURL, OAuthURL: bn.OAuthURL, RequestsPerSecond: bn.RPS,
		RequestsPerHour: bn.RPH, QuotaScope: bn.QuotaScope}
	return w, bn, nil
}

// EquipmentTTL is PVP_EQUIPMENT_SNAPSHOT_TTL_HOURS as a duration.
func (w Worker) EquipmentTTL() time.Duration {
	return time.Duration(w.EquipmentTTLHours * float64(time.Hour))
}

// Activities is the part of the configuration the activities use.
func (w Worker) Activities() activities.Config {
	return activities.Config{
		EquipmentTTL:        w.EquipmentTTL(),
		IdleMaxAge:          w.IdleMaxAge.Duration(),
		UnavailableCooldown: w.UnavailableCooldown.Duration(),
		CharacterMetaTTL:    w.CharacterMetaTTL.Duration(),
		RetentionDays:       w.RetentionDays,
	}
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

// explain rewrites env's "parse error on field X" into the variable an operator set. Field names
// are unique across the nested structs of cfg, so the first match is the field.
func explain(cfg any, err error) error {
	var pe env.ParseError
	if errors.As(err, &pe) {
		if v, ok := envVar(reflect.TypeOf(cfg), pe.Name); ok {
			return fmt.Errorf("configuration: %s: %v", v, pe.Err)
		}
	}
	return fmt.Errorf("configuration: %w", err)
}

// envVar finds the variable of the field called name in t or the structs nested in it.
func envVar(t reflect.Type, name string) (string, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Name == name && f.Tag.Get("env") != "" {
			v, _, _ := strings.Cut(f.Tag.Get("env"), ",")
			return v, true
		}
		if f.Type.Kind() == reflect.Struct {
			if v, ok := envVar(f.Type, name); ok {
				return v, true
			}
		}
	}
	return "", false
}

// Duration converts to time.Duration.
func (d Days) Duration() time.Duration { return time.Duration(d) }
