// Package service wires pvpsync's Temporal workers: one per task queue, sharing one client, one store,
// one Battle.net client and one metrics registry. The worker command and the end-to-end tests both run
// pvpsync through it.
package service

import (
	"fmt"
	"slices"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/pvpsync/pvpsync/activities"
	"github.com/pvpsync/pvpsync/workflows"
)

// Limits are the concurrency knobs of one worker process.
type Limits struct {
	SyncThreads       int      // PVP_SYNC_THREADS: concurrent Battle.net activities
	ProcessingThreads int      // PVP_PROCESSING_THREADS: concurrent processing activities
	WorkflowThreads   int      // DEFAULT_THREADS: concurrent workflow tasks (and local activities)
	Pollers           int      // JOB_CONCURRENCY: pollers per task queue
	SyncRPS           float64  // PVP_SYNC_RPS: task-queue-wide Battle.net activities per second
	Queues            []string // PVP_QUEUES: subset of workflows, sync, processing (empty = all)
}

// Workers are the started workers of one process.
type Workers struct{ list []worker.Worker }

// Start registers pvpsync on every selected task queue and starts polling.
func Start(c client.Client, acts *activities.Activities, l Limits) (*Workers, error) {
	want := func(q string) bool { return len(l.Queues) == 0 || slices.Contains(l.Queues, q) }
	pollers := max(l.Pollers, 2)
	var ws Workers
	if want("workflows") {
		w := worker.New(c, workflows.TaskQueueWorkflows, worker.Options{
			MaxConcurrentWorkflowTaskExecutionSize: l.WorkflowThreads,
			// Local activities are the PostgreSQL steps of the character workflow (prepare, process):
			// PVP_PROCESSING_THREADS bounds them, as it bounded the processing queue's jobs.
			MaxConcurrentLocalActivityExecutionSize: l.ProcessingThreads,
			MaxConcurrentWorkflowTaskPollers:        pollers,
			LocalActivityWorkerOnly:                 true,
		})
		Register(w, acts)
		ws.list = append(ws.list, w)
	}
	if want("sync") {
		w := worker.New(c, workflows.TaskQueueSync, worker.Options{
			MaxConcurrentActivityExecutionSize: l.SyncThreads,
			MaxConcurrentActivityTaskPollers:   pollers,
			// The Battle.net budget holds across every worker of the queue: the server hands out at
			// most this many tasks per second, whatever the number of workers.
			TaskQueueActivitiesPerSecond: l.SyncRPS,
			DisableWorkflowWorker:        true,
		})
		w.RegisterActivity(acts)
		ws.list = append(ws.list, w)
	}
	if want("processing") {
		w := worker.New(c, workflows.TaskQueueProcessing, worker.Options{
			MaxConcurrentActivityExecutionSize: l.ProcessingThreads,
			MaxConcurrentActivityTaskPollers:   pollers,
			DisableWorkflowWorker:              true,
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

// Stop stops every worker, letting running activities finish within the SDK's stop timeout.
func (ws *Workers) Stop() {
	for _, w := range ws.list {
		w.Stop()
	}
}
