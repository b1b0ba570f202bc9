package workflows_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/pvpsync/pvpsync/activities"
	"github.com/pvpsync/pvpsync/workflows"
)

// acts supplies method values for mocks; the SDK matches them by method name ("FetchEquipment"), the
// same name the workflows' nil-receiver references and the worker's struct registration produce.
var acts = &activities.Activities{}

var snapshotAt = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

// newEnv registers pvpsync the way service.Register does: workflows under their stable names, the
// activities as the struct.
func newEnv(t *testing.T) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	// The retry tests fail activities on purpose and the SDK logs each failure; assertions say what matters.
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(workflows.SyncRegion, workflow.RegisterOptions{Name: workflows.SyncRegionName})
	env.RegisterWorkflowWithOptions(workflows.SyncLeaderboard, workflow.RegisterOptions{Name: workflows.SyncLeaderboardName})
	env.RegisterWorkflowWithOptions(workflows.SyncCharacter, workflow.RegisterOptions{Name: workflows.SyncCharacterName})
	env.RegisterWorkflowWithOptions(workflows.PurgeSnapshots, workflow.RegisterOptions{Name: workflows.PurgeSnapshotsName})
	env.RegisterActivity(&activities.Activities{})
	env.SetTestTimeout(10 * time.Second)
	return env
}

// charMocks stands in for every activity SyncCharacter can call and records what each was given.
// Activities run on their own goroutines, hence the mutex.
type charMocks struct {
	prep      activities.PrepareResult
	prepErr   error
	equipment func(activities.FetchInput) (activities.FetchResult, error)
	specs     func(activities.FetchInput) (activities.FetchResult, error)
	profile   func(activities.FetchInput) (activities.FetchResult, error)
	process   func(activities.ProcessInput) (activities.ProcessResult, error)

	mu                    sync.Mutex
	prepIn                []activities.PrepareInput
	eqIn, spIn, profileIn []activities.FetchInput
	processIn             []activities.ProcessInput
	markIn                []activities.MarkInput
}

func fetched(lastModified string) func(activities.FetchInput) (activities.FetchResult, error) {
	return func(activities.FetchInput) (activities.FetchResult, error) {
		return activities.FetchResult{Status: activities.StatusFetched, LastModified: lastModified, Requests: 1}, nil
	}
}

func status(s string) func(activities.FetchInput) (activities.FetchResult, error) {
	return func(in activities.FetchInput) (activities.FetchResult, error) {
		return activities.FetchResult{Status: s, LastModified: in.IfModifiedSince, Requests: 1}, nil
	}
}

func fails(err error) func(activities.FetchInput) (activities.FetchResult, error) {
	return func(activities.FetchInput) (activities.FetchResult, error) {
		return activities.FetchResult{Requests: 1}, err
	}
}

// newCharMocks answers "fetch both sides" with fresh 200s by default.
func newCharMocks() *charMocks {
	return &charMocks{
		prep: activities.PrepareResult{
			Region: "eu", Name: "egirlbooster", RealmSlug: "sargeras",
			EquipmentLastModified:       "Sat, 28 Nov 2026 10:00:00 GMT",
			SpecializationsLastModified: "Sun, 29 Nov 2026 11:00:00 GMT",
		},
		equipment: fetched("Mon, 30 Nov 2026 07:00:00 GMT"),
		specs:     fetched("Mon, 30 Nov 2026 07:30:00 GMT"),
		profile:   fetched(""),
		process: func(activities.ProcessInput) (activities.ProcessResult, error) {
			return activities.ProcessResult{Entries: 1, SpecEntries: 1}, nil
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
	fetch := func(calls *[]activities.FetchInput, fn *func(activities.FetchInput) (activities.FetchResult, error)) any {
		return func(_ context.Context, in activities.FetchInput) (activities.FetchResult, error) {
			m.mu.Lock()
			*calls = append(*calls, in)
			f := *fn
			m.mu.Unlock()
			return f(in)
		}
	}
	env.OnActivity(acts.FetchEquipment, mock.Anything, mock.Anything).Return(fetch(&m.eqIn, &m.equipment))
	env.OnActivity(acts.FetchSpecializations, mock.Anything, mock.Anything).Return(fetch(&m.spIn, &m.specs))
	env.OnActivity(acts.FetchProfile, mock.Anything, mock.Anything).Return(fetch(&m.profileIn, &m.profile))
	env.OnActivity(acts.ProcessCharacter, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ProcessInput) (activities.ProcessResult, error) {
			m.mu.Lock()
			m.processIn = append(m.processIn, in)
			f := m.process
			m.mu.Unlock()
			return f(in)
		})
	env.OnActivity(acts.MarkUnreadable, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.MarkInput) error {
			m.mu.Lock()
			defer m.mu.Unlock()
			m.markIn = append(m.markIn, in)
			return nil
		})
}

