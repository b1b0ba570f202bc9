package workflows

import (
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/pvpsync/pvpsync/activities"
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
}

// SyncLeaderboard stores a board (unless SyncRegion did) and syncs every character on it: pages of the
// roster are read from PostgreSQL, at most Window character workflows run at once, and the workflow
// continues as new after each page so its history stays small.
func SyncLeaderboard(ctx workflow.Context, in SyncLeaderboardInput) (SyncLeaderboardResult, error) {
	if err := validateLeaderboardInput(ctx, &in); err != nil {
		return SyncLeaderboardResult{}, err
	}
	res := SyncLeaderboardResult{Region: in.Region, Bracket: in.Bracket, Season: in.Season, SnapshotAt: in.SnapshotAt,
		LeaderboardID: in.LeaderboardID, Progress: in.Progress}
	if err := workflow.SetQueryHandler(ctx, ProgressQuery, func() (Progress, error) { return res.Progress, nil }); err != nil {
		return res, err
	}

	if in.LeaderboardID == 0 {
		if in.Season == 0 {
			var d activities.DiscoverSeasonResult
			if err := workflow.ExecuteActivity(battlenetCtx(ctx, "current season · "+in.Region), a.DiscoverSeason,
				activities.DiscoverSeasonInput{Region: in.Region, Locale: in.Locale}).Get(ctx, &d); err != nil {
				return res, fmt.Errorf("discover the current season: %w", err)
			}
			in.Season, res.Season = d.Season, d.Season
		}
		_ = workflow.UpsertTypedSearchAttributes(ctx, SearchSeason.ValueSet(in.Season))
		var board activities.SaveBoardResult
		if err := workflow.ExecuteActivity(boardCtx(ctx, fmt.Sprintf("board %s · %s", in.Bracket, in.Region)), a.SaveBoard,
			activities.SaveBoardInput{Region: in.Region, Locale: in.Locale, Season: in.Season, Bracket: in.Bracket, SnapshotAt: in.SnapshotAt},
		).Get(ctx, &board); err != nil {
			return res, fmt.Errorf("fetch and store board %s/%s: %w", in.Region, in.Bracket, err)
		}
		res.LeaderboardID, in.LeaderboardID = board.LeaderboardID, board.LeaderboardID
		res.Progress.Requests += board.Requests
		if board.Empty {
			res.Empty = true
			res.Note = emptyBoardNote(board.PreviousSnapshot)
			workflow.SetCurrentDetails(ctx, res.Note)
			return res, nil
		}
		res.Progress.Total = board.Entries
		in.Progress = res.Progress
	}

	cursor := activities.Cursor{}
	if in.Cursor != nil {
		cursor = *in.Cursor
	}
	var page activities.RosterResult
	if err := workflow.ExecuteLocalActivity(localCtx(ctx), a.LoadRoster, activities.RosterInput{
		LeaderboardID: in.LeaderboardID, SnapshotAt: in.SnapshotAt, After: cursor, Limit: in.PageSize,
	}).Get(ctx, &page); err != nil {
		return res, fmt.Errorf("load roster page after rank %d: %w", cursor.Rank, err)
	}

	fanOut(ctx, in, page.Characters, &res.Progress)

	if len(page.Characters) < in.PageSize {
		workflow.SetCurrentDetails(ctx, detailsMarkdown(in, res.Progress, "completed"))
		return res, nil
	}
	last := page.Characters[len(page.Characters)-1]
	next := in
	next.Cursor = &activities.Cursor{Rank: last.Rank, CharacterID: last.CharacterID}
	next.Progress = res.Progress
	next.Runs++
	return res, workflow.NewContinueAsNewError(ctx, SyncLeaderboardName, next)
}

// fanOut runs one SyncCharacter child per character, at most in.Window at once, and waits for all.
func fanOut(ctx workflow.Context, in SyncLeaderboardInput, chars []activities.RosterCharacter, p *Progress) {
	sel := workflow.NewSelector(ctx)
	inFlight := 0
	record := func(c activities.RosterCharacter, f workflow.Future) {
		inFlight--
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
		// The workflow metrics handler does not emit during replay, so each character counts once.
		workflow.GetMetricsHandler(ctx).WithTags(map[string]string{"outcome": outcome, "bracket": in.Bracket}).
			Counter(MetricCharacters).Inc(1)
		workflow.SetCurrentDetails(ctx, detailsMarkdown(in, *p, "running"))
	}
	for _, c := range chars {
		for inFlight >= in.Window {
			sel.Select(ctx)
		}
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID:            CharacterWorkflowID(in.Region, c.BlizzardID),
			TaskQueue:             TaskQueueWorkflows,
			WorkflowRunTimeout:    30 * time.Minute,
			RetryPolicy:           ChildRetryPolicy,
			ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_TERMINATE,
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
			StaticSummary:         fmt.Sprintf("character %d · %s · rank %d", c.BlizzardID, in.Bracket, c.Rank),
			TypedSearchAttributes: temporal.NewSearchAttributes(
				SearchRegion.ValueSet(in.Region), SearchBracket.ValueSet(in.Bracket), SearchSeason.ValueSet(in.Season)),
		})
		f := workflow.ExecuteChildWorkflow(cctx, SyncCharacterName, SyncCharacterInput{
			Region: in.Region, CharacterID: c.CharacterID, BlizzardID: c.BlizzardID, SpecID: c.SpecID,
			SnapshotAt: in.SnapshotAt, Locale: in.Locale, Bracket: in.Bracket, LocalFetch: in.LocalFetch,
		})
		inFlight++
		sel.AddFuture(f, func(f workflow.Future) { record(c, f) })
	}
	for inFlight > 0 {
		sel.Select(ctx)
	}
}

func validateLeaderboardInput(ctx workflow.Context, in *SyncLeaderboardInput) error {
	if in.inputProblem != "" {
		return invalidInput("%s", in.inputProblem)
	}
	if err := validateRegionLocale(in.Region, in.Locale); err != nil {
		return err
	}
	if err := validateBracket(in.Bracket); err != nil {
		return err
	}
	if in.Season < 0 {
		return invalidInput("season must be 0 (current) or a season id, got %d", in.Season)
	}
	if in.Window < 0 || in.Window > MaxWindow {
		return invalidInput("window must be between 1 and %d, got %d", MaxWindow, in.Window)
	}
	if in.PageSize < 0 || in.PageSize > MaxPageSize {
		return invalidInput("page_size must be between 1 and %d, got %d", MaxPageSize, in.PageSize)
	}
	if in.Window == 0 {
		in.Window = DefaultWindow
	}
	if in.PageSize == 0 {
		in.PageSize = DefaultPageSize
	}
	if in.SnapshotAt.IsZero() {
		in.SnapshotAt = snapshotNow(ctx)
	}
	return nil
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
