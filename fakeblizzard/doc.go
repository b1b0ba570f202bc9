// Package fakeblizzard is a fake Battle.net API for tests, benchmarks and local demos: OAuth
// client-credentials tokens, the PvP season and leaderboard endpoints and the character profile,
// equipment and specializations endpoints, answering in the exact shapes of the captured responses in
// shared/fixtures/blizzard. Its world (characters, boards, gear, talents) is generated deterministically
// from a seed, so two servers with the same Options serve byte-identical bodies; faults (429, 5xx,
// dropped connections, slow and malformed answers, revoked tokens) can be switched on at run time.
//
// Several OAuth clients (Options.Clients) can be configured; each token remembers its client, and the
// quotas are per client: RPS (token bucket) and RPH over a sliding QuotaWindow, answered with 429 and,
// when asked, Retry-After. Stats.ByClient splits the counters by client and PeakWindow gives the most
// requests a client made within any window, to check a consumer's pacing.
//
// The world can live (Options.Active, Options.Cycle, Advance or POST /advance): each cycle a share of
// the ranked characters play rated games (ratings, records and ranks move, characters enter and leave
// boards), some of them upgrade one to three gear slots or respec, and a few idle ones regear without
// playing. Equipment and specializations each keep their own Last-Modified, which moves only when that
// resource changes. A frozen world (Active 0) is the default.
//
// Use Start in tests (it listens on 127.0.0.1 at a free port) or New as an http.Handler; the
// cmd/fakeblizzard command runs it for local demos. Ground truth for assertions comes from Board,
// BoardTruth, Truth (also GET /truth/{region}/{realm}/{name}), IsPrivate and Brackets: Truth is what a
// correct consumer must derive for a character (entries, slots, enchants, gems, tier set, item level,
// the loadout of each spec), computed from the world model rather than from the JSON served. Stats
// (also GET /stats) counts what was served; the test endpoints are neither counted nor faulted.
package fakeblizzard
