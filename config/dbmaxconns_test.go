package config_test

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/config"
)

// The worker hands PVP_DB_MAX_CONNS to pgxpool as an int32, so validation must keep it in 1..MaxInt32.
func TestLoadWorkerBoundsDBMaxConns(t *testing.T) {
	for _, tc := range []struct {
		value string
		ok    bool
	}{
		{"0", false},
		{"-1", false},
		{"1", true},
		{"2147483647", true},
		{strconv.Itoa(1 << 31), false},
	} {
		t.Run(tc.value, func(t *testing.T) {
			cleanEnv(t)
			t.Setenv("PVP_DB_MAX_CONNS", tc.value)
			w, err := config.LoadWorker()
			if !tc.ok {
				require.ErrorContains(t, err, "PVP_DB_MAX_CONNS")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.value, strconv.Itoa(w.DBMaxConns))
		})
	}
}
