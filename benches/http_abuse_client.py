"""http_abuse_client: measures the latency of a light endpoint while a server is abused.

The client of benches/run_http_abuse.sh. A probe sends `GET /` at a fixed rate (open loop:
a request is started on schedule whether or not earlier ones have been answered, on an idle
keep-alive connection when there is one, else on a new connection), and records the time
from sending each request to reading its whole response. Meanwhile, depending on the
scenario:
- idle: nothing else (the baseline);
- compute: one connection sends `GET /compute` again and again, each as soon as the
  previous one is answered, or PAUSE seconds later (the server's handler computes for
  about 2 s);
- slowloris: N connections each send a request line and then one byte of a header every
  TRICKLE seconds, never finishing the head; a connection the server closes is opened again.
The abuse stops when the probe has sent its last request; the probe then waits up to GRACE
seconds for the answers. Prints one JSON object with the probe's latencies (p50, p99, max,
in seconds; a request not answered with 200 "Hello, world!" within GRACE counts as
infinitely slow), its errors, and what the abusers saw.
Usage: python3 http_abuse_client.py ADDR SCENARIO [--duration S] [--rate N] [--slowloris N]
    [--trickle S] [--pause S] [--grace S]
"""

import argparse
import asyncio
import json
import math
import random
import sys
import time

HELLO = b"Hello, world!"
REQUEST = b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n"
COMPUTE = b"GET /compute HTTP/1.1\r\nHost: bench\r\n\r\n"


class Closed(Exception):
    """The server closed the connection before sending a byte of the response."""


