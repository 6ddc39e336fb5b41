"""The anchor of BenchmarkPyModeSAnchor: pyModeS v3 (pure Python) decoding
the same 2,000 frames as BenchmarkAVR/BenchmarkBeast, one call per
message as pyModeS's own scripts/benchmark_decode.py does
(`[pyModeS.decode(m) for m in msgs]`, 7 timed runs, mean).

Usage: PYTHONPATH=<pyModeS checkout>/src python3 pymodes_anchor.py CSV
Prints: messages per second (one core). A source checkout has no package
metadata; its version is then read as "source" (it only names itself).
"""

import importlib.metadata
import statistics
import sys
import time

_version = importlib.metadata.version


def _version_or_source(name):
    try:
        return _version(name)
    except importlib.metadata.PackageNotFoundError:
        return "source"


importlib.metadata.version = _version_or_source
import pyModeS  # noqa: E402

msgs = [line.split(",")[1].strip('"') for line in open(sys.argv[1])]
msgs = msgs * 10
runs = []
for _ in range(7):
    t0 = time.perf_counter()
    [pyModeS.decode(m) for m in msgs]
    runs.append(time.perf_counter() - t0)
print(f"{len(msgs) / statistics.mean(runs):.0f}")
