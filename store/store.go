// Package store owns pvpsync's SQL: a pgx pool, squirrel-built bulk statements and the queries the
// workflows need. Every bulk write deduplicates its conflict keys, sorts rows by key (so concurrent
// writers lock in the same order) and is chunked under PostgreSQL's bind-parameter limit.
package store

import (
	"context"
	"errors"
	"fmt"

	sq "github.com/Masterminds/squirrel"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// psql builds statements with $n placeholders.
var psql = sq.StatementBuilder.PlaceholderFormat(sq.Dollar)

// Store is the handle the activities hold.
type Store struct {
	Pool *pgxpool.Pool
}

// Option adjusts the pool configuration before it connects (tests attach a tracer this way).
type Option func(*pgxpool.Config)

// WithTracer attaches a pgx query tracer (statement counting, logging).
func WithTracer(t pgx.QueryTracer) Option {
	return func(c *pgxpool.Config) { c.ConnConfig.Tracer = t }
}

// WithMaxConns bounds the pool.
func WithMaxConns(n int32) Option {
	return func(c *pgxpool.Config) {
		if n > 0 {
			c.MaxConns = n
		}
	}
}

// Open connects a pool and pings it, so a wrong DSN or a dead server fails here with one clear error.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	for _, o := range opts {
		o(cfg)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to PostgreSQL at %s:%d/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	return &Store{Pool: pool}, nil
}

// Close releases the pool.
func (s *Store) Close() { s.Pool.Close() }

// inTx runs fn in one transaction: committed when fn returns nil, rolled back otherwise.
func (s *Store) inTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.Pool, fn)
}

// Retryable SQLSTATEs: the same transaction can succeed when tried again.
const (
	sqlstateDeadlock             = "40P01"
	sqlstateSerializationFailure = "40001"
)

// IsDeadlock says whether err is a deadlock or serialization failure, which the activity layer retries
// under its own (longer) policy.
func IsDeadlock(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == sqlstateDeadlock || pgErr.Code == sqlstateSerializationFailure
	}
	return false
}

// ErrInvalidRow marks input rejected before anything was written.
var ErrInvalidRow = errors.New("store: invalid row")

// zeroAsNull maps 0 (unknown) to NULL.
func zeroAsNull[T int | int64](v T) *T {
	if v == 0 {
		return nil
	}
	return &v
}

// emptyAsNull maps "" (unknown) to NULL.
func emptyAsNull(v string) *string {
	if v == "" {
		return nil
	}
	return &v
}

// chunks splits rows into consecutive slices of at most size rows.
func chunks[T any](rows []T, size int) [][]T {
	var out [][]T
	for len(rows) > size {
		out = append(out, rows[:size])
		rows = rows[size:]
	}
	if len(rows) > 0 {
		out = append(out, rows)
	}
	return out
}
