# Anchor for BenchmarkKLVDataAnchor: klvdata (https://github.com/paretech/klvdata,
# pure Python) decodes one ST 0601 packet and reads every item's value.
# Usage: PYTHONPATH=$KLVDATA_SRC python3 klvdata_anchor.py PACKET.bin
# Prints the mean nanoseconds per packet over 7 timed runs.
import sys
import time

from klvdata.misb0601 import UASLocalMetadataSet

data = open(sys.argv[1], "rb").read()
n = data[16]
value = data[17 + (n & 0x7F):] if n & 0x80 else data[17:]


def decode():
    s = UASLocalMetadataSet(value)
    for item in s.items.values():
        v = item.value
        getattr(v, "value", v)


loops = 2000
runs = []
for _ in range(7):
    t0 = time.perf_counter_ns()
    for _ in range(loops):
        decode()
    runs.append((time.perf_counter_ns() - t0) / loops)
print(sum(runs) / len(runs))