async def read_response(reader):
    """Reads one response with a Content-Length body: (status, headers, body)."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as e:
        if not e.partial:
            raise Closed() from None
        raise
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    if "content-length" not in headers:
        raise ValueError(f"response without content-length: {lines[0]!r}")
    body = await reader.readexactly(int(headers["content-length"]))
    return status, headers, body


def percentile(sorted_values, p):
    """Nearest-rank percentile of a sorted list (nil when empty)."""
    if not sorted_values:
        return None
    return sorted_values[max(0, math.ceil(p / 100 * len(sorted_values)) - 1)]


class Probe:
    def __init__(self, host, port):
        self.host, self.port = host, port
        self.idle = []  # keep-alive connections, most recently used last
        self.latencies = []
        self.errors = {}
        self.sent = 0
        self.stale_retries = 0
        self.opened = 0
        self.max_open = 0
        self.open = 0

    def error(self, e):
        key = type(e).__name__ + (f": {e}" if str(e) else "")
        self.errors[key] = self.errors.get(key, 0) + 1

    async def connect(self):
        conn = await asyncio.open_connection(self.host, self.port)
        self.opened += 1
        self.open += 1
        self.max_open = max(self.max_open, self.open)
        return conn

    def close(self, conn):
        conn[1].close()
        self.open -= 1

    async def one(self):
        self.sent += 1
        start = time.perf_counter()
        reused = bool(self.idle)
        conn = self.idle.pop() if reused else None
        try:
            while True:
                if conn is None:
                    conn = await self.connect()
                try:
                    conn[1].write(REQUEST)
                    status, headers, body = await read_response(conn[0])
                    break
                except (Closed, ConnectionResetError, BrokenPipeError):
                    # A keep-alive connection the server closed while it was idle: try
                    # once more on a new one, as HTTP clients do.
                    if not reused:
                        raise
                    self.stale_retries += 1
                    self.close(conn)
                    conn, reused = None, False
            elapsed = time.perf_counter() - start
            if status != 200 or body != HELLO:
                raise ValueError(f"status {status}, body {body[:40]!r}")
            self.latencies.append(elapsed)
            if headers.get("connection", "").lower() == "close":
                self.close(conn)
            else:
                self.idle.append(conn)
        except Exception as e:  # every failure is counted and reported
            self.error(e)
            if conn is not None:
                self.close(conn)

    async def run(self, duration, rate, grace, stop):
        """Sends duration * rate requests on schedule, sets `stop` (the abuse ends), then
        waits up to `grace` seconds for the answers."""
        tasks = []
        t0 = time.perf_counter()
        for i in range(int(duration * rate)):
            delay = t0 + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(self.one()))
        stop.set()
        done, pending = await asyncio.wait(tasks, timeout=grace) if tasks else (set(), set())
        for t in pending:
            t.cancel()
        self.unfinished = len(pending)
        for conn in self.idle:
            self.close(conn)
        self.idle = []

    def report(self):
        # A request that failed or was not answered in time counts as infinitely slow.
        lat = sorted(self.latencies) + [math.inf] * (self.sent - len(self.latencies))
        return {
            "sent": self.sent,
            "ok": len(lat),
            "errors": self.errors,
            "unfinished": self.unfinished,
            "stale_retries": self.stale_retries,
            "connections_opened": self.opened,
            "max_open_connections": self.max_open,
            "p50": percentile(lat, 50),
            "p99": percentile(lat, 99),
            "max": lat[-1] if lat else None,
            "ok_max": max(self.latencies) if self.latencies else None,
        }


async def computer(host, port, stop, pause, report):
    """Sends GET /compute on one keep-alive connection, again and again (`pause` seconds
    after each answer), until `stop`."""
    times = []
    report["compute_seconds"] = times
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while not stop.is_set():
            start = time.perf_counter()
            writer.write(COMPUTE)
            status, headers, _ = await read_response(reader)
            times.append(round(time.perf_counter() - start, 3))
            if status != 200:
                report.setdefault("compute_errors", []).append(f"status {status}")
            if headers.get("connection", "").lower() == "close":
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
            if pause > 0:
                await asyncio.sleep(pause)
    except Exception as e:  # reported, not fatal: the probe's figures still stand
        report.setdefault("compute_errors", []).append(f"{type(e).__name__}: {e}")
    finally:
        writer.close()


class Slowloris:
    def __init__(self, host, port, count, trickle):
        self.host, self.port, self.count, self.trickle = host, port, count, trickle
        self.connected = 0  # connections open now
        self.opens = 0
        self.closed_by_server = 0
        self.connect_errors = {}
        self.answers = {}  # first line of what the server sent, if anything
        self.bytes_sent = 0
        self.all_open = asyncio.Event()
        self.gate = asyncio.Semaphore(100)  # connects at once

    async def one(self, index, stop):
        header = f"X-Slowloris-{index}: ".encode() + b"a" * 4000
        while not stop.is_set():
            try:
                async with self.gate:
                    reader, writer = await asyncio.open_connection(self.host, self.port)
            except OSError as e:
                key = type(e).__name__
                self.connect_errors[key] = self.connect_errors.get(key, 0) + 1
                await asyncio.sleep(self.trickle)
                continue
            self.opens += 1
            self.connected += 1
            if self.opens == self.count:
                self.all_open.set()
            try:
                writer.write(b"GET / HTTP/1.1\r\nHost: bench\r\n")
                # Start each connection's trickle at its own phase, spread over a period.
                await asyncio.sleep(random.random() * self.trickle)
                pos = 0
                while not stop.is_set():
                    try:
                        data = await asyncio.wait_for(reader.read(4096), self.trickle)
                    except asyncio.TimeoutError:
                        writer.write(header[pos % len(header) : pos % len(header) + 1])
                        pos += 1
                        self.bytes_sent += 1
                        continue
                    if data:
                        line = data.split(b"\r\n", 1)[0].decode("latin-1")
                        self.answers[line] = self.answers.get(line, 0) + 1
                    # The server answered or closed: read to the end and open another.
                    while data:
                        data = await reader.read(4096)
                    self.closed_by_server += 1
                    break
            except (ConnectionResetError, BrokenPipeError):
                self.closed_by_server += 1
            finally:
                self.connected -= 1
                writer.close()

    def report(self):
        return {
            "connections": self.count,
            "open_at_end": self.connected,
            "opened": self.opens,
            "closed_by_server": self.closed_by_server,
            "connect_errors": self.connect_errors,
            "answers": self.answers,
            "bytes_trickled": self.bytes_sent,
        }


async def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("addr", help="HOST:PORT of the server")
    ap.add_argument("scenario", choices=["idle", "compute", "slowloris"])
    ap.add_argument("--duration", type=float, default=15.0, help="seconds of probing")
    ap.add_argument("--rate", type=float, default=200.0, help="probe requests per second")
    ap.add_argument("--slowloris", type=int, default=1000, help="slowloris connections")
    ap.add_argument("--trickle", type=float, default=1.0, help="seconds between trickled bytes")
    ap.add_argument("--pause", type=float, default=0.0,
                    help="seconds between an answer to /compute and the next request")
    ap.add_argument("--grace", type=float, default=30.0,
                    help="seconds to wait for outstanding probe requests after the last is sent")
    args = ap.parse_args()
    host, _, port = args.addr.rpartition(":")
    port = int(port)

    report = {"scenario": args.scenario, "duration": args.duration, "rate": args.rate}
    stop = asyncio.Event()
    abusers = []
    slow = None
    if args.scenario == "compute":
        abusers.append(asyncio.create_task(computer(host, port, stop, args.pause, report)))
        await asyncio.sleep(0.3)  # the first /compute is under way
    elif args.scenario == "slowloris":
        slow = Slowloris(host, port, args.slowloris, args.trickle)
        abusers = [asyncio.create_task(slow.one(i, stop)) for i in range(args.slowloris)]
        async def snapshot():
            await stop.wait()
            report["slowloris"] = slow.report()  # as the abuse ends

        asyncio.create_task(snapshot())
        try:
            await asyncio.wait_for(slow.all_open.wait(), 60)
        except asyncio.TimeoutError:
            report["slowloris_setup"] = f"only {slow.opens} of {args.slowloris} connected in 60 s"
        await asyncio.sleep(args.trickle)  # every connection is trickling

    probe = Probe(host, port)
    await probe.run(args.duration, args.rate, args.grace, stop)
    report["probe"] = probe.report()

    if slow is not None:
        for t in abusers:
            t.cancel()
    done, pending = await asyncio.wait(abusers, timeout=args.grace) if abusers else ((), ())
    for t in pending:
        t.cancel()
    print(json.dumps(report))


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(130)
