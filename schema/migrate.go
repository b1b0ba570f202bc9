package schema

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// provider opens a database/sql handle on dsn and a goose provider over the embedded migrations.
// The session locker (a PostgreSQL advisory lock) keeps two deploys from migrating at once.
func provider(dsn string) (*goose.Provider, *sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	sub, err := fs.Sub(Migrations, "migrations")
	if err != nil {
		return nil, nil, errors.Join(fmt.Errorf("open embedded migrations: %w", err), db.Close())
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, nil, errors.Join(fmt.Errorf("create migration lock: %w", err), db.Close())
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub, goose.WithSessionLocker(locker))
	if err != nil {
		return nil, nil, errors.Join(fmt.Errorf("create migration provider: %w", err), db.Close())
	}
	return p, db, nil
}

// Up applies every pending migration.
func Up(ctx context.Context, dsn string) error {
	p, db, err := provider(dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate up: %w", err)
	}
	return nil
}

// Down rolls back the last steps applied migrations; asking for more steps than are applied rolls
// back everything and is not an error.
func Down(ctx context.Context, dsn string, steps int) error {
	if steps < 1 {
		return fmt.Errorf("migrate down: steps must be at least 1, got %d", steps)
	}
	p, db, err := provider(dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	for i := 0; i < steps; i++ {
		if _, err := p.Down(ctx); err != nil {
			if errors.Is(err, goose.ErrNoNextVersion) {
				return nil
			}
			return fmt.Errorf("migrate down (step %d of %d): %w", i+1, steps, err)
		}
	}
	return nil
}

// Status writes one line per known migration: version, file name, and when it was applied or "pending".
func Status(ctx context.Context, dsn string, w io.Writer) error {
	p, db, err := provider(dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := p.Status(ctx)
	if err != nil {
		return fmt.Errorf("migration status: %w", err)
	}
	for _, m := range st {
		state := "pending"
		if m.State == goose.StateApplied {
			state = m.AppliedAt.UTC().Format("2006-01-02T15:04:05Z")
		}
		name := m.Source.Path
		if _, err := fmt.Fprintf(w, "%05d  %-40s  %s\n", m.Source.Version, name, state); err != nil {
			return fmt.Errorf("write migration status: %w", err)
		}
	}
	return nil
}

// EnsureDatabase creates the dsn's database when it does not exist yet, connecting to the "postgres"
// maintenance database of the same server (CREATE DATABASE cannot run inside the target itself).
func EnsureDatabase(ctx context.Context, dsn string) (created bool, err error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return false, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	name := cfg.Database
	if name == "" {
		return false, errors.New("ensure database: DATABASE_URL names no database")
	}
	admin := cfg.Copy()
	admin.Database = "postgres"
	conn, err := pgx.ConnectConfig(ctx, admin)
	if err != nil {
		return false, fmt.Errorf("connect to maintenance database on %s:%d: %w", cfg.Host, cfg.Port, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))

	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return false, fmt.Errorf("look up database %q: %w", name, err)
	}
	if exists {
		return false, nil
	}
	// Identifiers cannot be bind parameters; pgx.Identifier quotes and escapes the name.
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		var pgErr interface{ SQLState() string }
		// Another process created it between our check and our CREATE: that is the outcome we wanted.
		if errors.As(err, &pgErr) && pgErr.SQLState() == "42P04" {
			return false, nil
		}
		return false, fmt.Errorf("create database %q: %w", name, err)
	}
	return true, nil
}
