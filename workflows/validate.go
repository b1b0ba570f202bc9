package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/pvpsync/pvpsync/activities"
	"github.com/pvpsync/pvpsync/battlenet"
)

// invalidInput fails a workflow at once: retrying the same input cannot succeed.
func invalidInput(format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError("invalid input: "+fmt.Sprintf(format, args...), activities.ErrTypeInvalidInput, nil)
}

func validateRegionLocale(region, locale string) error {
	if err := battlenet.ValidateLocale(region, locale); err != nil {
		return invalidInput("%v", err)
	}
	return nil
}

func validateBracket(bracket string) error {
	if err := battlenet.ValidateBracket(bracket); err != nil {
		return invalidInput("%v", err)
	}
	return nil
}

// snapshotNow is the workflow's deterministic clock, at second precision (snapshot keys are ids).
func snapshotNow(ctx workflow.Context) time.Time {
	return workflow.Now(ctx).UTC().Truncate(time.Second)
}
