package faults

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/fakeblizzard"
	"github.com/pvpsync/pvpsync/internal/testdb"
	"github.com/pvpsync/pvpsync/internal/testtemporal"
	"github.com/pvpsync/pvpsync/workflows"
)

// TestNoSecretsLeak: after a run, neither the client secret nor an access token appears in the worker's
// log or in the histories of the region, a leaderboard and some character workflows.
func TestNoSecretsLeak(t *testing.T) {
	e := newEnv(t, boards(909, 80, 40), testdb.New(t))
	tr := e.truth()
	w := e.startWorker("worker")
	run := e.startSync(workflows.SyncRegionInput{}, 5*time.Minute)
	// Errors and a token refresh put Battle.net error messages and the OAuth path into logs and histories.
	e.waitEquipment(tr, 0.1)
	e.fake.SetFaults(fakeblizzard.Faults{ServerErrorRate: 0.05})
	e.fake.RevokeTokens()
	res, err := e.wait(run, 6*time.Minute)
	require.NoError(t, err)
	e.check(res, tr, checkOpts{allowFailures: true})
	require.Positive(t, e.fake.Stats().Faults[fakeblizzard.FaultServerError])

	// The tokens the worker really presented, plus one issued to us now.
	tokens := e.fake.Tokens()
	require.NotEmpty(t, tokens, "the worker called the API with a bearer token")
	tokens = append(tokens, e.issueToken())

	histories := map[string]string{"region": e.history(run.GetID())}
	histories["leaderboard"] = e.history(res.Brackets[0].WorkflowID)
	n := 0
	for id := range tr.distinct {
		if tr.private[id] || n == 3 {
			continue
		}
		histories["character "+workflows.CharacterWorkflowID(e.region, id)] = e.history(workflows.CharacterWorkflowID(e.region, id))
		n++
	}
	histories["worker log"] = readFile(w.logPath)
	for what, text := range histories {
		require.NotEmpty(t, text, what)
		assert.NotContains(t, text, e.secret, "%s contains the client secret", what)
		for _, tok := range tokens {
			assert.NotContains(t, text, tok, "%s contains an access token", what)
		}
	}
	// The check can fail: the histories are real (they hold the activities' inputs), and the log holds
	// the Battle.net errors.
	assert.Contains(t, histories["leaderboard"], res.Brackets[0].Bracket)
	assert.Contains(t, histories["worker log"], "Activity error.")
	t.Logf("searched %d texts (%d bytes of worker log) for the secret and %d tokens", len(histories), len(histories["worker log"]), len(tokens))
}

// history is `temporal workflow show --output json` of a workflow's latest run.
func (e *env) history(id string) string {
	e.t.Helper()
	bin, err := testtemporal.Binary()
	require.NoError(e.t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "workflow", "show", "--workflow-id", id, "--output", "json",
		"--address", e.hostPort, "--namespace", "default")
	out, err := cmd.Output()
	require.NoError(e.t, err, "temporal workflow show %s", id)
	require.True(e.t, json.Valid(out), "history of %s is JSON", id)
	return string(out)
}

// issueToken asks the fake's OAuth endpoint for a token with HTTP Basic credentials.
func (e *env) issueToken() string {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.fake.TokenURL(), strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	require.NoError(e.t, err)
	req.SetBasicAuth(e.fake.ClientID(), e.fake.ClientSecret())
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	require.Equal(e.t, http.StatusOK, resp.StatusCode)
	var body struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(e.t, json.NewDecoder(resp.Body).Decode(&body))
	require.NotEmpty(e.t, body.AccessToken)
	return body.AccessToken
}
