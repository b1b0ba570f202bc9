// Package ops holds no code: its tests check pvpsync the way an operator meets it — the Prometheus
// /metrics page, the Temporal CLI (starting, querying and describing workflows by their registered
// names and JSON input) and the Temporal Web UI (screenshots taken with headless Chromium, saved to
// $PVP_SCREENSHOTS_DIR when set: `PVP_SCREENSHOTS_DIR=$PWD/docs/screenshots go test ./ops/ -run UI`).
package ops
