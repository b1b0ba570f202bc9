package workflows_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/pvpsync/pvpsync/activities"
	"github.com/pvpsync/pvpsync/retry"
	"github.com/pvpsync/pvpsync/triage"
	"github.com/pvpsync/pvpsync/workflows"
)

type fetchFn func(context.Context, activities.FetchInput) (activities.FetchResult, error)

// fetchCall is one attempt of a fetch activity, with where it ran.
type fetchCall struct {
	In    activities.FetchInput
	Queue string // the task queue of a regular activity
	Local bool
}

// charMocks stands in for every activity SyncCharacter can call and records what each was given.
// Activities run on their own goroutines, hence the mutex.
type charMocks struct {
	prep      activities.PrepareResult
	prepErr   error
	routes    activities.RoutesResult
	routesErr error
	equipment fetchFn
	specs     fetchFn
	profile   fetchFn
	commit    func(context.Context, activities.CommitInput) (activities.CommitResult, error)

	mu                    sync.Mutex
	prepIn                []activities.PrepareInput
	routesIn              []activities.RoutesInput
	eqIn, spIn, profileIn []fetchCall
	commitIn              []activities.CommitInput
	markIn                []activities.MarkInput
	outcomes              []string // PvpOutcome values upserted, in order
}

func fetched(lastModified string) fetchFn {
	return func(context.Context, activities.FetchInput) (activities.FetchResult, error) {
		return activities.FetchResult{Status: activities.StatusFetched, LastModified: lastModified, Requests: 1, BuildID: 77}, nil
	}
}

func status(s string) fetchFn {
	return func(_ context.Context, in activities.FetchInput) (activities.FetchResult, error) {
		return activities.FetchResult{Status: s, LastModified: in.IfModifiedSince, Requests: 1}, nil
	}
}

func fails(err error) fetchFn {
	return func(context.Context, activities.FetchInput) (activities.FetchResult, error) {
		return activities.FetchResult{Requests: 1}, err
	}
}

const (
	eqLastModified = "Sat, 28 Nov 2026 10:00:00 GMT"
	spLastModified = "Sun, 29 Nov 2026 11:00:00 GMT"
	eqNew          = "Mon, 30 Nov 2026 07:00:00 GMT"
	spNew          = "Mon, 30 Nov 2026 07:30:00 GMT"
)

// newCharMocks answers "fetch both sides" with fresh 200s by default.
func newCharMocks() *charMocks {
	return &charMocks{
		prep: activities.PrepareResult{
			Outcome: triage.Fetch, Region: "eu", Name: "egirlbooster", RealmSlug: "sargeras",
			EquipmentLastModified: eqLastModified, SpecializationsLastModified: spLastModified,
		},
		routes:    activities.RoutesResult{Credentials: []string{"w1", "w2"}, Scope: workflows.ScopeRegion},
		equipment: fetched(eqNew),
		specs:     fetched(spNew),
		profile:   fetched(""),
		commit: func(context.Context, activities.CommitInput) (activities.CommitResult, error) {
			return activities.CommitResult{Entries: 1}, nil
		},
	}
}

func (m *charMocks) install(env *testsuite.TestWorkflowEnvironment) {
	env.OnActivity(acts.PrepareCharacter, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.PrepareInput) (activities.PrepareResult, error) {
			m.mu.Lock()
			defer m.mu.Unlock()
			m.prepIn = append(m.prepIn, in)
			return m.prep, m.prepErr
		})
	env.OnActivity(acts.Routes, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RoutesInput) (activities.RoutesResult, error) {
			m.mu.Lock()
			defer m.mu.Unlock()
			m.routesIn = append(m.routesIn, in)
			return m.routes, m.routesErr
		})
	fetch := func(calls *[]fetchCall, fn *fetchFn) any {
		return func(ctx context.Context, in activities.FetchInput) (activities.FetchResult, error) {
			info := activity.GetInfo(ctx)
			m.mu.Lock()
			*calls = append(*calls, fetchCall{In: in, Queue: info.TaskQueue, Local: info.IsLocalActivity})
			f := *fn
			m.mu.Unlock()
			return f(ctx, in)
		}
	}
	env.OnActivity(acts.FetchEquipment, mock.Anything, mock.Anything).Return(fetch(&m.eqIn, &m.equipment))
	env.OnActivity(acts.FetchSpecializations, mock.Anything, mock.Anything).Return(fetch(&m.spIn, &m.specs))
	env.OnActivity(acts.FetchProfile, mock.Anything, mock.Anything).Return(fetch(&m.profileIn, &m.profile))
	env.OnActivity(acts.CommitCharacter, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.CommitInput) (activities.CommitResult, error) {
			m.mu.Lock()
			m.commitIn = append(m.commitIn, in)
			f := m.commit
			m.mu.Unlock()
			return f(ctx, in)
		})
	env.OnActivity(acts.MarkUnreadable, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.MarkInput) error {
			m.mu.Lock()
			defer m.mu.Unlock()
			m.markIn = append(m.markIn, in)
			return nil
		})
	// The test environment calls this mock for every typed upsert (and only validates them otherwise).
	env.OnUpsertTypedSearchAttributes(mock.Anything).Run(func(args mock.Arguments) {
		sa, ok := args.Get(0).(temporal.SearchAttributes)
		if !ok {
			return
		}
		if o, ok := sa.GetKeyword(workflows.SearchOutcome); ok {
			m.mu.Lock()
			m.outcomes = append(m.outcomes, o)
			m.mu.Unlock()
		}
	}).Return(nil)
}

