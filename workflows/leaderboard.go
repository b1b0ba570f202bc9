package workflows

import (
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/pvpsync/pvpsync/activities"
	"github.com/pvpsync/pvpsync/retry"
)

// Fan-out defaults. The window stays far below Temporal's 2,000 pending children per workflow, and a page
// bounds the history of one run before continue-as-new.
const (
	DefaultWindow   = 100
	MaxWindow       = 1000
	DefaultPageSize = 500
	MaxPageSize     = 1000
)

// SyncLeaderboardInput is one board of one snapshot. An operator sets region and bracket (season 0 =
// current); SyncRegion also passes the board it already stored (LeaderboardID, Total). Cursor and
// Progress are carried across continue-as-new.
type SyncLeaderboardInput struct {
	Region        string             `json:"region"`
	Bracket       string             `json:"bracket"`
	Season        int64              `json:"season,omitempty"`
	Locale        string             `json:"locale,omitempty"`
	SnapshotAt    time.Time          `json:"snapshot_at,omitzero"`
	Window        int                `json:"window,omitempty"`
	PageSize      int                `json:"page_size,omitempty"`
	LeaderboardID int64              `json:"leaderboard_id,omitempty"`
	Cursor        *activities.Cursor `json:"cursor,omitempty"`
	Progress      Progress           `json:"progress,omitzero"`
	Runs          int                `json:"runs,omitempty"`
	LocalFetch    bool               `json:"local_fetch,omitempty"` // Battle.net requests as local activities (see fetchActivity)
	// Routes are the credentials to use (default: every credential the workers allow for the region).
	Routes *activities.RoutesResult `json:"routes,omitempty"`

	inputProblem string // an unknown JSON field, reported by validation
}

// SyncLeaderboardResult is the board's summary.
type SyncLeaderboardResult struct {
	Region        string    `json:"region"`
	Bracket       string    `json:"bracket"`
	Season        int64     `json:"season"`
	SnapshotAt    time.Time `json:"snapshot_at"`
	LeaderboardID int64     `json:"leaderboard_id"`
	Empty         bool      `json:"empty,omitempty"`
	Note          string    `json:"note,omitempty"`
	Progress      Progress  `json:"progress"`
	// OldestGearSeconds is how old the oldest gear among the board's readable characters was when the
	// board finished: the bound on how stale the mirror's answer for this board can be.
	OldestGearSeconds int64 `json:"oldest_gear_seconds,omitempty"`
	// Meta is the meta pages' refresh when the board was synced on its own (`starter sync --brackets
	// 3v3`); as a child of SyncRegion the region refreshes once, after all of its boards.
	Meta *activities.RefreshMetaResult `json:"meta,omitempty"`
}

