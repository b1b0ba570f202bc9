// Package sqlcount counts the statements a pgx pool sends, for tests and benchmarks that assert
// round-trip budgets.
package sqlcount

import (
	"context"
	"strings"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
)

// Counter is a pgx.QueryTracer that counts the statements a pool sends, so benchmarks and tests
// can assert round-trip budgets ("a 5,000-entry board is at most 3 statements"). Transaction control
// (BEGIN, COMMIT, ROLLBACK, savepoints) is counted apart from data statements, because pgx.BeginFunc
// adds it to every write and it says nothing about how well a write is batched.
// The zero value is ready to use; it is safe for concurrent use by every connection of a pool.
type Counter struct {
	data atomic.Int64
	tx   atomic.Int64
}

var _ pgx.QueryTracer = (*Counter)(nil)

// TraceQueryStart counts the statement as it is sent.
func (c *Counter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	if isTxControl(data.SQL) {
		c.tx.Add(1)
	} else {
		c.data.Add(1)
	}
	return ctx
}

// TraceQueryEnd is required by pgx.QueryTracer; failed statements were already counted at start.
func (c *Counter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// Count is the number of data statements (everything but transaction control) since the last Reset.
func (c *Counter) Count() int64 { return c.data.Load() }

// TxControl is the number of BEGIN/COMMIT/ROLLBACK/SAVEPOINT statements since the last Reset.
func (c *Counter) TxControl() int64 { return c.tx.Load() }

// Reset zeroes both counters.
func (c *Counter) Reset() {
	c.data.Store(0)
	c.tx.Store(0)
}

// txControlVerbs are the leading keywords of transaction-control statements, including the ones pgx
// sends for nested transactions (savepoints) and the "begin isolation level ..." forms.
var txControlVerbs = []string{"BEGIN", "START TRANSACTION", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE"}

func isTxControl(sql string) bool {
	s := strings.TrimLeft(sql, " \t\r\n;")
	for _, verb := range txControlVerbs {
		if len(s) >= len(verb) && strings.EqualFold(s[:len(verb)], verb) &&
			(len(s) == len(verb) || !isIdentChar(s[len(verb)])) {
			return true
		}
	}
	return false
}

func isIdentChar(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}
