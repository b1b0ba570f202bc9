package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/fakeblizzard"
	"github.com/pvpsync/pvpsync/internal/testbin"
	"github.com/pvpsync/pvpsync/internal/teststack"
	"github.com/pvpsync/pvpsync/workflows"
)

// TestPlanMatchesTheRun: `starter plan --fetch-boards`, run after the world moved on and before the
// next sync, is within 10 % of the requests that sync spends; the sync's own plan (made once its boards
// are stored) too; and the plan from the stored snapshot alone is the lower bound it says it is.
func TestPlanMatchesTheRun(t *testing.T) {
	const region = "us"
	s := teststack.New(t, teststack.Options{Fake: fakeblizzard.Options{
		Seed: 23, Characters: e2eSize(600), SpecCharacters: e2eSize(120), Brackets: []string{"3v3", "shuffle-mage-frost"}, Active: 0.3,
	}})
	_, err := s.SyncRegion(t, workflows.SyncRegionInput{Region: region}, 10*time.Minute)
	require.NoError(t, err)
	s.Fake.Advance()

	bin := testbin.Build(t, "./starter")
	plan := func(args ...string) map[string]any {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"plan", "--region", region, "-o", "json"}, args...)...) // #nosec G204 -- the binary this test built
		cmd.Env = append(os.Environ(), "DATABASE_URL="+s.DSN,
			"BLIZZARD_CLIENT_ID="+s.Fake.ClientID(), "BLIZZARD_CLIENT_SECRET="+s.Fake.ClientSecret(),
			"BLIZZARD_API_URL="+s.Fake.URL(), "BLIZZARD_OAUTH_URL="+s.Fake.TokenURL(), "BLIZZARD_CREDENTIALS=")
		out, err := cmd.Output()
		require.NoError(t, err, "starter plan: %s", out)
		var rep map[string]any
		require.NoError(t, json.Unmarshal(out, &rep), string(out))
		return rep
	}
	exact := plan("--fetch-boards")
	lower := plan()
	nextSnapshot()
	s.Fake.ResetStats()
	res, err := s.SyncRegion(t, workflows.SyncRegionInput{Region: region}, 10*time.Minute)
	require.NoError(t, err)
	spent := float64(s.Fake.Stats().Total - s.Fake.Stats().ByEndpoint[fakeblizzard.EndpointToken]["200"])
	assert.Equal(t, spent, float64(res.Totals.Requests), "the run counts every request")

	planned := exact["requests"].(float64)
	t.Logf("plan %v, spent %v, the run's own plan %+v, lower bound %v", planned, spent, res.Planned, lower["requests"])
	assert.InEpsilon(t, spent, planned, 0.10, "starter plan --fetch-boards is within 10 %% of what the run spent")
	require.NotNil(t, res.Planned)
	assert.InEpsilon(t, spent, float64(res.Planned.Requests), 0.10, "the run's plan is within 10 %% of what it spent")
	assert.LessOrEqual(t, lower["requests"].(float64), planned, "without the boards the plan is a lower bound")
	assert.Equal(t, true, exact["fits_interval"])
}
