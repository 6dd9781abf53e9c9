"""Benchmark: 10,000 submits with retries by key while complaints is killed with SIGKILL
twice and Redis once (AOF, appendfsync always); prints the figures and the checks' counts.

    /usr/bin/python3 tests/bench_faults.py [TOTAL]      (after building into ./build)
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faults  # noqa: E402

if __name__ == "__main__":
    figures = faults.run(int(sys.argv[1]) if len(sys.argv) > 1 else 10000, log=lambda f: None)
    for k, v in figures.items():
        print("%s: %s" % (k, v))
    print("every acknowledged case exists once; no key made two cases; the inbox holds each case once")