// characterInput is what a board's fan-out passes: its board, and the routes it was given.
func characterInput() workflows.SyncCharacterInput {
	return workflows.SyncCharacterInput{Region: "eu", CharacterID: 42, BlizzardID: 203590047, SnapshotAt: snapshotAt,
		Bracket: "3v3", LeaderboardID: 7, Routes: threeCreds()}
}

// runCharacterWith runs SyncCharacter to completion on a prepared environment and returns its result.
func runCharacterWith(t *testing.T, env *testsuite.TestWorkflowEnvironment, m *charMocks, in workflows.SyncCharacterInput) workflows.SyncCharacterResult {
	t.Helper()
	m.install(env)
	env.ExecuteWorkflow(workflows.SyncCharacterName, in)
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError(), "a character's failure is a result, never a failed workflow")
	var res workflows.SyncCharacterResult
	require.NoError(t, env.GetWorkflowResult(&res))
	m.mu.Lock()
	defer m.mu.Unlock()
	require.Len(t, m.prepIn, 1, "PrepareCharacter runs once")
	assert.Equal(t, activities.PrepareInput{CharacterID: in.CharacterID, SnapshotAt: in.SnapshotAt, LeaderboardID: in.LeaderboardID}, m.prepIn[0])
	require.NotEmpty(t, m.outcomes, "the outcome is a search attribute")
	assert.Equal(t, res.Outcome, m.outcomes[len(m.outcomes)-1], "PvpOutcome is the result's outcome")
	return res
}

func runCharacter(t *testing.T, m *charMocks) workflows.SyncCharacterResult {
	t.Helper()
	env, _ := newEnv(t)
	return runCharacterWith(t, env, m, characterInput())
}

func (m *charMocks) assertNoRequest(t *testing.T) {
	t.Helper()
	assert.Empty(t, m.eqIn, "FetchEquipment")
	assert.Empty(t, m.spIn, "FetchSpecializations")
	assert.Empty(t, m.profileIn, "FetchProfile")
}

// Every outcome but fetch is settled by PrepareCharacter: no request, no commit, no routes needed.
func TestSyncCharacterSettledByPrepare(t *testing.T) {
	for _, outcome := range []string{triage.Idle, triage.Reused, triage.Private, triage.Unavailable, triage.Deduplicated} {
		t.Run(outcome, func(t *testing.T) {
			m := newCharMocks()
			m.prep.Outcome = outcome
			in := characterInput()
			in.Routes = nil // would be asked for only if a request were needed
			env, _ := newEnv(t)
			res := runCharacterWith(t, env, m, in)

			assert.Equal(t, workflows.SyncCharacterResult{Outcome: outcome}, res)
			m.assertNoRequest(t)
			assert.Empty(t, m.commitIn, "CommitCharacter")
			assert.Empty(t, m.markIn, "MarkUnreadable")
			assert.Empty(t, m.routesIn, "Routes")
		})
	}
}

// The triage outcomes SyncCharacter returns as they are must be the workflow outcomes of the same name.
func TestTriageOutcomesAreWorkflowOutcomes(t *testing.T) {
	assert.Equal(t, workflows.OutcomeIdle, triage.Idle)
	assert.Equal(t, workflows.OutcomeReused, triage.Reused)
	assert.Equal(t, workflows.OutcomePrivate, triage.Private)
	assert.Equal(t, workflows.OutcomeUnavailable, triage.Unavailable)
	assert.Equal(t, workflows.OutcomeDeduplicated, triage.Deduplicated)
}

