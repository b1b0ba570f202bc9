package workflows

import (
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/pvpsync/pvpsync/activities"
	"github.com/pvpsync/pvpsync/retry"
	"github.com/pvpsync/pvpsync/triage"
)

// a is only used for method references; the worker registers the real *Activities.
var a *activities.Activities

// SyncCharacterInput identifies one character of one snapshot. LeaderboardID is the board whose page
// started it (it decides which board a copied state is credited to).
type SyncCharacterInput struct {
	Region        string                   `json:"region"`
	CharacterID   int64                    `json:"character_id"`
	BlizzardID    int64                    `json:"blizzard_id,omitempty"`
	SnapshotAt    time.Time                `json:"snapshot_at"`
	Locale        string                   `json:"locale,omitempty"`
	Bracket       string                   `json:"bracket,omitempty"`
	LeaderboardID int64                    `json:"leaderboard_id,omitempty"`
	LocalFetch    bool                     `json:"local_fetch,omitempty"`
	Routes        *activities.RoutesResult `json:"routes,omitempty"`

	inputProblem string // an unknown JSON field, reported by validation
}

// SyncCharacterResult says what happened and what it cost.
type SyncCharacterResult struct {
	Outcome  string `json:"outcome"`
	Requests int    `json:"requests"`
	Reason   string `json:"reason,omitempty"`
}

// SyncCharacter syncs one character's gear and talents for one snapshot: a last check (another board may
// have synced it since its page was planned), the requests on the credential that serves it, then one
// commit of everything they answered. Its outcome is also a search attribute: PvpOutcome = "failed"
// lists the characters that could not be synced.
func SyncCharacter(ctx workflow.Context, in SyncCharacterInput) (SyncCharacterResult, error) {
	if err := in.Validate(); err != nil {
		// Listed with the other failures (PvpOutcome = "failed"); a run that times out or is terminated
		// never reaches its end: ExecutionStatus = "TimedOut" / "Terminated" finds those.
		_ = workflow.UpsertTypedSearchAttributes(ctx, SearchOutcome.ValueSet(OutcomeFailed))
		return SyncCharacterResult{}, invalid(err)
	}
	sa := []temporal.SearchAttributeUpdate{SearchRegion.ValueSet(in.Region)}
	if in.Bracket != "" {
		sa = append(sa, SearchBracket.ValueSet(in.Bracket))
	}
	_ = workflow.UpsertTypedSearchAttributes(ctx, sa...)
	res := syncCharacter(ctx, in)
	_ = workflow.UpsertTypedSearchAttributes(ctx, SearchOutcome.ValueSet(res.Outcome))
	return res, nil
}

