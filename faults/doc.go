// Package faults is pvpsync's reliability suite: it runs the real worker binary as child processes
// against the fake Battle.net server, a fresh PostgreSQL database and the Temporal dev server, breaks
// things on purpose (SIGKILL, a PostgreSQL restart, a hostile API, malformed payloads, empty boards,
// timeouts) and checks that every sync still ends with exactly the rows the fake's ground truth calls for.
// It holds tests only.
package faults
