// Package service wires pvpsync's Temporal workers: one per task queue, sharing one client, one store,
// the Battle.net clients and one metrics registry. The worker command and the end-to-end tests both run
// pvpsync through it.
package service

import (
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/pvpsync/pvpsync/activities"
	"github.com/pvpsync/pvpsync/battlenet"
	"github.com/pvpsync/pvpsync/workflows"
)

// StopTimeout is how long a stopping worker lets running activities finish: longer than a Battle.net
// request activity may run (30 s start-to-close), shorter than the minute docker compose's
// stop_grace_period allows before it kills the process. A SIGTERM mid-sync therefore finishes the
// requests in flight instead of abandoning them to be retried elsewhere.
const StopTimeout = 50 * time.Second

// Limits are the concurrency knobs of one worker process.
type Limits struct {
	SyncThreads       int      // PVP_SYNC_THREADS: concurrent Battle.net activities per credential queue
	ProcessingThreads int      // PVP_PROCESSING_THREADS: concurrent local PostgreSQL steps and retention
	WorkflowThreads   int      // DEFAULT_THREADS: concurrent workflow tasks
	Pollers           int      // JOB_CONCURRENCY: pollers per task queue
	Queues            []string // PVP_QUEUES: subset of workflows, sync, processing (empty = all)
	Budgets           []Budget // one per Battle.net queue (see Budgets)
	StopTimeout       time.Duration
}

// Budget is one Battle.net task queue and the rate the Temporal server allows it.
type Budget struct {
	Credential, Region, Queue string // Region is empty with the credential scope
	RPS                       float64
}

// Headroom is the share of a credential's sustained rate its queue is given. The server's limiter is a
// token bucket: after an idle spell it hands out about one second's worth at once, on top of the rate
// (measured on the dev server, README "Battle.net budget"). Over Blizzard's hour that burst is 0.03 %;
// 2 % keeps a whole window under the quota even when the window is scaled down to a minute in tests.
const Headroom = 0.98

// Budgets lists one queue per credential (PVP_QUOTA_SCOPE=credential) or per credential and region it
// may serve (region), each at Headroom × the credential's sustained rate, min(PVP_SYNC_RPS, PVP_SYNC_RPH/3600).
func Budgets(cfg battlenet.Config) []Budget {
	rate := cfg.SustainedRate() * Headroom
	var out []Budget
	for _, c := range cfg.Credentials {
		if cfg.QuotaScope != workflows.ScopeRegion {
			out = append(out, Budget{Credential: c.Name, Queue: workflows.BattlenetQueue(c.Name, "", workflows.ScopeCredential), RPS: rate})
			continue
		}
		for _, r := range battlenet.Regions {
			if c.Serves(r) {
				out = append(out, Budget{Credential: c.Name, Region: r, Queue: workflows.BattlenetQueue(c.Name, r, workflows.ScopeRegion), RPS: rate})
			}
		}
	}
	return out
}

// Workers are the started workers of one process.
type Workers struct{ list []worker.Worker }

// Start registers pvpsync on every selected task queue and starts polling.
func Start(c client.Client, acts *activities.Activities, l Limits) (*Workers, error) {
	want := func(q string) bool { return len(l.Queues) == 0 || slices.Contains(l.Queues, q) }
	pollers := max(l.Pollers, 2)
	stop := l.StopTimeout
	if stop == 0 {
		stop = StopTimeout
	}
	var ws Workers
	if want("workflows") {
		w := worker.New(c, workflows.TaskQueueWorkflows, worker.Options{
			MaxConcurrentWorkflowTaskExecutionSize: l.WorkflowThreads,
			// Local activities are the PostgreSQL steps (plan a page, prepare and commit a character):
			// PVP_PROCESSING_THREADS bounds them.
			MaxConcurrentLocalActivityExecutionSize: l.ProcessingThreads,
			MaxConcurrentWorkflowTaskPollers:        pollers,
			LocalActivityWorkerOnly:                 true,
			WorkerStopTimeout:                       stop,
		})
		Register(w, acts)
		ws.list = append(ws.list, w)
	}
	if want("sync") {
		for _, b := range l.Budgets {
			w := worker.New(c, b.Queue, worker.Options{
				MaxConcurrentActivityExecutionSize: l.SyncThreads,
				MaxConcurrentActivityTaskPollers:   pollers,
				// The credential's budget holds across every worker of the queue: the server hands out at
				// most this many tasks per second, whatever the number of workers or their restarts.
				TaskQueueActivitiesPerSecond: b.RPS,
				DisableWorkflowWorker:        true,
				WorkerStopTimeout:            stop,
			})
			w.RegisterActivity(acts)
			ws.list = append(ws.list, w)
		}
	}
	if want("processing") {
		w := worker.New(c, workflows.TaskQueueProcessing, worker.Options{
			MaxConcurrentActivityExecutionSize: l.ProcessingThreads,
			MaxConcurrentActivityTaskPollers:   pollers,
			DisableWorkflowWorker:              true,
			WorkerStopTimeout:                  stop,
		})
		w.RegisterActivity(acts)
		ws.list = append(ws.list, w)
	}
	for i, w := range ws.list {
		if err := w.Start(); err != nil {
			for _, started := range ws.list[:i] {
				started.Stop()
			}
			return nil, fmt.Errorf("start worker: %w", err)
		}
	}
	return &ws, nil
}

// Register puts the workflows (under their stable names) and the activities on a worker.
func Register(w worker.Registry, acts *activities.Activities) {
	w.RegisterWorkflowWithOptions(workflows.SyncRegion, workflow.RegisterOptions{Name: workflows.SyncRegionName})
	w.RegisterWorkflowWithOptions(workflows.SyncLeaderboard, workflow.RegisterOptions{Name: workflows.SyncLeaderboardName})
	w.RegisterWorkflowWithOptions(workflows.SyncCharacter, workflow.RegisterOptions{Name: workflows.SyncCharacterName})
	w.RegisterWorkflowWithOptions(workflows.PurgeSnapshots, workflow.RegisterOptions{Name: workflows.PurgeSnapshotsName})
	w.RegisterActivity(acts)
}

// Stop stops every worker in parallel, letting running activities finish within StopTimeout.
func (ws *Workers) Stop() {
	done := make(chan struct{}, len(ws.list))
	for _, w := range ws.list {
		go func() {
			w.Stop()
			done <- struct{}{}
		}()
	}
	for range ws.list {
		<-done
	}
}