func characterInput() workflows.SyncCharacterInput {
	return workflows.SyncCharacterInput{Region: "eu", CharacterID: 42, BlizzardID: 203590047, SnapshotAt: snapshotAt, Bracket: "3v3"}
}

// runCharacter runs SyncCharacter to completion and returns its result.
func runCharacter(t *testing.T, m *charMocks) workflows.SyncCharacterResult {
	t.Helper()
	env := newEnv(t)
	m.install(env)
	env.ExecuteWorkflow(workflows.SyncCharacterName, characterInput())
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res workflows.SyncCharacterResult
	require.NoError(t, env.GetWorkflowResult(&res))
	m.mu.Lock()
	defer m.mu.Unlock()
	require.Len(t, m.prepIn, 1, "PrepareCharacter runs once")
	assert.Equal(t, activities.PrepareInput{CharacterID: 42, SnapshotAt: snapshotAt}, m.prepIn[0])
	return res
}

func (m *charMocks) assertNoRequest(t *testing.T) {
	t.Helper()
	assert.Empty(t, m.eqIn, "FetchEquipment")
	assert.Empty(t, m.spIn, "FetchSpecializations")
	assert.Empty(t, m.profileIn, "FetchProfile")
}

func TestSyncCharacterSkips(t *testing.T) {
	for _, tc := range []struct {
		skip, outcome string
	}{
		{activities.SkipPrivate, workflows.OutcomePrivate},
		{activities.SkipCooldown, workflows.OutcomeUnavailable},
		{activities.SkipDone, workflows.OutcomeDeduplicated},
	} {
		t.Run(tc.skip, func(t *testing.T) {
			m := newCharMocks()
			m.prep.Skip = tc.skip
			res := runCharacter(t, m)
			assert.Equal(t, workflows.SyncCharacterResult{Outcome: tc.outcome}, res)
			m.assertNoRequest(t)
			assert.Empty(t, m.processIn, "ProcessCharacter")
			assert.Empty(t, m.markIn, "MarkUnreadable")
		})
	}
}

func TestSyncCharacterReusesFreshSnapshot(t *testing.T) {
	m := newCharMocks()
	m.prep.ReuseEntryID = 9001
	res := runCharacter(t, m)

	assert.Equal(t, workflows.SyncCharacterResult{Outcome: workflows.OutcomeReused, Requests: 0}, res)
	m.assertNoRequest(t)
	require.Len(t, m.processIn, 1)
	assert.Equal(t, activities.ProcessInput{
		CharacterID: 42, SnapshotAt: snapshotAt,
		Equipment:       activities.SideSource{Source: activities.SourceReuse, ReuseEntryID: 9001},
		Specializations: activities.SideSource{Source: activities.SourceLatest},
	}, m.processIn[0])
}

func TestSyncCharacterFetchesBothSides(t *testing.T) {
	m := newCharMocks()
	m.prep.Region = "eu"
	in := characterInput()
	res := runCharacter(t, m)

	assert.Equal(t, workflows.SyncCharacterResult{Outcome: workflows.OutcomeSynced, Requests: 2}, res)
	require.Len(t, m.eqIn, 1)
	require.Len(t, m.spIn, 1)
	want := activities.FetchInput{CharacterID: 42, Region: "eu", RealmSlug: "sargeras", Name: "egirlbooster", SnapshotAt: in.SnapshotAt}
	eq, sp := want, want
	eq.IfModifiedSince = "Sat, 28 Nov 2026 10:00:00 GMT"
	sp.IfModifiedSince = "Sun, 29 Nov 2026 11:00:00 GMT"
	assert.Equal(t, eq, m.eqIn[0], "equipment is conditional on its own Last-Modified")
	assert.Equal(t, sp, m.spIn[0], "specializations are conditional on their own Last-Modified")
	require.Len(t, m.processIn, 1)
	assert.Equal(t, activities.ProcessInput{
		CharacterID: 42, SnapshotAt: snapshotAt,
		Equipment:       activities.SideSource{Source: activities.SourceFetched, LastModified: "Mon, 30 Nov 2026 07:00:00 GMT"},
		Specializations: activities.SideSource{Source: activities.SourceFetched, LastModified: "Mon, 30 Nov 2026 07:30:00 GMT"},
	}, m.processIn[0])
	assert.Empty(t, m.profileIn, "no profile refresh unless prepare asks")
	assert.Empty(t, m.markIn)
}

