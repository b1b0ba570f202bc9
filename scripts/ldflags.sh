#!/bin/sh
# The one place that stamps a pvpsync build (package buildinfo): prints the linker's -X flags for
# `go build -ldflags`. Used by the Makefile, scripts/lib.sh (make run) and the Dockerfile, so every
# binary reports the same version, commit and build time (`--version`, pvpsync_build_info).
#
#   go build -ldflags "$(scripts/ldflags.sh)" ./worker
#   scripts/ldflags.sh --build-args   # the same values as `docker build --build-arg` flags
#
# PVP_VERSION, PVP_REVISION and PVP_BUILD_TIME override git: the Docker build context holds no .git
# (see .dockerignore), so the image receives them as build arguments. An empty value is left out, and
# buildinfo falls back to what the Go toolchain recorded. POSIX sh: the Alpine build image has no bash.
set -eu
cd "$(dirname "$0")/.."
in_git() { git rev-parse --git-dir >/dev/null 2>&1; }
version=${PVP_VERSION:-$(in_git && git describe --tags --always --dirty 2>/dev/null || true)}
revision=${PVP_REVISION:-$(in_git && git rev-parse HEAD 2>/dev/null || true)}
build_time=${PVP_BUILD_TIME:-$(date -u +%Y-%m-%dT%H:%M:%SZ)}

if [ "${1:-}" = --build-args ]; then
  for kv in "PVP_VERSION=$version" "PVP_REVISION=$revision" "PVP_BUILD_TIME=$build_time"; do
    printf -- '--build-arg %s ' "$kv"
  done
  echo
  exit 0
fi
pkg=github.com/pvpsync/pvpsync/buildinfo
flags=""
[ -n "$version" ] && flags="$flags -X $pkg.Version=$version"
[ -n "$revision" ] && flags="$flags -X $pkg.Revision=$revision"
[ -n "$build_time" ] && flags="$flags -X $pkg.BuildTime=$build_time"
echo "${flags# }"