func syncCharacter(ctx workflow.Context, in SyncCharacterInput) SyncCharacterResult {
	lctx := localCtx(ctx)
	var prep activities.PrepareResult
	if err := workflow.ExecuteLocalActivity(lctx, a.PrepareCharacter, activities.PrepareInput{
		CharacterID: in.CharacterID, SnapshotAt: in.SnapshotAt, LeaderboardID: in.LeaderboardID,
	}).Get(ctx, &prep); err != nil {
		return failed(0, "prepare", err)
	}
	switch prep.Outcome {
	case triage.Fetch:
	case triage.Idle, triage.Reused:
		requestsSaved(ctx, savedReason(prep.Outcome), 2)
		return SyncCharacterResult{Outcome: prep.Outcome}
	case triage.Private, triage.Unavailable, triage.Deduplicated:
		return SyncCharacterResult{Outcome: prep.Outcome}
	default:
		return SyncCharacterResult{Outcome: OutcomeFailed, Reason: fmt.Sprintf("prepare: unknown decision %q", prep.Outcome)}
	}
	rt, err := resolveRoutes(ctx, in.Region, in.Routes)
	if err != nil {
		return failed(0, "route", err)
	}
	cred := rt.pick(in.CharacterID)
	who := prep.Name + "-" + prep.RealmSlug
	fetch := activities.FetchInput{
		CharacterID: in.CharacterID, Region: prep.Region, Locale: in.Locale, RealmSlug: prep.RealmSlug, Name: prep.Name, Credential: cred,
	}
	eqIn, spIn := fetch, fetch
	eqIn.IfModifiedSince = prep.EquipmentLastModified
	spIn.IfModifiedSince = prep.SpecializationsLastModified
	// The requests go out at once: each is its own activity so a failure retries only itself.
	queue := rt.queue(cred)
	eqF := fetchActivity(ctx, in.LocalFetch, queue, "equipment · "+who, a.FetchEquipment, eqIn)
	spF := fetchActivity(ctx, in.LocalFetch, queue, "specializations · "+who, a.FetchSpecializations, spIn)
	var prF workflow.Future
	if prep.RefreshProfile {
		prF = fetchActivity(ctx, in.LocalFetch, queue, "profile · "+who, a.FetchProfile, fetch)
	}
	var eq, sp, pr activities.FetchResult
	eqErr := eqF.Get(ctx, &eq)
	spErr := spF.Get(ctx, &sp)
	requests := eq.Requests + sp.Requests + attempts(eqErr) + attempts(spErr)
	if prF != nil {
		err := prF.Get(ctx, &pr)
		requests += pr.Requests + attempts(err)
		if err != nil {
			// A failed profile refresh is retried on the next run; it does not fail the gear sync.
			workflow.GetLogger(ctx).Warn("profile refresh failed", "character", who, "error", err)
		}
	}
	if eq.Status == activities.StatusNotFound || sp.Status == activities.StatusNotFound {
		if err := workflow.ExecuteLocalActivity(lctx, a.MarkUnreadable, activities.MarkInput{CharacterID: in.CharacterID}).Get(ctx, nil); err != nil {
			return failed(requests, "mark unavailable", err)
		}
		return SyncCharacterResult{Outcome: OutcomeUnavailable, Requests: requests}
	}
	if eqErr != nil {
		return failed(requests, "equipment", eqErr)
	}
	if spErr != nil {
		return failed(requests, "specializations", spErr)
	}
	outcome := OutcomeSynced
	if eq.Status == activities.StatusNotModified && sp.Status == activities.StatusNotModified {
		outcome = OutcomeNotModified
	}
	if err := workflow.ExecuteLocalActivity(lctx, a.CommitCharacter, activities.CommitInput{
		CharacterID: in.CharacterID, SnapshotAt: in.SnapshotAt, LeaderboardID: in.LeaderboardID, Outcome: outcome,
		Equipment: eq, Specializations: sp,
	}).Get(ctx, nil); err != nil {
		return failed(requests, "commit", err)
	}
	for _, r := range []activities.FetchResult{eq, sp} {
		if r.Status == activities.StatusNotModified {
			requestsSaved(ctx, SavedNotModified, 1)
		}
	}
	return SyncCharacterResult{Outcome: outcome, Requests: requests}
}

func savedReason(outcome string) string {
	if outcome == triage.Idle {
		return SavedIdle
	}
	return SavedReuse
}

// fetchActivity runs one Battle.net request: a regular activity on the credential's rate-limited queue
// (the default: the Temporal server holds the budget across every worker), or, with local_fetch, a
// local activity on the workflow worker — fewer task round trips, with the budget held by each worker
// process only (battlenet.WithProcessBudget). Either way each request retries on its own.
func fetchActivity(ctx workflow.Context, local bool, queue, summary string, fn, input any) workflow.Future {
	if local {
		return workflow.ExecuteLocalActivity(localFetchCtx(ctx), fn, input)
	}
	return workflow.ExecuteActivity(battlenetCtx(ctx, queue, summary), fn, input)
}

// attempts estimates the requests a failed activity spent: one per attempt made.
func attempts(err error) int {
	if err == nil {
		return 0
	}
	// The activity error does not carry the attempt count. The budget was spent when the server stopped
	// at the maximum, or when AsTemporal gave up on a transient Battle.net error at the last attempt
	// (that error is non-retryable, so the server reports it as such rather than as the maximum).
	var actErr *temporal.ActivityError
	if errors.As(err, &actErr) && actErr.RetryState() == enumspb.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED {
		// The policy's maximum is the database budget: every attempt made its request, then the write
		// after it failed.
		return retry.DatabaseAttempts
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.Type() == retry.ErrTypeTransient && appErr.NonRetryable() {
		return retry.BattlenetAttempts
	}
	return 1
}

// failed turns an error into a reported failure with its reason (the root cause's message).
func failed(requests int, step string, err error) SyncCharacterResult {
	return SyncCharacterResult{Outcome: OutcomeFailed, Requests: requests, Reason: step + ": " + rootMessage(err)}
}

// rootMessage is the innermost error's text: "equipment: battlenet: malformed JSON on /profile/..."
// reads better than Temporal's wrapping chain.
func rootMessage(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		if t := appErr.Type(); t != "" {
			return t + ": " + appErr.Message()
		}
		return appErr.Message()
	}
	var timeoutErr *temporal.TimeoutError
	if errors.As(err, &timeoutErr) {
		return "timeout: " + timeoutErr.Error()
	}
	for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(err) {
		err = u
	}
	return err.Error()
}