func TestSyncCharacterFetchesBothSides(t *testing.T) {
	m := newCharMocks()
	env, rec := newEnv(t)
	res := runCharacterWith(t, env, m, characterInput())

	assert.Equal(t, workflows.SyncCharacterResult{Outcome: workflows.OutcomeSynced, Requests: 2}, res)
	require.Len(t, m.eqIn, 1)
	require.Len(t, m.spIn, 1)
	// 42 % 3 = 0: the first credential.
	want := activities.FetchInput{CharacterID: 42, Region: "eu", RealmSlug: "sargeras", Name: "egirlbooster", Credential: "c1"}
	eq, sp := want, want
	eq.IfModifiedSince = eqLastModified
	sp.IfModifiedSince = spLastModified
	assert.Equal(t, eq, m.eqIn[0].In, "equipment is conditional on its own Last-Modified")
	assert.Equal(t, sp, m.spIn[0].In, "specializations are conditional on their own Last-Modified")
	for _, c := range []fetchCall{m.eqIn[0], m.spIn[0]} {
		assert.False(t, c.Local, "requests go through the credential's rate-limited queue")
		assert.Equal(t, "pvp-sync.c1", c.Queue)
	}
	require.Len(t, m.commitIn, 1)
	assert.Equal(t, activities.CommitInput{
		CharacterID: 42, SnapshotAt: snapshotAt, LeaderboardID: 7, Outcome: workflows.OutcomeSynced,
		Equipment:       activities.FetchResult{Status: activities.StatusFetched, LastModified: eqNew, Requests: 1, BuildID: 77},
		Specializations: activities.FetchResult{Status: activities.StatusFetched, LastModified: spNew, Requests: 1, BuildID: 77},
	}, m.commitIn[0])
	assert.Empty(t, m.profileIn, "no profile refresh unless prepare asks")
	assert.Empty(t, m.markIn)
	assert.Empty(t, m.routesIn, "routes were given")

	// The steps run where the design puts them: database steps local, requests on the Battle.net policy.
	for _, name := range []string{"PrepareCharacter", "CommitCharacter"} {
		calls := rec.scheduled(name)
		require.Len(t, calls, 1, name)
		assert.True(t, calls[0].Local, "%s is a local activity", name)
		assert.Equal(t, retry.Database(), calls[0].LocalOp.RetryPolicy, name)
	}
	for _, name := range []string{"FetchEquipment", "FetchSpecializations"} {
		calls := rec.scheduled(name)
		require.Len(t, calls, 1, name)
		assert.False(t, calls[0].Local, name)
		assert.Equal(t, "pvp-sync.c1", calls[0].Options.TaskQueue, name)
		assert.Equal(t, retry.Battlenet(), calls[0].Options.RetryPolicy, name)
		assert.Contains(t, calls[0].Options.Summary, "egirlbooster-sargeras", name)
	}
}

func TestSyncCharacterNotModified(t *testing.T) {
	t.Run("both sides", func(t *testing.T) {
		m := newCharMocks()
		m.equipment, m.specs = status(activities.StatusNotModified), status(activities.StatusNotModified)
		res := runCharacter(t, m)
		assert.Equal(t, workflows.SyncCharacterResult{Outcome: workflows.OutcomeNotModified, Requests: 2}, res)
		require.Len(t, m.commitIn, 1, "a 304 still moves the state and writes the entries")
		assert.Equal(t, workflows.OutcomeNotModified, m.commitIn[0].Outcome)
		assert.Equal(t, activities.FetchResult{Status: activities.StatusNotModified, LastModified: eqLastModified, Requests: 1}, m.commitIn[0].Equipment)
		assert.Equal(t, activities.FetchResult{Status: activities.StatusNotModified, LastModified: spLastModified, Requests: 1}, m.commitIn[0].Specializations)
	})
	t.Run("equipment only", func(t *testing.T) {
		m := newCharMocks()
		m.equipment = status(activities.StatusNotModified)
		res := runCharacter(t, m)
		assert.Equal(t, workflows.SyncCharacterResult{Outcome: workflows.OutcomeSynced, Requests: 2}, res)
		require.Len(t, m.commitIn, 1)
		assert.Equal(t, workflows.OutcomeSynced, m.commitIn[0].Outcome)
		assert.Equal(t, activities.StatusNotModified, m.commitIn[0].Equipment.Status)
		assert.Equal(t, activities.StatusFetched, m.commitIn[0].Specializations.Status)
	})
	t.Run("specializations only", func(t *testing.T) {
		m := newCharMocks()
		m.specs = status(activities.StatusNotModified)
		res := runCharacter(t, m)
		assert.Equal(t, workflows.SyncCharacterResult{Outcome: workflows.OutcomeSynced, Requests: 2}, res)
		require.Len(t, m.commitIn, 1)
		assert.Equal(t, activities.StatusFetched, m.commitIn[0].Equipment.Status)
		assert.Equal(t, activities.StatusNotModified, m.commitIn[0].Specializations.Status)
	})
}