// SyncLeaderboard stores a board (unless SyncRegion did) and syncs every character on it. Each run plans
// one roster page in a local activity — characters that need no request (private, cooling down, already
// done, idle, reusable) are decided and written for the whole page at once — then starts a SyncCharacter
// child only for the characters that need requests, at most Window at a time, and continues as new so
// its history stays small.
func SyncLeaderboard(ctx workflow.Context, in SyncLeaderboardInput) (SyncLeaderboardResult, error) {
	if err := in.Validate(); err != nil {
		return SyncLeaderboardResult{}, invalid(err)
	}
	in.normalize(ctx)
	sa := []temporal.SearchAttributeUpdate{SearchRegion.ValueSet(in.Region), SearchBracket.ValueSet(in.Bracket)}
	if in.Season > 0 {
		sa = append(sa, SearchSeason.ValueSet(in.Season))
	}
	_ = workflow.UpsertTypedSearchAttributes(ctx, sa...)
	res := SyncLeaderboardResult{Region: in.Region, Bracket: in.Bracket, Season: in.Season, SnapshotAt: in.SnapshotAt,
		LeaderboardID: in.LeaderboardID, Progress: in.Progress}
	if err := workflow.SetQueryHandler(ctx, ProgressQuery, func() (Progress, error) { return res.Progress, nil }); err != nil {
		return res, err
	}
	rt, err := resolveRoutes(ctx, in.Region, in.Routes)
	if err != nil {
		return res, err
	}
	in.Routes = rt.given()

	if in.LeaderboardID == 0 {
		if done, err := storeBoard(ctx, &in, &res, rt); done || err != nil {
			return res, err
		}
	}

	var plan activities.PlanResult
	if err := workflow.ExecuteLocalActivity(localCtx(ctx), a.PlanPage, activities.PlanInput{
		LeaderboardID: in.LeaderboardID, SnapshotAt: in.SnapshotAt, After: in.cursor(), Limit: in.PageSize,
	}).Get(ctx, &plan); err != nil {
		return res, fmt.Errorf("plan roster page after rank %d: %w", in.cursor().Rank, err)
	}
	recordPlan(ctx, in.Bracket, plan, &res.Progress)
	workflow.SetCurrentDetails(ctx, detailsMarkdown(in, res.Progress, "running"))
	fanOut(ctx, in, plan.Fetch, &res.Progress)

	if plan.Rows < in.PageSize {
		var fresh activities.FreshnessResult
		if err := workflow.ExecuteLocalActivity(localCtx(ctx), a.BoardFreshness,
			activities.FreshnessInput{LeaderboardID: in.LeaderboardID, SnapshotAt: in.SnapshotAt}).Get(ctx, &fresh); err == nil {
			res.OldestGearSeconds = fresh.OldestGearSeconds
			oldestGear(ctx, in.Region, in.Bracket, fresh.OldestGearSeconds)
		}
		if workflow.GetInfo(ctx).ParentWorkflowExecution == nil &&
			workflow.GetVersion(ctx, changeRefreshMetaBoard, workflow.DefaultVersion, 1) >= 1 {
			res.Meta = runRefreshMeta(ctx, in.Region)
		}
		workflow.SetCurrentDetails(ctx, detailsMarkdown(in, res.Progress, "completed"))
		return res, nil
	}
	next := in
	next.Cursor = &plan.Last
	next.Progress = res.Progress
	next.Runs++
	workflow.SetCurrentDetails(ctx, detailsMarkdown(in, res.Progress, "continuing"))
	return res, workflow.NewContinueAsNewError(ctx, SyncLeaderboard, next)
}

// storeBoard fetches and stores the board when the workflow was started on its own (SyncRegion stores
// boards itself). done is true when the board came back empty: nothing more to do.
func storeBoard(ctx workflow.Context, in *SyncLeaderboardInput, res *SyncLeaderboardResult, rt routes) (done bool, err error) {
	cred := rt.pick(0)
	if in.Season == 0 {
		var d activities.DiscoverSeasonResult
		if err := workflow.ExecuteActivity(battlenetCtx(ctx, rt.queue(cred), "current season · "+in.Region), a.DiscoverSeason,
			activities.DiscoverSeasonInput{Region: in.Region, Locale: in.Locale, Credential: cred}).Get(ctx, &d); err != nil {
			return false, fmt.Errorf("discover the current season: %w", err)
		}
		in.Season, res.Season = d.Season, d.Season
	}
	_ = workflow.UpsertTypedSearchAttributes(ctx, SearchSeason.ValueSet(in.Season))
	var board activities.SaveBoardResult
	if err := workflow.ExecuteActivity(boardCtx(ctx, rt.queue(cred), fmt.Sprintf("board %s · %s", in.Bracket, in.Region)), a.SaveBoard,
		activities.SaveBoardInput{Region: in.Region, Locale: in.Locale, Season: in.Season, Bracket: in.Bracket,
			SnapshotAt: in.SnapshotAt, Credential: cred},
	).Get(ctx, &board); err != nil {
		return false, fmt.Errorf("fetch and store board %s/%s: %w", in.Region, in.Bracket, err)
	}
	res.LeaderboardID, in.LeaderboardID = board.LeaderboardID, board.LeaderboardID
	res.Progress.Requests += board.Requests
	if board.Empty {
		res.Empty = true
		res.Note = emptyBoardNote(board.PreviousSnapshot)
		workflow.SetCurrentDetails(ctx, res.Note)
		return true, nil
	}
	res.Progress.Total = board.Entries
	in.Progress = res.Progress
	return false, nil
}

