package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/pvpsync/pvpsync/activities"
	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/retry"
)

// DefaultBoardConcurrency is how many boards are fetched, and how many board fan-outs run, at once.
const (
	DefaultBoardConcurrency = 2
	MaxBoardConcurrency     = 16
)

// SyncRegionInput starts a region sync. Season 0 = current; Brackets empty = every board of the season's
// index except shuffle-overall and blitz-overall, which repeat the per-spec boards.
type SyncRegionInput struct {
	Region           string   `json:"region"`
	Season           int64    `json:"season,omitempty"`
	Brackets         []string `json:"brackets,omitempty"`
	Locale           string   `json:"locale,omitempty"`
	BoardConcurrency int      `json:"board_concurrency,omitempty"`
	Window           int      `json:"window,omitempty"`
	PageSize         int      `json:"page_size,omitempty"`
	LocalFetch       bool     `json:"local_fetch,omitempty"` // Battle.net requests as local activities (see fetchActivity)
	// Routes are the credentials to use (default: every credential the workers allow for the region).
	Routes *activities.RoutesResult `json:"routes,omitempty"`

	inputProblem string // an unknown JSON field, reported by validation
}

// Bracket states in a region summary.
const (
	BracketPending   = "pending"
	BracketFetched   = "fetched"
	BracketRunning   = "running"
	BracketCompleted = "completed"
	BracketEmpty     = "empty"
	BracketFailed    = "failed"
)

// BracketSummary is one board's line in the region result and progress.
type BracketSummary struct {
	Bracket       string   `json:"bracket"`
	Status        string   `json:"status"`
	WorkflowID    string   `json:"workflow_id,omitempty"`
	LeaderboardID int64    `json:"leaderboard_id,omitempty"`
	Entries       int      `json:"entries,omitempty"`
	Note          string   `json:"note,omitempty"`
	Error         string   `json:"error,omitempty"`
	Progress      Progress `json:"progress,omitzero"`
}

// SyncRegionResult is the per-bracket summary of a region sync plus totals.
type SyncRegionResult struct {
	Region     string           `json:"region"`
	Season     int64            `json:"season"`
	SeasonName string           `json:"season_name,omitempty"`
	SnapshotAt time.Time        `json:"snapshot_at"`
	Brackets   []BracketSummary `json:"brackets"`
	Totals     Progress         `json:"totals"`
	Failed     int              `json:"failed_brackets"`
	// DiscoveryRequests are the season index, season and leaderboard index requests; Totals.Requests
	// includes them.
	DiscoveryRequests int `json:"discovery_requests,omitempty"`
	// Planned is what the triage rules said the run would cost once its boards were stored (the same
	// rules `starter plan` applies); Totals.Requests is what it spent.
	Planned *activities.ForecastResult `json:"planned,omitempty"`
	// Meta is the refresh of the meta pages' view once the boards completed (nil when none did, or
	// when the refresh failed: the previous snapshot stays readable and the next run refreshes it).
	Meta *activities.RefreshMetaResult `json:"meta,omitempty"`
}

