package fakeblizzard

import (
	"maps"
	"strconv"
	"sync"
)

// Stats counts what the server answered since start or the last reset. Statuses are keys as strings
// ("200", "304", ...); a dropped connection has no status and is counted as "drop". ByClient splits
// the requests made with each OAuth client's credentials or tokens (keyed by client id; a client
// appears once it made a request); requests without valid credentials belong to no client.
type Stats struct {
	Total      int64                       `json:"total"`
	ByEndpoint map[string]map[string]int64 `json:"by_endpoint"`
	ByStatus   map[string]int64            `json:"by_status"`
	Faults     map[string]int64            `json:"faults"`
	ByClient   map[string]ClientStats      `json:"by_client"`
	// Abandoned counts answers whose client had already gone away (timed out, hung up, was stopped)
	// when the server came to write them: requests the client gave up on mid-flight. They are counted
	// in ByEndpoint and ByStatus too, with the status the server wrote.
	Abandoned int64 `json:"abandoned"`
}

// ClientStats is one OAuth client's share. Requests counts its API requests, those the quota counts
// (429s included, the token endpoint not); ByEndpoint has every answer it got, its tokens included.
type ClientStats struct {
	Requests    int64                       `json:"requests"`
	RateLimited int64                       `json:"rate_limited"`
	ByEndpoint  map[string]map[string]int64 `json:"by_endpoint"`
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
	return Stats{ByEndpoint: map[string]map[string]int64{}, ByStatus: map[string]int64{}, Faults: map[string]int64{}, ByClient: map[string]ClientStats{}}
}

// count adds one answer to an endpoint × status table.
func count(t map[string]map[string]int64, endpoint, status string) {
	m := t[endpoint]
	if m == nil {
		m = map[string]int64{}
		t[endpoint] = m
	}
	m[status]++
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

// answer counts one answer; client is "" for a request that carried no valid credentials.
func (c *statsCounter) answer(endpoint, status, client string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	count(c.s.ByEndpoint, endpoint, status)
	c.s.ByStatus[status]++
	if client == "" {
		return
	}
	cs := c.s.ByClient[client]
	if cs.ByEndpoint == nil {
		cs.ByEndpoint = map[string]map[string]int64{}
	}
	count(cs.ByEndpoint, endpoint, status)
	if endpoint != EndpointToken {
		cs.Requests++
		if status == "429" {
			cs.RateLimited++
		}
	}
	c.s.ByClient[client] = cs
}

func (c *statsCounter) abandoned() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s.Abandoned++
}

func (c *statsCounter) fault(kind string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s.Faults[kind]++
}

func (c *statsCounter) snapshot() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := Stats{Total: c.s.Total, Abandoned: c.s.Abandoned, ByEndpoint: map[string]map[string]int64{}, ByStatus: maps.Clone(c.s.ByStatus), Faults: maps.Clone(c.s.Faults)}
	for k, v := range c.s.ByEndpoint {
		out.ByEndpoint[k] = maps.Clone(v)
	}
	out.ByClient = make(map[string]ClientStats, len(c.s.ByClient))
	for id, cs := range c.s.ByClient {
		cp := ClientStats{Requests: cs.Requests, RateLimited: cs.RateLimited, ByEndpoint: map[string]map[string]int64{}}
		for k, v := range cs.ByEndpoint {
			cp.ByEndpoint[k] = maps.Clone(v)
		}
		out.ByClient[id] = cp
	}
	return out
}
