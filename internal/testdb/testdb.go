// Package testdb gives each test its own throw-away PostgreSQL database, so tests run in parallel
// without seeing each other's rows.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pvpsync/pvpsync/schema"
	"github.com/pvpsync/pvpsync/store"
)

// DefaultURL is used when DATABASE_URL is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

func serverURL() string {
	if u := os.Getenv("DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// New creates a fresh database with a random name on the server of DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable), applies all migrations (schema.Up),
// registers t.Cleanup that drops it (WITH (FORCE)), and returns its DSN. Skips nothing: fails the test
// if PostgreSQL is unreachable.
func New(t testing.TB) string {
	t.Helper()
	dsn := NewEmpty(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := schema.Up(ctx, dsn); err != nil {
		t.Fatalf("testdb: migrate: %v", err)
	}
	return dsn
}

// NewEmpty is New without migrations: an empty database, dropped on cleanup.
func NewEmpty(t testing.TB) string {
	t.Helper()
	cfg, err := pgx.ParseConfig(serverURL())
	if err != nil {
		t.Fatalf("testdb: parse DATABASE_URL: %v", err)
	}
	admin := cfg.Copy()
	if admin.Database == "" {
		admin.Database = "postgres"
	}

	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("testdb: random name: %v", err)
	}
	name := "pvpsync_test_" + hex.EncodeToString(b[:])

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, admin)
	if err != nil {
		t.Fatalf("testdb: PostgreSQL unreachable at %s:%d (set DATABASE_URL): %v", admin.Host, admin.Port, err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("testdb: create database %s: %v", name, err)
	}
	t.Cleanup(func() { drop(t, admin, name) })

	dsn, err := dsnFor(serverURL(), name)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	return dsn
}

// dsnFor rewrites the server DSN to point at database name, keeping host, user, TLS and other settings.
func dsnFor(server, name string) (string, error) {
	if strings.HasPrefix(server, "postgres://") || strings.HasPrefix(server, "postgresql://") {
		u, err := url.Parse(server)
		if err != nil {
			return "", fmt.Errorf("parse DATABASE_URL: %w", err)
		}
		u.Path = "/" + name
		u.RawPath = ""
		return u.String(), nil
	}
	// keyword=value form: a later keyword overrides an earlier one.
	return server + " dbname=" + name, nil
}

func drop(t testing.TB, admin *pgx.ConnConfig, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, admin)
	if err != nil {
		t.Errorf("testdb: connect to drop %s: %v", name, err)
		return
	}
	defer conn.Close(context.Background())
	// FORCE terminates connections a test leaked, so a forgotten pool cannot keep the database alive.
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		t.Errorf("testdb: drop database %s: %v", name, err)
	}
}

// Open is New + store.Open with the given options; closes the pool on cleanup.
func Open(t testing.TB, opts ...store.Option) (*store.Store, string) {
	t.Helper()
	dsn := New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := store.Open(ctx, dsn, opts...)
	if err != nil {
		t.Fatalf("testdb: open store: %v", err)
	}
	// Registered after New's drop, so it runs first: the pool closes before the database is dropped.
	t.Cleanup(s.Close)
	return s, dsn
}