// SyncRegion discovers the season and its boards, stores every board of one snapshot, then syncs the
// characters board by board. A failing board is reported and does not stop the others.
func SyncRegion(ctx workflow.Context, in SyncRegionInput) (SyncRegionResult, error) {
	if err := in.Validate(); err != nil {
		return SyncRegionResult{}, invalid(err)
	}
	in.normalize()
	// Set here, not only by the starter: a run started from the Temporal CLI is filterable too.
	_ = workflow.UpsertTypedSearchAttributes(ctx, SearchRegion.ValueSet(in.Region))
	res := SyncRegionResult{Region: in.Region, SnapshotAt: snapshotNow(ctx)}
	if err := workflow.SetQueryHandler(ctx, ProgressQuery, func() (SyncRegionResult, error) {
		out := res
		out.Totals = regionTotals(res)
		return out, nil
	}); err != nil {
		return res, err
	}
	rt, err := resolveRoutes(ctx, in.Region, in.Routes)
	if err != nil {
		return res, err
	}

	var d activities.DiscoverSeasonResult
	cred := rt.pick(0)
	if err := workflow.ExecuteActivity(battlenetCtx(ctx, rt.queue(cred), "season and boards · "+in.Region), a.DiscoverSeason,
		activities.DiscoverSeasonInput{Region: in.Region, Locale: in.Locale, Season: in.Season, Credential: cred}).Get(ctx, &d); err != nil {
		return res, fmt.Errorf("discover season of region %s: %w", in.Region, err)
	}
	res.Season, res.SeasonName, res.DiscoveryRequests = d.Season, d.SeasonName, d.Requests
	_ = workflow.UpsertTypedSearchAttributes(ctx, SearchSeason.ValueSet(d.Season))
	res.Brackets = chooseBrackets(in.Brackets, d)
	workflow.SetCurrentDetails(ctx, regionDetails(res))

	// Phase 1: store every board under the same snapshot before any character runs, so a character on
	// several boards is synced once and its processing reaches all of its entries.
	runBounded(ctx, len(res.Brackets), in.BoardConcurrency, func(i int) workflow.Future {
		b := &res.Brackets[i]
		if b.Status != BracketPending {
			return nil
		}
		cred := rt.pick(int64(i))
		return workflow.ExecuteActivity(boardCtx(ctx, rt.queue(cred), fmt.Sprintf("board %s · %s", b.Bracket, in.Region)), a.SaveBoard,
			activities.SaveBoardInput{Region: in.Region, Locale: in.Locale, Season: d.Season, Bracket: b.Bracket,
				SnapshotAt: res.SnapshotAt, Credential: cred})
	}, func(i int, f workflow.Future) {
		b := &res.Brackets[i]
		var board activities.SaveBoardResult
		if err := f.Get(ctx, &board); err != nil {
			b.Status, b.Error = BracketFailed, rootMessage(err)
			return
		}
		b.Progress.Requests += board.Requests
		if board.Empty {
			b.Status, b.Note = BracketEmpty, emptyBoardNote(board.PreviousSnapshot)
			return
		}
		b.Status, b.Entries = BracketFetched, board.Entries
		b.Progress.Total = board.Entries
		b.WorkflowID = LeaderboardWorkflowID(in.Region, b.Bracket, res.SnapshotAt)
		b.LeaderboardID = board.LeaderboardID
	})
	workflow.SetCurrentDetails(ctx, regionDetails(res))
	// Runs started before the forecast existed have no Forecast activity in their history.
	if workflow.GetVersion(ctx, changeForecast, workflow.DefaultVersion, 1) >= 1 {
		res.Planned = forecastRun(ctx, res)
	}

	// Phase 2: one SyncLeaderboard child per stored board, a few at a time.
	runBounded(ctx, len(res.Brackets), in.BoardConcurrency, func(i int) workflow.Future {
		b := &res.Brackets[i]
		if b.Status != BracketFetched {
			return nil
		}
		b.Status = BracketRunning
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID:            b.WorkflowID,
			TaskQueue:             TaskQueueWorkflows,
			RetryPolicy:           retry.Child(),
			ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_TERMINATE,
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
			StaticSummary:         fmt.Sprintf("%s · %s · %s characters", b.Bracket, in.Region, thousands(b.Entries)),
			TypedSearchAttributes: temporal.NewSearchAttributes(
				SearchRegion.ValueSet(in.Region), SearchBracket.ValueSet(b.Bracket), SearchSeason.ValueSet(d.Season)),
		})
		workflow.SetCurrentDetails(ctx, regionDetails(res))
		return workflow.ExecuteChildWorkflow(cctx, SyncLeaderboard, SyncLeaderboardInput{
			Region: in.Region, Bracket: b.Bracket, Season: d.Season, Locale: in.Locale, SnapshotAt: res.SnapshotAt,
			Window: in.Window, PageSize: in.PageSize, LeaderboardID: b.LeaderboardID, LocalFetch: in.LocalFetch,
			Progress: b.Progress, Routes: rt.given(),
		})
	}, func(i int, f workflow.Future) {
		b := &res.Brackets[i]
		var r SyncLeaderboardResult
		if err := f.Get(ctx, &r); err != nil {
			b.Status, b.Error = BracketFailed, rootMessage(err)
			return
		}
		b.Status, b.Progress = BracketCompleted, r.Progress
		workflow.SetCurrentDetails(ctx, regionDetails(res))
	})

	res.Totals = regionTotals(res)
	for _, b := range res.Brackets {
		if b.Status == BracketFailed {
			res.Failed++
		}
	}
	workflow.SetCurrentDetails(ctx, regionDetails(res))
	if workflow.GetVersion(ctx, changeRefreshMeta, workflow.DefaultVersion, 1) >= 1 {
		res.Meta = refreshMeta(ctx, res)
	}
	if res.Failed > 0 && res.Failed == len(res.Brackets) {
		return res, temporal.NewApplicationError(fmt.Sprintf("every board of region %s failed; first: %s: %s",
			in.Region, res.Brackets[0].Bracket, res.Brackets[0].Error), "AllBracketsFailed", res)
	}
	return res, nil
}

