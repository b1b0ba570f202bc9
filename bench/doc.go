// Package bench measures a whole sync end to end (dev server, PostgreSQL, fake Battle.net, in-process
// workers): `go test ./bench -run '^$' -bench . -benchtime 1x`. The figures are quoted in the README.
package bench
