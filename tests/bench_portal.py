"""Benchmark: the portal under 32 concurrent visitors, in one run.

    /usr/bin/python3 tests/bench_portal.py [SECONDS]      (after building into ./build;
                                                         IMVO_BUILD_DIR for another)

Redis and the four daemons with CURVE on, as ./run.sh runs them, and the portal in front of
them filing through the intake queue as the Redis user intake. 32 visitors, each on its own
kept-alive connection, ask for one page as fast as the portal answers, for SECONDS (default 5)
per page. Printed, per page, all measured in this run on this machine: requests/s, p50 and p99
latency, and the portal's CPU microseconds per request (from /proc/<pid>/stat):
  1. /healthz, a constant page (no daemon behind it): the reference;
  2. the complaint form (/?covenant=textile: covenant.list and member.list behind it);
  3. /metrics (stats of each of the four daemons, and XLEN of the intake queue);
  4. the form again while one complaint is submitted from another address: the submit's own
     time to its 303 and to the receipt (/received waits for the intake queue, suspended), and
     the visitors' p99 during that window, which must stay under 100 ms.
The load generator is Python (asyncio, one thread) on the same 2 cores: its own cost is in
the latencies. Not a test: it prints figures (exit status 1 when the submit figure is over).
"""
import asyncio
import os
import re
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import System, start_portal  # noqa: E402

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
VISITORS = 32
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))] * 1000 if values else float("nan")


class Conn:
    """One kept-alive HTTP/1.1 connection (the visitor's browser)."""

    def __init__(self, port, source="127.0.0.1"):
        self.port, self.source = port, source
        self.reader = self.writer = None

    async def request(self, method, path, body=b"", headers=()):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port,
                                                                     local_addr=(self.source, 0))
        head = "%s %s HTTP/1.1\r\nHost: portal\r\nAccept-Language: en\r\n" % (method, path)
        for h in headers:
            head += h + "\r\n"
        if body:
            head += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n" % len(body)
        self.writer.write(head.encode() + b"\r\n" + body)
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length, close, cookies, location = 0, False, [], None
        while True:
            line = (await self.reader.readline()).decode()
            if line in ("\r\n", ""):
                break
            name, _, value = line.partition(":")
            name, value = name.lower(), value.strip()
            if name == "content-length":
                length = int(value)
            elif name == "connection" and value.lower() == "close":
                close = True
            elif name == "set-cookie":
                cookies.append(value)
            elif name == "location":
                location = value
        data = await self.reader.readexactly(length) if length else b""
        if close:
            self.close()
        return status, data, cookies, location

    def close(self):
        if self.writer:
            self.writer.close()
        self.writer = None


async def browse(port, path, until, latencies, errors):
    conn = Conn(port)
    try:
        while time.monotonic() < until:
            t0 = time.monotonic()
            status, _, _, _ = await conn.request("GET", path)
            latencies.append((t0, time.monotonic() - t0))
            if status != 200:
                errors.append(status)
    finally:
        conn.close()


async def submit(port, company, window):
    """One complaint as a browser files it, from its own address: the form, the post, then
    /received (which waits for the intake queue) until the receipt is there."""
    conn = Conn(port, source="127.0.0.2")
    _, page, cookies, _ = await conn.request("GET", "/?lang=en&covenant=textile")
    csrf = re.search(r"csrf=([0-9a-f]{32})", " ".join(cookies)).group(1)
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page.decode()))
    fields = dict(hidden, company=company, summary="Locked fire exits", who="anonymous",
                  description="The fire exits of hall 2 are locked during the night shift.", country="BD")
    window["start"] = time.monotonic()
    status, _, cookies, location = await conn.request("POST", "/submit", urllib.parse.urlencode(fields).encode(),
                                                      ["Cookie: csrf=" + csrf])
    window["posted"] = time.monotonic()
    assert status == 303, status
    intake = re.search(r"intake=([0-9a-f]{32})", " ".join(cookies)).group(1)
    while True:
        status, page, _, _ = await conn.request("GET", location, headers=["Cookie: intake=" + intake])
        if b'id="receipt"' in page:
            break
        assert status == 200, status
    window["end"] = time.monotonic()
    conn.close()


async def run(port, path, seconds, company=None):
    until = time.monotonic() + seconds
    latencies, errors, window = [], [], {}
    tasks = [browse(port, path, until, latencies, errors) for _ in range(VISITORS)]
    if company:
        async def later():
            await asyncio.sleep(seconds / 4)
            await submit(port, company, window)
        tasks.append(later())
    await asyncio.gather(*tasks)
    return latencies, errors, window


def main():
    with System(["membership", "complaints", "scoring", "notify"], curve=True) as s:
        company = "Dhaka Knitwear Brand BV"
        s.company(company, ["textile"])
        logpath = os.path.join(s.workdir, "portal.log")
        portal, port = start_portal(s, logpath)
        try:
            with open(logpath, "rb") as f:
                threads = int(re.search(rb"portal on http://127\.0\.0\.1:\d+/ \(IMVO_PORTAL_LISTEN\), (\d+) threads",
                                        f.read()).group(1))
            print("portal: %d HTTP threads; %d visitors, %.0f s per page, CURVE on" % (threads, VISITORS, SECONDS))
            pages = (("1. /healthz (constant)", "/healthz"), ("2. the form", "/?lang=en&covenant=textile"),
                     ("3. /metrics", "/metrics"))
            for label, path in pages + (("4. the form, one submit meanwhile", "/?lang=en&covenant=textile"),):
                asyncio.run(run(port, path, 0.5))          # warm up: connections, CURVE sessions
                cpu0, own0, t0 = cpu_seconds(portal.pid), time.process_time(), time.monotonic()
                latencies, errors, window = asyncio.run(
                    run(port, path, SECONDS, company if label.startswith("4.") else None))
                took, cpu = time.monotonic() - t0, cpu_seconds(portal.pid) - cpu0
                own = time.process_time() - own0
                times = [d for _, d in latencies]
                print("%-36s %7.0f requests/s  p50 %6.2f ms  p99 %6.2f ms  portal CPU %6.1f us/request "
                      "(load generator %.1f)%s"
                      % (label, len(times) / took, pct(times, 50), pct(times, 99), cpu * 1e6 / len(times),
                         own * 1e6 / len(times), "  (%d not 200)" % len(errors) if errors else ""))
            during = [d for t, d in latencies if window["start"] <= t <= window["end"]]
            print("   the submit: 303 after %.1f ms, receipt shown %.2f s after the post; the visitors meanwhile "
                  "(%d requests): p50 %.2f ms, p99 %.2f ms (limit 100 ms)"
                  % ((window["posted"] - window["start"]) * 1000, window["end"] - window["posted"], len(during),
                     pct(during, 50), pct(during, 99)))
            if pct(during, 99) > 100:
                raise SystemExit(1)
        finally:
            portal.terminate()
            portal.wait(10)


if __name__ == "__main__":
    main()
