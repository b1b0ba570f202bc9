// Package fakeblizzard is a fake Battle.net API for tests, benchmarks and local demos: OAuth
// client-credentials tokens, the PvP season and leaderboard endpoints and the character profile,
// equipment and specializations endpoints, answering in the exact shapes of the captured responses in
// shared/fixtures/blizzard. Its world (characters, boards, gear, talents) is generated deterministically
// from a seed, so two servers with the same Options serve byte-identical bodies; faults (429, 5xx,
// dropped connections, slow and malformed answers, revoked tokens) can be switched on at run time.
//
// Use Start in tests (it listens on 127.0.0.1 at a free port) or New as an http.Handler; the
// cmd/fakeblizzard command runs it for local demos. Ground truth for assertions comes from Board,
// IsPrivate and Brackets; Stats (also GET /stats) counts what was served.
package fakeblizzard
