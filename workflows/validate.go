package workflows

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/pvpsync/pvpsync/activities"
	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/retry"
)

// Each workflow input validates itself once: the starter calls Validate before starting anything (a
// usage error, exit code 2), and the workflow calls it at its first step (a non-retryable InvalidInput
// failure for input typed by hand in `temporal workflow start`). Region, bracket and locale rules come
// from package battlenet; nothing else re-checks them.

// Validate reports the first problem with a region sync's input.
func (in SyncRegionInput) Validate() error {
	if in.inputProblem != "" {
		return errors.New(in.inputProblem)
	}
	if err := validateScope(in.Region, in.Locale, in.Season, in.Window, in.PageSize, in.Routes); err != nil {
		return err
	}
	for _, b := range in.Brackets {
		if err := battlenet.ValidateBracket(b); err != nil {
			return err
		}
	}
	if in.BoardConcurrency < 0 || in.BoardConcurrency > MaxBoardConcurrency {
		return fmt.Errorf("board_concurrency must be between 1 and %d, got %d", MaxBoardConcurrency, in.BoardConcurrency)
	}
	return nil
}

// Validate reports the first problem with a board sync's input.
func (in SyncLeaderboardInput) Validate() error {
	if in.inputProblem != "" {
		return errors.New(in.inputProblem)
	}
	if err := validateScope(in.Region, in.Locale, in.Season, in.Window, in.PageSize, in.Routes); err != nil {
		return err
	}
	return battlenet.ValidateBracket(in.Bracket)
}

// Validate reports the first problem with a character sync's input.
func (in SyncCharacterInput) Validate() error {
	if in.inputProblem != "" {
		return errors.New(in.inputProblem)
	}
	if in.CharacterID <= 0 || in.SnapshotAt.IsZero() {
		return fmt.Errorf("character_id and snapshot_at are required (got %d, %s)", in.CharacterID, in.SnapshotAt.Format(time.RFC3339))
	}
	if err := battlenet.ValidateLocale(in.Region, in.Locale); err != nil {
		return err
	}
	return validateRoutes(in.Routes)
}

// Validate reports the first problem with a retention run's input.
func (in PurgeSnapshotsInput) Validate() error {
	if in.inputProblem != "" {
		return errors.New(in.inputProblem)
	}
	if in.RetentionDays < 0 || in.BatchSize < 0 {
		return errors.New("retention_days and batch_size must not be negative")
	}
	return nil
}

func validateScope(region, locale string, season int64, window, pageSize int, routes *activities.RoutesResult) error {
	if err := battlenet.ValidateLocale(region, locale); err != nil {
		return err
	}
	if season < 0 {
		return fmt.Errorf("season must be 0 (current) or a season id, got %d", season)
	}
	if window < 0 || window > MaxWindow {
		return fmt.Errorf("window must be between 1 and %d, got %d", MaxWindow, window)
	}
	if pageSize < 0 || pageSize > MaxPageSize {
		return fmt.Errorf("page_size must be between 1 and %d, got %d", MaxPageSize, pageSize)
	}
	return validateRoutes(routes)
}

func validateRoutes(r *activities.RoutesResult) error {
	if r == nil {
		return nil
	}
	if len(r.Credentials) == 0 || slices.Contains(r.Credentials, "") {
		return errors.New("routes: credentials must be non-empty names")
	}
	if r.Scope != ScopeCredential && r.Scope != ScopeRegion {
		return fmt.Errorf("routes: scope must be %q or %q, got %q", ScopeCredential, ScopeRegion, r.Scope)
	}
	return nil
}

// invalid turns a validation error into the workflow's final failure.
func invalid(err error) error { return retry.InvalidInput("%v", err) }

// snapshotNow is the workflow's deterministic clock, at second precision (snapshot keys are ids).
func snapshotNow(ctx workflow.Context) time.Time {
	return workflow.Now(ctx).UTC().Truncate(time.Second)
}
