#!/usr/bin/env bash
# Runs the benchmarks that docs/BENCHMARKS.md records, in one run on one
# machine, anchors included (PostGIS is started by the benchmarks; run
# ./test.sh once first on a fresh machine so that it is installed).
# Usage: ./bench.sh [-count N]
set -euo pipefail
cd "$(dirname "$0")"
export VIGIA_REQUIRE=postgres,postgis
export PATH="$PATH:/usr/sbin"
echo "# $(go version) on $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
go test -run '^$' -bench 'Locate|Depth|Classify|PostGIS' -benchtime 2s -cpu 1 "$@" ./internal/airspace
go test -run '^$' -bench . -benchtime 1s -cpu 1 "$@" ./internal/geo
# Feeds. The Python anchors (pyModeS v3, klvdata) need their source trees,
# since PyPI is out of reach here: PYMODES_SRC=<pyModeS>/src and
# KLVDATA_SRC=<klvdata checkout>; without them those anchors are skipped.
go test -run '^$' -bench 'AVR|Beast|Decode|PyModeS' -benchtime 2s -cpu 1 "$@" ./internal/feed/adsb
go test -run '^$' -bench . -benchtime 1s -cpu 1 "$@" ./internal/feed/klv
go test -run '^$' -bench 'Demux$|Mux$' -benchtime 1s -cpu 1 "$@" ./internal/feed/mpegts
go test -run '^$' -bench 'Paired' -benchtime 300x -cpu 1 "$@" ./internal/feed/mpegts
go test -run '^$' -bench . -benchtime 1x -cpu 1 "$@" ./internal/sim
go test -run '^$' -bench 'ReadBlock|AnchorCopy' -benchtime 3x -cpu 1 "$@" ./internal/envi
# Tracking, compliance, storage and the event log (the spine's parts).
go test -run '^$' -bench . -benchtime 1s -cpu 1 "$@" ./internal/track ./internal/compliance
go test -run '^$' -bench . -benchtime 3s -cpu 1 "$@" ./internal/store/sqlite ./internal/store/postgres
go test -run '^$' -bench . -benchtime 1x "$@" ./internal/bus
go test -run '^$' -bench . -benchtime 2s "$@" ./internal/api
# vigia serve end to end (internal/server): feed bytes over loopback TCP to
# stored verdicts, SQLite and the embedded NATS server, both cores; then the
# alert latency to an SSE client under a paced load of 100,000 squitters/s.
go test -run '^$' -bench 'EndToEnd' -benchtime 1x -count 3 "$@" ./internal/server
go test -run '^$' -bench 'AlertLatency' -benchtime 1x -count 3 "$@" ./internal/server
# Emission detection end to end (internal/detect): a 1000 × 600 × 425
# float32 BIL cube (1.02 GB), simulated once into $VIGIA_BENCH_DIR; then the
# Go benchmark (pixels/s, × real time, the apply pass, peak RSS) and the
# command itself under /usr/bin/time -v for its own peak RSS. Both cores.
export VIGIA_BENCH_DIR="${VIGIA_BENCH_DIR:-${TMPDIR:-/tmp}/vigia-bench-scene}"
go build -o "${TMPDIR:-/tmp}/vigia-bench" ./cmd/vigia
if [ ! -s "$VIGIA_BENCH_DIR/truth.json" ] || [ "$(stat -c %s "$VIGIA_BENCH_DIR/radiance.img" 2>/dev/null)" != 1020000000 ]; then
  "${TMPDIR:-/tmp}/vigia-bench" simulate scene --out "$VIGIA_BENCH_DIR" --lines 1000 --samples 600 --bands 425 --seed 1 --quiet
fi
go test -run '^$' -bench 'Detect' -benchtime 1x "$@" ./internal/detect
for w in "" "--window 300:2600"; do
  echo "# vigia detect ${w:-(2100–2500 nm window)}"
  /usr/bin/time -v "${TMPDIR:-/tmp}/vigia-bench" detect "$VIGIA_BENCH_DIR/radiance.hdr" --out "$VIGIA_BENCH_DIR/detect" --wind 3 --quiet $w 2>&1 |
    grep -E 'plumes;|Elapsed|Maximum resident'
done
