#!/usr/bin/env bash
# Runs the benchmarks that docs/BENCHMARKS.md records, in one run on one
# machine, anchors included (PostGIS is started by the benchmarks; run
# ./test.sh once first on a fresh machine so that it is installed).
# Usage: ./bench.sh [-count N]
set -euo pipefail
cd "$(dirname "$0")"
export VIGIA_REQUIRE=postgres,postgis
echo "# $(go version) on $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
go test -run '^$' -bench 'Locate|Depth|Classify|PostGIS' -benchtime 2s -cpu 1 "$@" ./internal/airspace
go test -run '^$' -bench . -benchtime 1s -cpu 1 "$@" ./internal/geo