func TestSyncCharacterNotModified(t *testing.T) {
	t.Run("both sides", func(t *testing.T) {
		m := newCharMocks()
		m.equipment, m.specs = status(activities.StatusNotModified), status(activities.StatusNotModified)
		res := runCharacter(t, m)
		assert.Equal(t, workflows.SyncCharacterResult{Outcome: workflows.OutcomeNotModified, Requests: 2}, res)
		require.Len(t, m.processIn, 1)
		assert.Equal(t, activities.SideSource{Source: activities.SourceLatest}, m.processIn[0].Equipment)
		assert.Equal(t, activities.SideSource{Source: activities.SourceLatest}, m.processIn[0].Specializations)
	})
	t.Run("equipment only", func(t *testing.T) {
		m := newCharMocks()
		m.equipment = status(activities.StatusNotModified)
		res := runCharacter(t, m)
		assert.Equal(t, workflows.SyncCharacterResult{Outcome: workflows.OutcomeSynced, Requests: 2}, res)
		require.Len(t, m.processIn, 1)
		assert.Equal(t, activities.SideSource{Source: activities.SourceLatest}, m.processIn[0].Equipment)
		assert.Equal(t, activities.SideSource{Source: activities.SourceFetched, LastModified: "Mon, 30 Nov 2026 07:30:00 GMT"},
			m.processIn[0].Specializations)
	})
	t.Run("specializations only", func(t *testing.T) {
		m := newCharMocks()
		m.specs = status(activities.StatusNotModified)
		res := runCharacter(t, m)
		assert.Equal(t, workflows.SyncCharacterResult{Outcome: workflows.OutcomeSynced, Requests: 2}, res)
		require.Len(t, m.processIn, 1)
		assert.Equal(t, activities.SideSource{Source: activities.SourceFetched, LastModified: "Mon, 30 Nov 2026 07:00:00 GMT"},
			m.processIn[0].Equipment)
		assert.Equal(t, activities.SideSource{Source: activities.SourceLatest}, m.processIn[0].Specializations)
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
			assert.Empty(t, m.processIn, "nothing to process")
		})
	}
}

func TestSyncCharacterRefreshesProfile(t *testing.T) {
	m := newCharMocks()
	m.prep.RefreshProfile = true
	res := runCharacter(t, m)
	assert.Equal(t, workflows.SyncCharacterResult{Outcome: workflows.OutcomeSynced, Requests: 3}, res)
	require.Len(t, m.profileIn, 1)
	assert.Equal(t, activities.FetchInput{CharacterID: 42, Region: "eu", RealmSlug: "sargeras", Name: "egirlbooster", SnapshotAt: snapshotAt},
		m.profileIn[0], "the profile request is unconditional")
	assert.Len(t, m.processIn, 1)
}

func TestSyncCharacterProfileFailureKeepsTheSync(t *testing.T) {
	m := newCharMocks()
	m.prep.RefreshProfile = true
	m.profile = fails(temporal.NewNonRetryableApplicationError("fetch profile: battlenet: bad request", activities.ErrTypeBadRequest, nil))
	res := runCharacter(t, m)
	assert.Equal(t, workflows.OutcomeSynced, res.Outcome, "gear is stored; the profile is retried next run")
	assert.Equal(t, 3, res.Requests)
	assert.Len(t, m.profileIn, 1)
}

func TestSyncCharacterDecodeErrorFails(t *testing.T) {
	m := newCharMocks()
	m.equipment = fails(temporal.NewNonRetryableApplicationError("fetch equipment of egirlbooster-sargeras: battlenet: malformed JSON",
		activities.ErrTypeDecode, nil))
	res := runCharacter(t, m)

	assert.Equal(t, workflows.OutcomeFailed, res.Outcome)
	assert.Contains(t, res.Reason, "equipment")
	assert.Contains(t, res.Reason, "Decode")
	assert.Contains(t, res.Reason, "malformed JSON")
	assert.Len(t, m.eqIn, 1, "a Decode error is not retried")
	assert.Empty(t, m.processIn)
	assert.Empty(t, m.markIn)
}

func TestSyncCharacterPrepareFailureIsReported(t *testing.T) {
	m := newCharMocks()
	m.prepErr = temporal.NewNonRetryableApplicationError("prepare character: store: no such character", activities.ErrTypeInvalidInput, nil)
	res := runCharacter(t, m)
	assert.Equal(t, workflows.OutcomeFailed, res.Outcome, "a character failure is a result, not a failed workflow")
	assert.Contains(t, res.Reason, "prepare: InvalidInput")
	m.assertNoRequest(t)
	assert.Empty(t, m.processIn)
}

func TestSyncCharacterRejectsInvalidInput(t *testing.T) {
	for name, mut := range map[string]func(*workflows.SyncCharacterInput){
		"character id":  func(in *workflows.SyncCharacterInput) { in.CharacterID = 0 },
		"snapshot time": func(in *workflows.SyncCharacterInput) { in.SnapshotAt = time.Time{} },
		"region":        func(in *workflows.SyncCharacterInput) { in.Region = "" },
	} {
		t.Run(name, func(t *testing.T) {
			env := newEnv(t)
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

// requireInvalidInput checks that a workflow failed at once with a non-retryable InvalidInput error.
func requireInvalidInput(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err)
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(err, &appErr), "want an ApplicationError, got %T: %v", err, err)
	assert.Equal(t, activities.ErrTypeInvalidInput, appErr.Type())
	assert.True(t, appErr.NonRetryable(), "invalid input must not be retried")
	assert.Contains(t, appErr.Message(), "invalid input")
}
