package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/pvpsync/pvpsync/activities"
)

// routes spreads a region's Battle.net requests over the credentials allowed to serve it. The list comes
// from the workers' configuration once per run (a local activity, recorded in history) and is handed
// down to the children, so every decision is deterministic on replay.
type routes struct {
	region string
	r      activities.RoutesResult
}

// resolveRoutes returns the routes given in the input, or asks a worker for them.
func resolveRoutes(ctx workflow.Context, region string, given *activities.RoutesResult) (routes, error) {
	if given != nil {
		return routes{region: region, r: *given}, nil
	}
	var r activities.RoutesResult
	if err := workflow.ExecuteLocalActivity(localCtx(ctx), a.Routes, activities.RoutesInput{Region: region}).Get(ctx, &r); err != nil {
		return routes{}, fmt.Errorf("find Battle.net credentials for region %s: %w", region, err)
	}
	return routes{region: region, r: r}, nil
}

// pick is the credential for a key (a character id, a board index): the same key always gets the same
// credential, and keys spread evenly.
func (rt routes) pick(key int64) string {
	n := int64(len(rt.r.Credentials))
	return rt.r.Credentials[((key%n)+n)%n]
}

// queue is the task queue of that credential's budget.
func (rt routes) queue(credential string) string {
	return BattlenetQueue(credential, rt.region, rt.r.Scope)
}

func (rt routes) given() *activities.RoutesResult {
	r := rt.r
	return &r
}
