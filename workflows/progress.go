package workflows

import (
	"fmt"
	"strings"
)

// Character outcomes.
const (
	OutcomeSynced       = "synced"       // fetched and processed
	OutcomeIdle         = "idle"         // no rated game since it was last processed: its state copied, no request
	OutcomeReused       = "reused"       // idle detection off: a state within the TTL was copied, no request
	OutcomeNotModified  = "not_modified" // both sides answered 304: last processed values reused
	OutcomeUnavailable  = "unavailable"  // 404 now, or inside the cooldown of an earlier 404
	OutcomePrivate      = "private"      // marked private by a profile 404: skipped without a request
	OutcomeDeduplicated = "deduplicated" // already synced (or being synced) for this snapshot by another board
	OutcomeFailed       = "failed"       // still failing after its attempts: reported, never counted as synced
)

// maxReportedFailures bounds the failure list carried in results and continue-as-new input.
const maxReportedFailures = 50

// Failure names a character that could not be synced and why.
type Failure struct {
	CharacterID int64  `json:"character_id"`
	BlizzardID  int64  `json:"blizzard_id"`
	Bracket     string `json:"bracket,omitempty"`
	Reason      string `json:"reason"`
}

// Progress is the counter set every sync workflow reports (progress query, results, summaries).
type Progress struct {
	Total        int       `json:"total"`
	Done         int       `json:"done"`
	Synced       int       `json:"synced"`
	Idle         int       `json:"idle"`
	Reused       int       `json:"reused"`
	NotModified  int       `json:"not_modified"`
	Unavailable  int       `json:"unavailable"`
	Private      int       `json:"private"`
	Deduplicated int       `json:"deduplicated"`
	Failed       int       `json:"failed"`
	Requests     int       `json:"requests"`
	Failures     []Failure `json:"failures,omitempty"`
}

// RecordN counts n characters settled with one outcome and no request (the page planner's).
func (p *Progress) RecordN(outcome string, n int) {
	for range n {
		p.Record(outcome, 0, nil)
	}
}

// Record counts one finished character.
func (p *Progress) Record(outcome string, requests int, f *Failure) {
	p.Done++
	p.Requests += requests
	switch outcome {
	case OutcomeSynced:
		p.Synced++
	case OutcomeIdle:
		p.Idle++
	case OutcomeReused:
		p.Reused++
	case OutcomeNotModified:
		p.NotModified++
	case OutcomeUnavailable:
		p.Unavailable++
	case OutcomePrivate:
		p.Private++
	case OutcomeDeduplicated:
		p.Deduplicated++
	default:
		p.Failed++
		if f != nil && len(p.Failures) < maxReportedFailures {
			p.Failures = append(p.Failures, *f)
		}
	}
}

// Add folds another board's counters into p (region totals).
func (p *Progress) Add(o Progress) {
	p.Total += o.Total
	p.Done += o.Done
	p.Synced += o.Synced
	p.Idle += o.Idle
	p.Reused += o.Reused
	p.NotModified += o.NotModified
	p.Unavailable += o.Unavailable
	p.Private += o.Private
	p.Deduplicated += o.Deduplicated
	p.Failed += o.Failed
	p.Requests += o.Requests
	for _, f := range o.Failures {
		if len(p.Failures) >= maxReportedFailures {
			break
		}
		p.Failures = append(p.Failures, f)
	}
}

// String is the one-line form used in current details and logs.
func (p Progress) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s/%s characters · synced %s · idle %s · reused %s · not modified %s · unavailable %s · private %s · deduplicated %s · failed %s · %s requests",
		thousands(p.Done), thousands(p.Total), thousands(p.Synced), thousands(p.Idle), thousands(p.Reused), thousands(p.NotModified),
		thousands(p.Unavailable), thousands(p.Private), thousands(p.Deduplicated), thousands(p.Failed), thousands(p.Requests))
	return b.String()
}

// thousands writes 4812 as "4,812" for summaries people read.
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
