package config_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/activities"
	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/config"
)

const testSecret = "s3cr3t-VALUE-42xyz"

// cleanEnv empties every variable these tests set, so the runner's environment cannot leak in, and
// gives the worker the one-credential shorthand.
func cleanEnv(t *testing.T) {
	t.Helper()
	for _, v := range []string{"DATABASE_URL", "PVP_SYNC_THREADS", "PVP_PROCESSING_THREADS", "DEFAULT_THREADS",
		"JOB_CONCURRENCY", "PVP_SYNC_RPS", "PVP_SYNC_RPH", "PVP_QUOTA_SCOPE", "PVP_EQUIPMENT_SNAPSHOT_TTL_HOURS",
		"PVP_UNAVAILABLE_COOLDOWN", "PVP_CHARACTER_META_TTL", "PVP_SNAPSHOT_RETENTION_DAYS", "PVP_METRICS_ADDR", "PVP_IDLE_MAX_AGE",
		"PVP_LOG_FORMAT", "PVP_QUEUES", "PVP_DB_MAX_CONNS", "BLIZZARD_API_URL", "BLIZZARD_OAUTH_URL",
		"BLIZZARD_CREDENTIALS"} {
		t.Setenv(v, "")
	}
	t.Setenv("BLIZZARD_CLIENT_ID", "client-1")
	t.Setenv("BLIZZARD_CLIENT_SECRET", testSecret)
}

func TestLoadWorkerDefaults(t *testing.T) {
	cleanEnv(t)
	w, err := config.LoadWorker()
	require.NoError(t, err)
	assert.Equal(t, config.DefaultDatabaseURL, w.DatabaseURL)
	assert.Equal(t, 3, w.SyncThreads)
	assert.Equal(t, 8, w.ProcessingThreads)
	assert.Equal(t, 24*time.Hour, w.EquipmentTTL())
	assert.Equal(t, 14*24*time.Hour, w.UnavailableCooldown.Duration())
	assert.Equal(t, 7*24*time.Hour, w.CharacterMetaTTL.Duration())
	assert.Equal(t, 30, w.RetentionDays)
	assert.Equal(t, "127.0.0.1:9464", w.MetricsAddr, "metrics bind to loopback by default")

	bn := w.Battlenet
	assert.Equal(t, []battlenet.Credential{{Name: "default", ClientID: "client-1", ClientSecret: testSecret,
		Source: "BLIZZARD_CLIENT_ID/BLIZZARD_CLIENT_SECRET"}}, bn.Credentials, "the shorthand is one credential serving every region")
	assert.Equal(t, 95.0, bn.RequestsPerSecond)
	assert.Equal(t, 36000, bn.RequestsPerHour)
	assert.Equal(t, 10.0, bn.SustainedRate())
	assert.Equal(t, battlenet.QuotaPerCredential, bn.QuotaScope)
	assert.Equal(t, battlenet.DefaultAPIURL, bn.APIURL)
	assert.Equal(t, battlenet.DefaultOAuthURL, bn.OAuthURL)
	_, err = battlenet.New(bn)
	require.NoError(t, err, "the loaded configuration is what battlenet.New takes")
}

func TestLoadWorkerReadsBattlenetVariables(t *testing.T) {
	cleanEnv(t)
	t.Setenv("BLIZZARD_API_URL", " http://127.0.0.1:8089 ")
	t.Setenv("BLIZZARD_OAUTH_URL", "http://127.0.0.1:8089/token")
	t.Setenv("PVP_SYNC_RPS", "12.5")
	t.Setenv("PVP_SYNC_RPH", "1000")
	t.Setenv("PVP_QUOTA_SCOPE", "region")
	w, err := config.LoadWorker()
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:8089", w.Battlenet.APIURL)
	assert.Equal(t, "http://127.0.0.1:8089/token", w.Battlenet.OAuthURL)
	assert.Equal(t, 12.5, w.Battlenet.RequestsPerSecond)
	assert.Equal(t, 1000, w.Battlenet.RequestsPerHour)
	assert.Equal(t, battlenet.QuotaPerRegion, w.Battlenet.QuotaScope)
}

