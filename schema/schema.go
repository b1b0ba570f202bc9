// Package schema holds pvpsync's PostgreSQL migrations, embedded so every binary carries the schema it
// was built for.
package schema

import "embed"

// Migrations are goose-format SQL files (-- +goose Up / -- +goose Down), applied in file-name order.
//
//go:embed migrations/*.sql
var Migrations embed.FS
