# pvpsync: worker, starter and the fake Battle.net server in one small image.
#
#   make image        (docker build with the version, commit and build time as build arguments)
#   docker build -t pvpsync:dev .    (works too; the binaries then report version "unknown")
#   docker run --rm pvpsync:dev worker migrate status
#
# Static binaries (CGO_ENABLED=0) on Alpine rather than distroless: the compose healthchecks need a
# shell tool (busybox wget), and the image stays small.

ARG GO_VERSION=1.26.8
ARG ALPINE_VERSION=3.23

FROM golang:${GO_VERSION}-alpine AS build
WORKDIR /src
ENV CGO_ENABLED=0
# Modules first: this layer is reused until go.mod/go.sum change.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# .git is not in the build context: the stamp comes in as build arguments (scripts/ldflags.sh
# --build-args), declared after COPY so a new commit does not invalidate the module layer.
ARG PVP_VERSION= PVP_REVISION= PVP_BUILD_TIME=
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -ldflags="-s -w $(sh scripts/ldflags.sh)" -o /out/ ./worker ./starter ./cmd/fakeblizzard

FROM alpine:${ALPINE_VERSION}
# The base image already carries the CA bundle (ca-certificates-bundle) that HTTPS to Battle.net needs.
RUN addgroup -S -g 10001 pvpsync && adduser -S -D -H -u 10001 -G pvpsync pvpsync
COPY --from=build /out/worker /out/starter /out/fakeblizzard /usr/local/bin/
USER 10001:10001
# 9464: Prometheus metrics (PVP_METRICS_ADDR); 8089: fakeblizzard.
EXPOSE 9464 8089
CMD ["worker"]
