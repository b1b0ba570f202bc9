package workflows_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pvpsync/pvpsync/activities"
	"github.com/pvpsync/pvpsync/workflows"
)

func routes(scope string, creds ...string) *activities.RoutesResult {
	return &activities.RoutesResult{Credentials: creds, Scope: scope}
}

// validateCase is one input and the problem Validate must report ("" = valid).
type validateCase struct {
	name string
	in   interface{ Validate() error }
	want string
}

func runValidate(t *testing.T, cases []validateCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.in.Validate()
			if c.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestSyncRegionInputValidate(t *testing.T) {
	runValidate(t, []validateCase{
		{"minimal", workflows.SyncRegionInput{Region: "eu"}, ""},
		{"everything", workflows.SyncRegionInput{Region: "us", Season: 40, Brackets: []string{"3v3", "shuffle-mage-frost", "blitz-overall"},
			Locale: "en_US", BoardConcurrency: workflows.MaxBoardConcurrency, Window: workflows.MaxWindow, PageSize: workflows.MaxPageSize,
			LocalFetch: true, Routes: routes(workflows.ScopeRegion, "c1", "c2")}, ""},
		{"no region", workflows.SyncRegionInput{}, "region"},
		{"unknown region", workflows.SyncRegionInput{Region: "xx"}, "xx"},
		{"locale of another region", workflows.SyncRegionInput{Region: "eu", Locale: "en_US"}, `locale "en_US"`},
		{"negative season", workflows.SyncRegionInput{Region: "eu", Season: -1}, "season"},
		{"misspelt bracket", workflows.SyncRegionInput{Region: "eu", Brackets: []string{"3v3", "shuffle-death-knight-frost"}}, "shuffle-death-knight-frost"},
		{"empty bracket", workflows.SyncRegionInput{Region: "eu", Brackets: []string{""}}, "bracket"},
		{"negative board concurrency", workflows.SyncRegionInput{Region: "eu", BoardConcurrency: -1}, "board_concurrency"},
		{"too many boards", workflows.SyncRegionInput{Region: "eu", BoardConcurrency: workflows.MaxBoardConcurrency + 1}, "board_concurrency"},
		{"negative window", workflows.SyncRegionInput{Region: "eu", Window: -1}, "window"},
		{"huge window", workflows.SyncRegionInput{Region: "eu", Window: workflows.MaxWindow + 1}, "window"},
		{"negative page", workflows.SyncRegionInput{Region: "eu", PageSize: -1}, "page_size"},
		{"huge page", workflows.SyncRegionInput{Region: "eu", PageSize: workflows.MaxPageSize + 1}, "page_size"},
		{"routes without credentials", workflows.SyncRegionInput{Region: "eu", Routes: routes(workflows.ScopeCredential)}, "credentials"},
		{"routes with an empty name", workflows.SyncRegionInput{Region: "eu", Routes: routes(workflows.ScopeCredential, "c1", "")}, "credentials"},
		{"routes without scope", workflows.SyncRegionInput{Region: "eu", Routes: routes("", "c1")}, "scope"},
	})
}

func TestSyncLeaderboardInputValidate(t *testing.T) {
	ok := func(mut func(*workflows.SyncLeaderboardInput)) workflows.SyncLeaderboardInput {
		in := workflows.SyncLeaderboardInput{Region: "eu", Bracket: "3v3"}
		mut(&in)
		return in
	}
	runValidate(t, []validateCase{
		{"minimal", ok(func(*workflows.SyncLeaderboardInput) {}), ""},
		{"as SyncRegion passes it", boardInput(), ""},
		{"continued", ok(func(in *workflows.SyncLeaderboardInput) {
			in.Cursor, in.Runs, in.Progress = &activities.Cursor{Rank: 500, CharacterID: 9}, 3, workflows.Progress{Total: 9, Done: 5}
		}), ""},
		{"spec board", ok(func(in *workflows.SyncLeaderboardInput) { in.Bracket = "blitz-deathknight-frost" }), ""},
		{"no bracket", ok(func(in *workflows.SyncLeaderboardInput) { in.Bracket = "" }), "bracket"},
		{"misspelt spec", ok(func(in *workflows.SyncLeaderboardInput) { in.Bracket = "shuffle-death-knight-frost" }), "shuffle-death-knight-frost"},
		{"no region", ok(func(in *workflows.SyncLeaderboardInput) { in.Region = "" }), "region"},
		{"foreign locale", ok(func(in *workflows.SyncLeaderboardInput) { in.Locale = "en_US" }), "locale"},
		{"negative season", ok(func(in *workflows.SyncLeaderboardInput) { in.Season = -1 }), "season"},
		{"huge window", ok(func(in *workflows.SyncLeaderboardInput) { in.Window = workflows.MaxWindow + 1 }), "window"},
		{"huge page", ok(func(in *workflows.SyncLeaderboardInput) { in.PageSize = workflows.MaxPageSize + 1 }), "page_size"},
		{"bad routes", ok(func(in *workflows.SyncLeaderboardInput) { in.Routes = routes("planet", "c1") }), "scope"},
	})
}

func TestSyncCharacterInputValidate(t *testing.T) {
	ok := func(mut func(*workflows.SyncCharacterInput)) workflows.SyncCharacterInput {
		in := workflows.SyncCharacterInput{Region: "eu", CharacterID: 42, SnapshotAt: snapshotAt}
		mut(&in)
		return in
	}
	runValidate(t, []validateCase{
		{"minimal", ok(func(*workflows.SyncCharacterInput) {}), ""},
		{"as a board passes it", characterInput(), ""},
		{"no character", ok(func(in *workflows.SyncCharacterInput) { in.CharacterID = 0 }), "character_id"},
		{"negative character", ok(func(in *workflows.SyncCharacterInput) { in.CharacterID = -4 }), "character_id"},
		{"no snapshot", ok(func(in *workflows.SyncCharacterInput) { in.SnapshotAt = time.Time{} }), "snapshot_at"},
		{"no region", ok(func(in *workflows.SyncCharacterInput) { in.Region = "" }), "region"},
		{"foreign locale", ok(func(in *workflows.SyncCharacterInput) { in.Locale = "ko_KR" }), "locale"},
		{"bad routes", ok(func(in *workflows.SyncCharacterInput) { in.Routes = routes(workflows.ScopeRegion) }), "credentials"},
	})
}

func TestPurgeSnapshotsInputValidate(t *testing.T) {
	runValidate(t, []validateCase{
		{"defaults", workflows.PurgeSnapshotsInput{}, ""},
		{"set", workflows.PurgeSnapshotsInput{RetentionDays: 90, BatchSize: 500}, ""},
		{"negative retention", workflows.PurgeSnapshotsInput{RetentionDays: -1}, "retention_days"},
		{"negative batch", workflows.PurgeSnapshotsInput{BatchSize: -1}, "batch_size"},
	})
}

// Decoding stays lenient (the workflow must start to report anything); Validate reports the field.
func TestUnknownJSONFieldFailsValidation(t *testing.T) {
	var r workflows.SyncRegionInput
	require.NoError(t, json.Unmarshal([]byte(`{"region":"eu","bracket":"3v3"}`), &r))
	assert.Equal(t, "eu", r.Region, "known fields are decoded")
	err := r.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown field "bracket"`)

	var l workflows.SyncLeaderboardInput
	require.NoError(t, json.Unmarshal([]byte(`{"region":"eu","bracket":"3v3","seasn":42}`), &l))
	assert.Equal(t, "3v3", l.Bracket)
	err = l.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown field "seasn"`)

	// A known field of the wrong type is a decoding error, as for any JSON.
	require.Error(t, json.Unmarshal([]byte(`{"region":"eu","season":"forty"}`), &r))

	// A clean decode clears a problem remembered from an earlier one.
	require.NoError(t, json.Unmarshal([]byte(`{"region":"eu","season":40}`), &r))
	assert.NoError(t, r.Validate())
}

