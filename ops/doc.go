// Package ops holds no code: its tests check pvpsync the way an operator meets it — the Prometheus
// /metrics page (of the in-process workers and of the stamped worker binary run with a deployment's
// environment), the Temporal CLI (starting, querying, describing and filtering workflows by their
// registered names, JSON input and search attributes) and the Temporal Web UI (screenshots taken with
// headless Chromium, saved to $PVP_SCREENSHOTS_DIR when set:
// `CI=1 PVP_SCREENSHOTS_DIR=docs/screenshots go test ./ops/ -run UI`).
package ops