// recordPlan counts the characters the planner settled without a workflow.
func recordPlan(ctx workflow.Context, bracket string, p activities.PlanResult, progress *Progress) {
	for _, c := range []struct {
		outcome string
		n       int
	}{
		{OutcomeIdle, p.Idle}, {OutcomeReused, p.Reused}, {OutcomePrivate, p.Private},
		{OutcomeUnavailable, p.Unavailable}, {OutcomeDeduplicated, p.Deduplicated},
	} {
		if c.n == 0 {
			continue
		}
		progress.RecordN(c.outcome, c.n)
		countCharacters(ctx, c.outcome, bracket, c.n)
	}
	// An idle or reused character spares both gear requests.
	requestsSaved(ctx, SavedIdle, int64(2*p.Idle))
	requestsSaved(ctx, SavedReuse, int64(2*p.Reused))
}

// fanOut runs one SyncCharacter child per character that needs requests, at most Window at a time, and
// records each outcome.
func fanOut(ctx workflow.Context, in SyncLeaderboardInput, chars []activities.FetchCharacter, p *Progress) {
	runBounded(ctx, len(chars), in.Window, func(i int) workflow.Future {
		c := chars[i]
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID:            CharacterWorkflowID(in.Region, c.BlizzardID),
			TaskQueue:             TaskQueueWorkflows,
			WorkflowRunTimeout:    30 * time.Minute,
			RetryPolicy:           retry.Child(),
			ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_TERMINATE,
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
			StaticSummary:         fmt.Sprintf("%s-%s · %s · rank %d", c.Name, c.RealmSlug, in.Bracket, c.Rank),
			TypedSearchAttributes: temporal.NewSearchAttributes(
				SearchRegion.ValueSet(in.Region), SearchBracket.ValueSet(in.Bracket), SearchSeason.ValueSet(in.Season)),
		})
		return workflow.ExecuteChildWorkflow(cctx, SyncCharacter, SyncCharacterInput{
			Region: in.Region, CharacterID: c.CharacterID, BlizzardID: c.BlizzardID, SnapshotAt: in.SnapshotAt,
			Locale: in.Locale, Bracket: in.Bracket, LeaderboardID: in.LeaderboardID, LocalFetch: in.LocalFetch, Routes: in.Routes,
		})
	}, func(i int, f workflow.Future) {
		c := chars[i]
		var r SyncCharacterResult
		err := f.Get(ctx, &r)
		outcome := OutcomeFailed
		switch {
		case err == nil:
			outcome = r.Outcome
			var fail *Failure
			if r.Outcome == OutcomeFailed {
				fail = &Failure{CharacterID: c.CharacterID, BlizzardID: c.BlizzardID, Bracket: in.Bracket, Reason: r.Reason}
			}
			p.Record(r.Outcome, r.Requests, fail)
		case temporal.IsWorkflowExecutionAlreadyStartedError(err):
			// Another board's workflow is syncing this character right now: it writes this snapshot's
			// entries of the character, ours included.
			outcome = OutcomeDeduplicated
			p.Record(OutcomeDeduplicated, 0, nil)
		default:
			p.Record(OutcomeFailed, 0, &Failure{CharacterID: c.CharacterID, BlizzardID: c.BlizzardID, Bracket: in.Bracket, Reason: rootMessage(err)})
		}
		countCharacters(ctx, outcome, in.Bracket, 1)
		workflow.SetCurrentDetails(ctx, detailsMarkdown(in, *p, "running"))
	})
}

// normalize applies defaults (after Validate).
func (in *SyncLeaderboardInput) normalize(ctx workflow.Context) {
	if in.Window == 0 {
		in.Window = DefaultWindow
	}
	if in.PageSize == 0 {
		in.PageSize = DefaultPageSize
	}
	if in.SnapshotAt.IsZero() {
		in.SnapshotAt = snapshotNow(ctx)
	}
}

func (in SyncLeaderboardInput) cursor() activities.Cursor {
	if in.Cursor == nil {
		return activities.Cursor{}
	}
	return *in.Cursor
}

func emptyBoardNote(prev *time.Time) string {
	if prev == nil {
		return "Battle.net answered an empty board: nothing stored (no earlier snapshot)"
	}
	return "Battle.net answered an empty board: nothing stored; the snapshot of " + snapshotKey(*prev) + " stays the latest"
}

func detailsMarkdown(in SyncLeaderboardInput, p Progress, state string) string {
	return fmt.Sprintf("**%s · %s · season %d** — %s\n\n%s", in.Bracket, in.Region, in.Season, state, p.String())
}