// forecastRun asks what the stored boards will cost. A forecast is information: when it fails, the sync
// goes on without one.
func forecastRun(ctx workflow.Context, res SyncRegionResult) *activities.ForecastResult {
	in := activities.ForecastInput{Region: res.Region, SnapshotAt: res.SnapshotAt}
	for _, b := range res.Brackets {
		if b.Status == BracketFetched {
			in.Boards = append(in.Boards, activities.BoardRef{Bracket: b.Bracket, LeaderboardID: b.LeaderboardID})
		}
	}
	if len(in.Boards) == 0 {
		return nil
	}
	var f activities.ForecastResult
	if err := workflow.ExecuteActivity(forecastCtx(ctx), a.Forecast, in).Get(ctx, &f); err != nil {
		workflow.GetLogger(ctx).Warn("forecast failed; the sync goes on", "error", err)
		return nil
	}
	return &f
}

// refreshMeta makes the boards this run completed readable by meta pages.
func refreshMeta(ctx workflow.Context, res SyncRegionResult) *activities.RefreshMetaResult {
	completed := false
	for _, b := range res.Brackets {
		completed = completed || b.Status == BracketCompleted
	}
	if !completed {
		return nil
	}
	return runRefreshMeta(ctx, res.Region)
}

// runRefreshMeta refreshes the meta pages' view (every region; region scopes the counts). Like the
// forecast it is not the sync's data: when it fails the run still succeeds, readers keep the previous
// snapshot, and the next refresh catches up.
func runRefreshMeta(ctx workflow.Context, region string) *activities.RefreshMetaResult {
	var m activities.RefreshMetaResult
	if err := workflow.ExecuteActivity(refreshMetaCtx(ctx), a.RefreshMeta, activities.RefreshMetaInput{Region: region}).Get(ctx, &m); err != nil {
		workflow.GetLogger(ctx).Warn("meta refresh failed; the sync's data is stored", "error", err)
		return nil
	}
	return &m
}

// chooseBrackets picks the boards to sync, in index order; requested boards missing from the index are
// reported as failed (a bracket absent this season) rather than silently dropped.
func chooseBrackets(requested []string, d activities.DiscoverSeasonResult) []BracketSummary {
	var out []BracketSummary
	if len(requested) == 0 {
		for _, b := range d.Brackets {
			if !slices.Contains(battlenet.OverallBrackets, b) {
				out = append(out, BracketSummary{Bracket: b, Status: BracketPending})
			}
		}
		return out
	}
	for _, b := range requested {
		if slices.Contains(d.Brackets, b) {
			out = append(out, BracketSummary{Bracket: b, Status: BracketPending})
		} else {
			out = append(out, BracketSummary{Bracket: b, Status: BracketFailed,
				Error: fmt.Sprintf("bracket %s is not in season %d's leaderboard index", b, d.Season)})
		}
	}
	return out
}

func regionTotals(r SyncRegionResult) Progress {
	t := Progress{Requests: r.DiscoveryRequests}
	for _, b := range r.Brackets {
		t.Add(b.Progress)
	}
	return t
}

func regionDetails(r SyncRegionResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s · season %d** · snapshot %s\n\n", r.Region, r.Season, snapshotKey(r.SnapshotAt))
	for _, s := range r.Brackets {
		fmt.Fprintf(&b, "- %s: %s", s.Bracket, s.Status)
		if s.Progress.Total > 0 {
			fmt.Fprintf(&b, " (%s/%s)", thousands(s.Progress.Done), thousands(s.Progress.Total))
		}
		if s.Error != "" {
			fmt.Fprintf(&b, " — %s", s.Error)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// normalize drops repeated brackets and applies defaults (after Validate).
func (in *SyncRegionInput) normalize() {
	var brackets []string
	for _, b := range in.Brackets {
		if !slices.Contains(brackets, b) {
			brackets = append(brackets, b)
		}
	}
	in.Brackets = brackets
	if in.BoardConcurrency == 0 {
		in.BoardConcurrency = DefaultBoardConcurrency
	}
}