// Routes and continue-as-new state cross history as JSON: they decode without being taken for typos.
func TestInputsRoundTripThroughJSON(t *testing.T) {
	in := boardInput()
	in.Cursor = &activities.Cursor{Rank: 3, CharacterID: 103}
	in.Runs, in.Window, in.PageSize, in.LocalFetch = 2, 10, 20, true
	b, err := json.Marshal(in)
	require.NoError(t, err)
	var out workflows.SyncLeaderboardInput
	require.NoError(t, json.Unmarshal(b, &out))
	require.NoError(t, out.Validate())
	assert.Equal(t, in, out)

	r := workflows.SyncRegionInput{Region: "eu", Season: 40, Brackets: []string{"3v3"}, BoardConcurrency: 2, Routes: twoCreds()}
	b, err = json.Marshal(r)
	require.NoError(t, err)
	var rOut workflows.SyncRegionInput
	require.NoError(t, json.Unmarshal(b, &rOut))
	require.NoError(t, rOut.Validate())
	assert.Equal(t, r, rOut)
}

// An operator's misspelt field fails the workflow at once instead of being ignored.
func TestUnknownInputFieldIsRejected(t *testing.T) {
	cases := []struct {
		name     string
		workflow string
		input    map[string]any
	}{
		{"region", workflows.SyncRegionName, map[string]any{"region": "us", "bracket": "3v3"}},
		{"leaderboard", workflows.SyncLeaderboardName, map[string]any{"region": "us", "bracket": "3v3", "seasn": 42}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env, rec := newEnv(t)
			env.ExecuteWorkflow(c.workflow, c.input)
			require.True(t, env.IsWorkflowCompleted())
			requireInvalidInput(t, env.GetWorkflowError())
			assert.Contains(t, env.GetWorkflowError().Error(), "unknown field")
			rec.mu.Lock()
			defer rec.mu.Unlock()
			assert.Empty(t, rec.activities, "nothing runs")
		})
	}
}
