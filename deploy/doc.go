// Package deploy holds no code: its tests check the container setup at the repository root
// (docker-compose.yml, Dockerfile, .env.example) against the program, so a new configuration variable,
// an unpinned image or a missing healthcheck fails `go test` instead of a user's `docker compose up`.
// See deploy/README.md.
package deploy
