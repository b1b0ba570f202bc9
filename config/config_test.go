package config_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/config"
)

func TestLoadWorkerDefaults(t *testing.T) {
	w, err := config.LoadWorker()
	require.NoError(t, err)
	assert.Equal(t, config.DefaultDatabaseURL, w.DatabaseURL)
	assert.Equal(t, 3, w.SyncThreads)
	assert.Equal(t, 8, w.ProcessingThreads)
	assert.Equal(t, 95.0, w.SyncRPS)
	assert.Equal(t, 36000, w.SyncRPH)
	assert.Equal(t, 24*time.Hour, w.EquipmentTTL())
	assert.Equal(t, 14*24*time.Hour, w.UnavailableCooldown.Duration())
	assert.Equal(t, 7*24*time.Hour, w.CharacterMetaTTL.Duration())
	assert.Equal(t, 30, w.RetentionDays)
	assert.Equal(t, "127.0.0.1:9464", w.MetricsAddr, "metrics bind to loopback by default")
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
		{"PVP_SYNC_RPS", "fast"},
		{"PVP_SYNC_RPH", "-5"},
		{"PVP_EQUIPMENT_SNAPSHOT_TTL_HOURS", "-1"},
		{"PVP_EQUIPMENT_SNAPSHOT_TTL_HOURS", "a day"},
		{"PVP_UNAVAILABLE_COOLDOWN", "two weeks"},
		{"PVP_UNAVAILABLE_COOLDOWN", "-1d"},
		{"PVP_CHARACTER_META_TTL", "7x"},
		{"PVP_SNAPSHOT_RETENTION_DAYS", "0"},
		{"PVP_LOG_FORMAT", "xml"},
		{"PVP_QUEUES", "workflows,everything"},
	} {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			t.Setenv(tc.name, tc.value)
			_, err := config.LoadWorker()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.name)
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