// DefaultWorker is the tag defaults, whatever the environment says.
func TestDefaultWorker(t *testing.T) {
	cleanEnv(t)
	t.Setenv("PVP_SYNC_THREADS", "many")
	t.Setenv("PVP_SYNC_RPS", "7")
	t.Setenv("DATABASE_URL", "postgres://elsewhere/db")
	w := config.DefaultWorker()
	assert.Equal(t, 3, w.SyncThreads)
	assert.Equal(t, 8, w.ProcessingThreads)
	assert.Equal(t, 100, w.WorkflowThreads)
	assert.Equal(t, 2, w.Pollers)
	assert.Equal(t, 20, w.DBMaxConns)
	assert.Equal(t, "json", w.LogFormat)
	assert.Equal(t, config.DefaultDatabaseURL, w.DatabaseURL)
	assert.Empty(t, w.Queues)
	assert.Empty(t, w.Battlenet.Credentials, "no credentials by default")
	// The tags repeat battlenet's defaults; they must not drift apart.
	assert.Equal(t, battlenet.DefaultRequestsPerSecond, w.Battlenet.RequestsPerSecond)
	assert.Equal(t, battlenet.DefaultRequestsPerHour, w.Battlenet.RequestsPerHour)
	assert.Equal(t, battlenet.DefaultAPIURL, w.Battlenet.APIURL)
	assert.Equal(t, battlenet.DefaultOAuthURL, w.Battlenet.OAuthURL)
	assert.Equal(t, battlenet.QuotaPerCredential, w.Battlenet.QuotaScope)

	assert.Equal(t, activities.Config{EquipmentTTL: 24 * time.Hour, IdleMaxAge: 24 * time.Hour, UnavailableCooldown: 14 * 24 * time.Hour,
		CharacterMetaTTL: 7 * 24 * time.Hour, RetentionDays: 30}, w.Activities())

	cleanEnv(t)
	loaded, err := config.LoadWorker()
	require.NoError(t, err)
	loaded.Battlenet.Credentials = nil
	assert.Equal(t, fmt.Sprintf("%#v", w), fmt.Sprintf("%#v", loaded), "an empty environment loads the defaults")
}

func TestLoadDatabaseURL(t *testing.T) {
	cleanEnv(t)
	assert.Equal(t, config.DefaultDatabaseURL, config.LoadDatabaseURL())
	t.Setenv("DATABASE_URL", "postgres://db.example/pvpsync")
	t.Setenv("PVP_SYNC_THREADS", "many") // not migrate's business
	assert.Equal(t, "postgres://db.example/pvpsync", config.LoadDatabaseURL())
}

// Every bad value stops the worker with one error naming the variable.
func TestLoadWorkerRejectsBadValues(t *testing.T) {
	for _, tc := range []struct{ name, value string }{
		{"PVP_SYNC_THREADS", "abc"},
		{"PVP_SYNC_THREADS", "0"},
		{"PVP_SYNC_THREADS", "-3"},
		{"PVP_PROCESSING_THREADS", "0"},
		{"DEFAULT_THREADS", "-1"},
		{"JOB_CONCURRENCY", "zero"},
		{"PVP_SYNC_RPS", "0"},
		{"PVP_SYNC_RPS", "-3"},
		{"PVP_SYNC_RPS", "fast"},
		{"PVP_SYNC_RPS", "NaN"},
		{"PVP_SYNC_RPS", "+Inf"},
		{"PVP_SYNC_RPH", "-5"},
		{"PVP_SYNC_RPH", "0"},
		{"PVP_SYNC_RPH", "1.5"},
		{"PVP_SYNC_RPH", "lots"},
		{"PVP_QUOTA_SCOPE", "global"},
		{"PVP_QUOTA_SCOPE", "Credential"},
		{"BLIZZARD_API_URL", "ftp://example.com"},
		{"BLIZZARD_API_URL", "api.blizzard.com"},
		{"BLIZZARD_OAUTH_URL", "/token"},
		{"PVP_EQUIPMENT_SNAPSHOT_TTL_HOURS", "-1"},
		{"PVP_EQUIPMENT_SNAPSHOT_TTL_HOURS", "a day"},
		{"PVP_UNAVAILABLE_COOLDOWN", "two weeks"},
		{"PVP_UNAVAILABLE_COOLDOWN", "-1d"},
		{"PVP_CHARACTER_META_TTL", "7x"},
		{"PVP_IDLE_MAX_AGE", "-1h"},
		{"PVP_IDLE_MAX_AGE", "often"},
		{"PVP_SNAPSHOT_RETENTION_DAYS", "0"},
		{"PVP_LOG_FORMAT", "xml"},
		{"PVP_QUEUES", "workflows,everything"},
	} {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			cleanEnv(t)
			t.Setenv(tc.name, tc.value)
			_, err := config.LoadWorker()
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), "configuration: "+tc.name+": "), err.Error())
			assert.NotContains(t, err.Error(), "\n")
		})
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "credentials")
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func TestLoadWorkerCredentialsFile(t *testing.T) {
	cleanEnv(t)
	t.Setenv("BLIZZARD_CLIENT_ID", "")
	t.Setenv("BLIZZARD_CLIENT_SECRET", "")
	path := writeFile(t, "# two clients\nmain id-main "+testSecret+"\neu-2 id-eu2 other-secret eu\n")
	t.Setenv("BLIZZARD_CREDENTIALS", path)
	w, err := config.LoadWorker()
	require.NoError(t, err)
	assert.Equal(t, []battlenet.Credential{
		{Name: "main", ClientID: "id-main", ClientSecret: testSecret, Source: path + ":2"},
		{Name: "eu-2", ClientID: "id-eu2", ClientSecret: "other-secret", Regions: []string{"eu"}, Source: path + ":3"},
	}, w.Battlenet.Credentials)

	// Nothing the worker might log prints a secret.
	for _, out := range []string{fmt.Sprint(w), fmt.Sprintf("%+v", w), fmt.Sprintf("%#v", w), fmt.Sprintf("%+v", &w)} {
		assert.NotContains(t, out, testSecret)
		assert.NotContains(t, out, "other-secret")
	}
}

