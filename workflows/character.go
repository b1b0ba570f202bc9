package workflows

import (
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/pvpsync/pvpsync/activities"
)

// a is only used for method references; the worker registers the real *Activities.
var a *activities.Activities

// SyncCharacterInput identifies one character of one snapshot. SpecID is the board's spec (shuffle/blitz)
// or 0; it is informational here, since processing reads each entry's own spec.
type SyncCharacterInput struct {
	Region      string    `json:"region"`
	CharacterID int64     `json:"character_id"`
	BlizzardID  int64     `json:"blizzard_id,omitempty"`
	SpecID      int       `json:"spec_id,omitempty"`
	SnapshotAt  time.Time `json:"snapshot_at"`
	Locale      string    `json:"locale,omitempty"`
	Bracket     string    `json:"bracket,omitempty"`
	LocalFetch  bool      `json:"local_fetch,omitempty"`
}

// SyncCharacterResult says what happened and what it cost.
type SyncCharacterResult struct {
	Outcome  string `json:"outcome"`
	Requests int    `json:"requests"`
	Reason   string `json:"reason,omitempty"`
}

// SyncCharacter syncs one character's gear and talents for one snapshot.
func SyncCharacter(ctx workflow.Context, in SyncCharacterInput) (SyncCharacterResult, error) {
	if in.CharacterID <= 0 || in.SnapshotAt.IsZero() || in.Region == "" {
		return SyncCharacterResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("invalid input: character_id, region and snapshot_at are required (got %d, %q, %s)", in.CharacterID, in.Region, in.SnapshotAt),
			activities.ErrTypeInvalidInput, nil)
	}
	lctx := localCtx(ctx)
	var prep activities.PrepareResult
	if err := workflow.ExecuteLocalActivity(lctx, a.PrepareCharacter, activities.PrepareInput{
		CharacterID: in.CharacterID, SnapshotAt: in.SnapshotAt,
	}).Get(ctx, &prep); err != nil {
		return failed(0, "prepare", err), nil
	}
	switch prep.Skip {
	case activities.SkipPrivate:
		return SyncCharacterResult{Outcome: OutcomePrivate}, nil
	case activities.SkipCooldown:
		return SyncCharacterResult{Outcome: OutcomeUnavailable}, nil
	case activities.SkipDone:
		return SyncCharacterResult{Outcome: OutcomeDeduplicated}, nil
	}
	who := prep.Name + "-" + prep.RealmSlug

	if prep.ReuseEntryID > 0 {
		_, err := process(ctx, activities.ProcessInput{
			CharacterID: in.CharacterID, SnapshotAt: in.SnapshotAt,
			Equipment:       activities.SideSource{Source: activities.SourceReuse, ReuseEntryID: prep.ReuseEntryID},
			Specializations: activities.SideSource{Source: activities.SourceLatest},
		})
		if err != nil {
			return failed(0, "reuse", err), nil
		}
		requestsSaved(ctx, SavedReuse, 2) // equipment and specializations
		return SyncCharacterResult{Outcome: OutcomeReused}, nil
	}

	fetch := activities.FetchInput{
		CharacterID: in.CharacterID, Region: prep.Region, Locale: in.Locale,
		RealmSlug: prep.RealmSlug, Name: prep.Name, SnapshotAt: in.SnapshotAt,
	}
	eqIn, spIn := fetch, fetch
	eqIn.IfModifiedSince = prep.EquipmentLastModified
	spIn.IfModifiedSince = prep.SpecializationsLastModified
	// The requests go out at once: each is its own activity so a failure retries only itself.
	eqF := fetchActivity(ctx, in.LocalFetch, "equipment · "+who, a.FetchEquipment, eqIn)
	spF := fetchActivity(ctx, in.LocalFetch, "specializations · "+who, a.FetchSpecializations, spIn)
	var prF workflow.Future
	if prep.RefreshProfile {
		prF = fetchActivity(ctx, in.LocalFetch, "profile · "+who, a.FetchProfile, fetch)
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
			return failed(requests, "mark unavailable", err), nil
		}
		return SyncCharacterResult{Outcome: OutcomeUnavailable, Requests: requests}, nil
	}
	if eqErr != nil {
		return failed(requests, "equipment", eqErr), nil
	}
	if spErr != nil {
		return failed(requests, "specializations", spErr), nil
	}

	if _, err := process(ctx, activities.ProcessInput{
		CharacterID: in.CharacterID, SnapshotAt: in.SnapshotAt,
		Equipment:       sideFrom(eq),
		Specializations: sideFrom(sp),
	}); err != nil {
		return failed(requests, "process", err), nil
	}
	for _, r := range []activities.FetchResult{eq, sp} {
		if r.Status == activities.StatusNotModified {
			requestsSaved(ctx, SavedNotModified, 1)
		}
	}
	outcome := OutcomeSynced
	if eq.Status == activities.StatusNotModified && sp.Status == activities.StatusNotModified {
		outcome = OutcomeNotModified
	}

	return SyncCharacterResult{Outcome: outcome, Requests: requests}, nil
}

// fetchActivity runs one Battle.net request: a regular activity on the pvp-sync queue (the default: the
// queue-wide TaskQueueActivitiesPerSecond holds the budget across every worker), or, with local_fetch, a
// local activity on the workflow worker — ~60 % more characters per second on the dev server, with
// the budget held by each worker's own client limiter only. Either way each request retries on its own.
func fetchActivity(ctx workflow.Context, local bool, summary string, fn, input any) workflow.Future {
	if local {
		return workflow.ExecuteLocalActivity(localFetchCtx(ctx), fn, input)
	}
	return workflow.ExecuteActivity(battlenetCtx(ctx, summary), fn, input)
}

func process(ctx workflow.Context, in activities.ProcessInput) (activities.ProcessResult, error) {
	var res activities.ProcessResult
	err := workflow.ExecuteLocalActivity(processingCtx(ctx), a.ProcessCharacter, in).Get(ctx, &res)
	return res, err
}

func sideFrom(r activities.FetchResult) activities.SideSource {
	if r.Status == activities.StatusNotModified {
		return activities.SideSource{Source: activities.SourceLatest}
	}
	return activities.SideSource{Source: activities.SourceFetched, LastModified: r.LastModified}
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
		return BattlenetAttempts
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.Type() == activities.ErrTypeTransient && appErr.NonRetryable() {
		return BattlenetAttempts
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
