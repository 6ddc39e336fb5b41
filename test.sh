#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine: installs what the tests
# need (PostgreSQL 15 with PostGIS), then runs the static checks and
# `go test -race ./...`. Usage: ./test.sh [extra go test flags]
set -euo pipefail
cd "$(dirname "$0")"

sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
# Debian packages the tests use: PostgreSQL + PostGIS (the reference for
# airspace, and a store backend), dump1090-mutability (a peer ADS-B decoder),
# ffmpeg (reads our MPEG-TS), gdal-bin (reads our GeoTIFFs), nats-server (an
# external event log).
pkgs="postgresql-15 postgresql-15-postgis-3 dump1090-mutability ffmpeg gdal-bin nats-server"
export PATH="$PATH:/usr/sbin"
have() {
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 &&
    ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 &&
    command -v dump1090-mutability ffmpeg gdalinfo gdallocationinfo nats-server >/dev/null 2>&1
}
if ! have; then
  echo "== installing $pkgs from Debian's packages"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $pkgs
fi
# Tests that need these servers and tools fail, rather than skip, when they
# are missing.
export VIGIA_REQUIRE=postgres,postgis,dump1090-mutability,ffmpeg,ffprobe,gdalinfo,gdallocationinfo,gdaltransform,nats-server

echo "== gofmt"
bad=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$bad" ]; then echo "gofmt would change: $bad"; exit 1; fi
echo "== go vet"
go vet ./...
echo "== staticcheck"
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
echo "== go test"
go test -race -count=1 -timeout 20m "$@" ./...