// A credentials problem is one line naming the variable (and file and line), never the secret.
func TestLoadWorkerRejectsCredentials(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	cases := []struct {
		name             string
		file, id, secret string
		want             []string
		fileContent      string
		useFile          bool
	}{
		{name: "neither form", want: []string{"BLIZZARD_CREDENTIALS", "BLIZZARD_CLIENT_ID and BLIZZARD_CLIENT_SECRET"}},
		{name: "blank shorthand", id: "  ", secret: " ", want: []string{"BLIZZARD_CREDENTIALS", "BLIZZARD_CLIENT_ID"}},
		{name: "both forms", id: "client-1", secret: testSecret, useFile: true, fileContent: "main id-1 " + testSecret + "\n",
			want: []string{"configuration: BLIZZARD_CREDENTIALS and BLIZZARD_CLIENT_ID/BLIZZARD_CLIENT_SECRET are both set"}},
		{name: "both forms, id only", id: "client-1", useFile: true, fileContent: "main id-1 " + testSecret + "\n",
			want: []string{"are both set"}},
		{name: "id without secret", id: "client-1", want: []string{"configuration: BLIZZARD_CLIENT_SECRET: "}},
		{name: "secret without id", secret: testSecret, want: []string{"configuration: BLIZZARD_CLIENT_ID: "}},
		{name: "missing file", file: missing, want: []string{"configuration: BLIZZARD_CREDENTIALS: open " + missing}},
		{name: "bad line", useFile: true, fileContent: "# ok\nmain id-1 " + testSecret + "\nspare " + testSecret + "\n",
			want: []string{"configuration: BLIZZARD_CREDENTIALS: ", ":3: want \"name client_id client_secret [regions]\""}},
		{name: "bad region", useFile: true, fileContent: "main id-1 " + testSecret + " us,cn\n",
			want: []string{"BLIZZARD_CREDENTIALS: ", ":1: unknown region \"cn\""}},
		{name: "duplicate name", useFile: true, fileContent: "main id-1 " + testSecret + "\nmain id-2 " + testSecret + "\n",
			want: []string{"BLIZZARD_CREDENTIALS: ", `:2: credential name "main" is already used on line 1`}},
		{name: "one client twice", useFile: true, fileContent: "a id-1 " + testSecret + "\nb id-1 " + testSecret + "\n",
			want: []string{"configuration: BLIZZARD_CREDENTIALS: ", `credential "b"`, ":2)", "same client id"}},
		{name: "empty file", useFile: true, fileContent: "# nobody yet\n", want: []string{"BLIZZARD_CREDENTIALS: ", "no credentials"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cleanEnv(t)
			t.Setenv("BLIZZARD_CLIENT_ID", tc.id)
			t.Setenv("BLIZZARD_CLIENT_SECRET", tc.secret)
			file := tc.file
			if tc.useFile {
				file = writeFile(t, tc.fileContent)
			}
			t.Setenv("BLIZZARD_CREDENTIALS", file)
			_, err := config.LoadWorker()
			require.Error(t, err)
			for _, want := range tc.want {
				assert.Contains(t, err.Error(), want)
			}
			assert.True(t, strings.HasPrefix(err.Error(), "configuration: "), err.Error())
			assert.NotContains(t, err.Error(), testSecret)
			assert.NotContains(t, err.Error(), "\n")
		})
	}
}

func TestDaysAcceptsDaysAndDurations(t *testing.T) {
	for in, want := range map[string]time.Duration{"14d": 14 * 24 * time.Hour, "36h": 36 * time.Hour, "1.5d": 36 * time.Hour, "90m": 90 * time.Minute} {
		var d config.Days
		require.NoError(t, d.UnmarshalText([]byte(in)), in)
		assert.Equal(t, want, d.Duration(), in)
	}
}
