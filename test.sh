#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine: installs what the tests
# need (PostgreSQL 15 with PostGIS), then runs the static checks and
# `go test -race ./...`. Usage: ./test.sh [extra go test flags]
set -euo pipefail
cd "$(dirname "$0")"

sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
have_pg() { ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 && ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; }
if ! have_pg; then
  echo "== installing PostgreSQL and PostGIS from Debian's packages"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends postgresql-15 postgresql-15-postgis-3
fi
# Tests that need these servers fail, rather than skip, when they are missing.
export VIGIA_REQUIRE=postgres,postgis

echo "== gofmt"
bad=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$bad" ]; then echo "gofmt would change: $bad"; exit 1; fi
echo "== go vet"
go vet ./...
echo "== staticcheck"
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
echo "== go test"
go test -race -count=1 -timeout 20m "$@" ./...