func TestSyncCharacterNotFoundMarksUnavailable(t *testing.T) {
	for name, set := range map[string]func(*charMocks){
		"equipment":       func(m *charMocks) { m.equipment = status(activities.StatusNotFound) },
		"specializations": func(m *charMocks) { m.specs = status(activities.StatusNotFound) },
	} {
		t.Run(name, func(t *testing.T) {
			m := newCharMocks()
			set(m)
			res := runCharacter(t, m)
			assert.Equal(t, workflows.SyncCharacterResult{Outcome: workflows.OutcomeUnavailable, Requests: 2}, res)
			assert.Equal(t, []activities.MarkInput{{CharacterID: 42}}, m.markIn, "a gear 404 starts the cooldown, it does not mark private")
			assert.Empty(t, m.commitIn, "nothing to commit")
		})
	}
}

func TestSyncCharacterRefreshesProfile(t *testing.T) {
	m := newCharMocks()
	m.prep.RefreshProfile = true
	res := runCharacter(t, m)
	assert.Equal(t, workflows.SyncCharacterResult{Outcome: workflows.OutcomeSynced, Requests: 3}, res)
	require.Len(t, m.profileIn, 1)
	assert.Equal(t, activities.FetchInput{CharacterID: 42, Region: "eu", RealmSlug: "sargeras", Name: "egirlbooster", Credential: "c1"},
		m.profileIn[0].In, "the profile request is unconditional, on the same credential")
	assert.Equal(t, "pvp-sync.c1", m.profileIn[0].Queue)
	assert.Len(t, m.commitIn, 1)
}

func TestSyncCharacterProfileFailureKeepsTheSync(t *testing.T) {
	m := newCharMocks()
	m.prep.RefreshProfile = true
	m.profile = fails(temporal.NewNonRetryableApplicationError("fetch profile: battlenet: bad request", retry.ErrTypeBadRequest, nil))
	res := runCharacter(t, m)
	assert.Equal(t, workflows.OutcomeSynced, res.Outcome, "gear is stored; the profile is retried next run")
	assert.Equal(t, 3, res.Requests, "the failed profile request still cost one")
	assert.Len(t, m.profileIn, 1)
	assert.Len(t, m.commitIn, 1)
}

func TestSyncCharacterDecodeErrorFails(t *testing.T) {
	m := newCharMocks()
	m.equipment = fails(temporal.NewNonRetryableApplicationError("fetch equipment of egirlbooster-sargeras: battlenet: malformed JSON",
		retry.ErrTypeDecode, nil))
	res := runCharacter(t, m)

	assert.Equal(t, workflows.OutcomeFailed, res.Outcome)
	assert.Contains(t, res.Reason, "equipment: Decode: ")
	assert.Contains(t, res.Reason, "malformed JSON")
	assert.Equal(t, 2, res.Requests, "one equipment attempt, one specializations request")
	assert.Len(t, m.eqIn, 1, "a Decode error is not retried")
	assert.Empty(t, m.commitIn)
	assert.Empty(t, m.markIn)
}

func TestSyncCharacterSpecializationsErrorFails(t *testing.T) {
	m := newCharMocks()
	m.specs = fails(temporal.NewNonRetryableApplicationError("fetch specializations: battlenet: bad request (HTTP 400)", retry.ErrTypeBadRequest, nil))
	res := runCharacter(t, m)
	assert.Equal(t, workflows.OutcomeFailed, res.Outcome)
	assert.Contains(t, res.Reason, "specializations: BadRequest: ")
	assert.Empty(t, m.commitIn, "half a character is not committed")
}

