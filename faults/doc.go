// Package faults is pvpsync's reliability suite: it runs the real worker binary as child processes
// against the fake Battle.net server (in process, or bin/fakeblizzard as a process of its own), a fresh
// PostgreSQL database and the Temporal dev server, breaks things on purpose (SIGKILL, SIGTERM mid-sync,
// a PostgreSQL restart, outages shorter and longer than the retry window, a hostile API, malformed
// payloads, empty boards, timeouts) and checks that every sync still ends with exactly the rows the
// fake's ground truth calls for (internal/truthcheck, the checker the e2e suite uses). It holds tests
// only.
package faults
