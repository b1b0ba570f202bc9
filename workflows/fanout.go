package workflows

import "go.temporal.io/sdk/workflow"

// runBounded starts start(i) for each of n items, keeping at most limit futures in flight, and calls
// done(i, f) as each completes. start may return nil to skip an item. It is the one bounded fan-out of
// the workflows (boards of a region, characters of a page): one loop to reason about for determinism —
// items start in index order, completions are handled in the order the SDK delivers them.
func runBounded(ctx workflow.Context, n, limit int, start func(int) workflow.Future, done func(int, workflow.Future)) {
	sel := workflow.NewSelector(ctx)
	inFlight := 0
	for i := range n {
		for inFlight >= limit {
			sel.Select(ctx)
		}
		f := start(i)
		if f == nil {
			continue
		}
		inFlight++
		sel.AddFuture(f, func(f workflow.Future) {
			inFlight--
			done(i, f)
		})
	}
	for inFlight > 0 {
		sel.Select(ctx)
	}
}