func TestSyncCharacterPrepareFailureIsReported(t *testing.T) {
	m := newCharMocks()
	m.prepErr = temporal.NewNonRetryableApplicationError("prepare character: store: no such character", retry.ErrTypeInvalidInput, nil)
	res := runCharacter(t, m)
	assert.Equal(t, workflows.OutcomeFailed, res.Outcome, "a character failure is a result, not a failed workflow")
	assert.Contains(t, res.Reason, "prepare: InvalidInput")
	assert.Zero(t, res.Requests)
	m.assertNoRequest(t)
	assert.Empty(t, m.commitIn)
}

// The credential is a function of the character id over the routes given: the same character always
// uses the same budget, and characters spread over every credential.
func TestSyncCharacterPicksCredentialByCharacterID(t *testing.T) {
	for _, tc := range []struct {
		id    int64
		scope string
		cred  string
		queue string
	}{
		{42, workflows.ScopeCredential, "c1", "pvp-sync.c1"},
		{43, workflows.ScopeCredential, "c2", "pvp-sync.c2"},
		{44, workflows.ScopeCredential, "c3", "pvp-sync.c3"},
		{45, workflows.ScopeCredential, "c1", "pvp-sync.c1"},
		{43, workflows.ScopeRegion, "c2", "pvp-sync.c2.eu"},
	} {
		for run := range 2 {
			m := newCharMocks()
			m.prep.RefreshProfile = true
			in := characterInput()
			in.CharacterID = tc.id
			in.Routes.Scope = tc.scope
			env, _ := newEnv(t)
			runCharacterWith(t, env, m, in)

			for _, calls := range [][]fetchCall{m.eqIn, m.spIn, m.profileIn} {
				require.Len(t, calls, 1)
				assert.Equal(t, tc.cred, calls[0].In.Credential, "character %d (run %d)", tc.id, run)
				assert.Equal(t, tc.queue, calls[0].Queue, "character %d (run %d)", tc.id, run)
			}
			assert.Empty(t, m.routesIn, "only the routes given are used")
		}
	}
}

// Without routes in its input (a character synced by hand), the worker is asked once.
func TestSyncCharacterAsksForRoutesWhenNotGiven(t *testing.T) {
	m := newCharMocks() // the worker answers w1, w2, scoped per region
	in := characterInput()
	in.Routes = nil
	in.CharacterID = 43
	env, _ := newEnv(t)
	res := runCharacterWith(t, env, m, in)

	assert.Equal(t, workflows.OutcomeSynced, res.Outcome)
	assert.Equal(t, []activities.RoutesInput{{Region: "eu"}}, m.routesIn)
	for _, calls := range [][]fetchCall{m.eqIn, m.spIn} {
		require.Len(t, calls, 1)
		assert.Equal(t, "w2", calls[0].In.Credential, "43 %% 2 = 1")
		assert.Equal(t, "pvp-sync.w2.eu", calls[0].Queue)
	}
}

func TestSyncCharacterWithoutCredentialFails(t *testing.T) {
	m := newCharMocks()
	m.routesErr = temporal.NewNonRetryableApplicationError(`no Battle.net credential may serve region "eu"`, retry.ErrTypeNoCredential, nil)
	in := characterInput()
	in.Routes = nil
	env, _ := newEnv(t)
	res := runCharacterWith(t, env, m, in)

	assert.Equal(t, workflows.OutcomeFailed, res.Outcome)
	assert.Contains(t, res.Reason, "route")
	assert.Contains(t, res.Reason, "NoCredential")
	assert.Len(t, m.routesIn, 1, "a configuration error is not retried")
	m.assertNoRequest(t)
}

// With local_fetch the requests run as local activities on the workflow worker, same credential.
func TestSyncCharacterLocalFetch(t *testing.T) {
	m := newCharMocks()
	m.prep.RefreshProfile = true
	in := characterInput()
	in.LocalFetch = true
	in.CharacterID = 44
	env, rec := newEnv(t)
	res := runCharacterWith(t, env, m, in)

	assert.Equal(t, workflows.SyncCharacterResult{Outcome: workflows.OutcomeSynced, Requests: 3}, res)
	for _, calls := range [][]fetchCall{m.eqIn, m.spIn, m.profileIn} {
		require.Len(t, calls, 1)
		assert.True(t, calls[0].Local)
		assert.Equal(t, "c3", calls[0].In.Credential)
	}
	for _, name := range []string{"FetchEquipment", "FetchSpecializations", "FetchProfile"} {
		calls := rec.scheduled(name)
		require.Len(t, calls, 1, name)
		assert.True(t, calls[0].Local, name)
		assert.Equal(t, retry.Battlenet(), calls[0].LocalOp.RetryPolicy, "%s keeps the Battle.net retry budget", name)
	}
}

