package fakeblizzard

import (
	"maps"
	"strconv"
	"sync"
)

// Stats counts what the server answered since start or the last reset. Statuses are keys as strings
// ("200", "304", ...); a dropped connection has no status and is counted as "drop".
type Stats struct {
	Total      int64                       `json:"total"`
	ByEndpoint map[string]map[string]int64 `json:"by_endpoint"`
	ByStatus   map[string]int64            `json:"by_status"`
	Faults     map[string]int64            `json:"faults"`
}

// Endpoint kinds used as by_endpoint keys.
const (
	EndpointToken            = "token"
	EndpointSeasonIndex      = "season-index"
	EndpointSeason           = "season"
	EndpointLeaderboardIndex = "leaderboard-index"
	EndpointLeaderboard      = "leaderboard"
	EndpointProfile          = kindProfile
	EndpointEquipment        = kindEquipment
	EndpointSpecializations  = kindSpecializations
	EndpointUnknown          = "unknown"
)

// Fault kinds used as faults keys.
const (
	FaultRateLimit   = "rate_limit"
	FaultServerError = "server_error"
	FaultDrop        = "drop"
	FaultSlow        = "slow"
	FaultMalformed   = "malformed"
)

// Count is the number of answers of one status on one endpoint kind.
func (s Stats) Count(endpoint string, status int) int64 {
	return s.ByEndpoint[endpoint][strconv.Itoa(status)]
}

// Endpoint is the number of requests to one endpoint kind, whatever the answer.
func (s Stats) Endpoint(endpoint string) int64 {
	var n int64
	for _, v := range s.ByEndpoint[endpoint] {
		n += v
	}
	return n
}

type statsCounter struct {
	mu sync.Mutex
	s  Stats
}

func newStats() Stats {
	return Stats{ByEndpoint: map[string]map[string]int64{}, ByStatus: map[string]int64{}, Faults: map[string]int64{}}
}

func (c *statsCounter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s = newStats()
}

func (c *statsCounter) request() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s.Total++
}

func (c *statsCounter) answer(endpoint, status string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.s.ByEndpoint[endpoint]
	if m == nil {
		m = map[string]int64{}
		c.s.ByEndpoint[endpoint] = m
	}
	m[status]++
	c.s.ByStatus[status]++
}

func (c *statsCounter) fault(kind string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s.Faults[kind]++
}

func (c *statsCounter) snapshot() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := Stats{Total: c.s.Total, ByEndpoint: map[string]map[string]int64{}, ByStatus: maps.Clone(c.s.ByStatus), Faults: maps.Clone(c.s.Faults)}
	for k, v := range c.s.ByEndpoint {
		out.ByEndpoint[k] = maps.Clone(v)
	}
	return out
}