// PvpOutcome lets an operator list the characters that failed.
func TestSyncCharacterUpsertsOutcome(t *testing.T) {
	for name, tc := range map[string]struct {
		set  func(*charMocks)
		want string
	}{
		"synced": {func(*charMocks) {}, workflows.OutcomeSynced},
		"not modified": {func(m *charMocks) {
			m.equipment, m.specs = status(activities.StatusNotModified), status(activities.StatusNotModified)
		}, workflows.OutcomeNotModified},
		"unavailable": {func(m *charMocks) { m.equipment = status(activities.StatusNotFound) }, workflows.OutcomeUnavailable},
		"idle":        {func(m *charMocks) { m.prep.Outcome = triage.Idle }, workflows.OutcomeIdle},
		"failed": {func(m *charMocks) {
			m.equipment = fails(temporal.NewNonRetryableApplicationError("bad", retry.ErrTypeBadRequest, nil))
		}, workflows.OutcomeFailed},
	} {
		t.Run(name, func(t *testing.T) {
			m := newCharMocks()
			tc.set(m)
			res := runCharacter(t, m)
			assert.Equal(t, tc.want, res.Outcome)
			assert.Equal(t, []string{tc.want}, m.outcomes, "upserted once, when the outcome is known")
		})
	}
}

func TestSyncCharacterRejectsInvalidInput(t *testing.T) {
	for name, mut := range map[string]func(*workflows.SyncCharacterInput){
		"character id":     func(in *workflows.SyncCharacterInput) { in.CharacterID = 0 },
		"snapshot time":    func(in *workflows.SyncCharacterInput) { in.SnapshotAt = time.Time{} },
		"region":           func(in *workflows.SyncCharacterInput) { in.Region = "" },
		"unknown region":   func(in *workflows.SyncCharacterInput) { in.Region = "xx" },
		"foreign locale":   func(in *workflows.SyncCharacterInput) { in.Locale = "en_US" },
		"no credentials":   func(in *workflows.SyncCharacterInput) { in.Routes.Credentials = nil },
		"unknown scope":    func(in *workflows.SyncCharacterInput) { in.Routes.Scope = "global" },
		"empty credential": func(in *workflows.SyncCharacterInput) { in.Routes.Credentials = []string{"c1", ""} },
	} {
		t.Run(name, func(t *testing.T) {
			env, _ := newEnv(t)
			m := newCharMocks()
			m.install(env)
			in := characterInput()
			mut(&in)
			env.ExecuteWorkflow(workflows.SyncCharacterName, in)
			require.True(t, env.IsWorkflowCompleted())
			requireInvalidInput(t, env.GetWorkflowError())
			assert.Empty(t, m.prepIn, "nothing runs on invalid input")
		})
	}
}

func TestSyncCharacterCountsSavedRequests(t *testing.T) {
	for name, tc := range map[string]struct {
		set    func(*charMocks)
		reason string
		want   float64
	}{
		"idle":         {func(m *charMocks) { m.prep.Outcome = triage.Idle }, workflows.SavedIdle, 2},
		"reused":       {func(m *charMocks) { m.prep.Outcome = triage.Reused }, workflows.SavedReuse, 2},
		"one side 304": {func(m *charMocks) { m.specs = status(activities.StatusNotModified) }, workflows.SavedNotModified, 1},
		"both sides 304": {func(m *charMocks) {
			m.equipment, m.specs = status(activities.StatusNotModified), status(activities.StatusNotModified)
		}, workflows.SavedNotModified, 2},
		"fetched": {func(*charMocks) {}, "", 0},
	} {
		t.Run(name, func(t *testing.T) {
			m := newCharMocks()
			tc.set(m)
			env, _, scope := newMeteredEnv(t)
			runCharacterWith(t, env, m, characterInput())
			assert.Equal(t, tc.want, metricValue(scope, workflows.MetricRequestsSaved, nil))
			if tc.reason != "" {
				assert.Equal(t, tc.want, metricValue(scope, workflows.MetricRequestsSaved, map[string]string{"reason": tc.reason}))
			}
		})
	}
}
