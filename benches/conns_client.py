"""conns_client: the client side of benches/conns.sh.

Opens N connections to a line echo server (at most CONCURRENCY connecting at a time), sends
one line on each and checks its echo, and keeps them all open. Then it reads the server's
resident memory (VmRSS in /proc/PID/status) and open descriptors (/proc/PID/fd) and reports
(RSS with the connections - RSS before) / N as bytes per connection. Last it resets every
connection (SO_LINGER 0, then close: the server sees ECONNRESET) and polls the server's
descriptor count until it is back at its count before the connections, for up to WAIT
seconds.

Usage: python3 conns_client.py ADDR PID [N] [CONCURRENCY] [WAIT]
(defaults 10000, 200, 10). The last line is a summary for conns.sh:
`result RSS_BEFORE_KIB RSS_WITH_KIB BYTES_PER_CONN FDS_BEFORE FDS_WITH FDS_AFTER SECONDS
RSS_AFTER_KIB SLOPE_BYTES_PER_CONN`. The connections are opened in ten steps with the RSS
read after each; the least-squares slope of RSS over the count is a second figure for the
cost of a connection, less sensitive to the steps in which a heap grows.
Exits 1 if an echo was wrong, a connection failed, or the descriptors did not come back.
"""

import asyncio
import os
import socket
import struct
import sys
import time


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


async def settle(pid, seconds=0.5):
    """Lets the server finish what it is doing (the echoes are all back already)."""
    await asyncio.sleep(seconds)
    return rss_kib(pid), fd_count(pid)


async def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    host, _, port = sys.argv[1].rpartition(":")
    pid = int(sys.argv[2])
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
    concurrency = int(sys.argv[4]) if len(sys.argv) > 4 else 200
    wait = float(sys.argv[5]) if len(sys.argv) > 5 else 10.0

    rss_before, fds_before = await settle(pid)
    print(f"before: RSS {rss_before} KiB, {fds_before} open descriptors", flush=True)

    conns = [None] * n
    gate = asyncio.Semaphore(concurrency)
    failures = []

    async def open_one(i):
        async with gate:
            try:
                reader, writer = await asyncio.open_connection(host, int(port))
                line = f"hello {i}\n".encode()
                writer.write(line)
                echo = await reader.readline()
                if echo != line:
                    failures.append(f"connection {i}: sent {line!r}, got {echo!r}")
                conns[i] = (reader, writer)
            except OSError as e:
                failures.append(f"connection {i}: {e}")

    # Opened in ten steps, with the server's RSS read after each: the least-squares slope
    # of RSS over the connection count smooths out the steps in which a heap grows.
    start = time.monotonic()
    samples = [(0, rss_before)]
    steps = 10
    for k in range(steps):
        await asyncio.gather(*(open_one(i) for i in range(n * k // steps, n * (k + 1) // steps)))
        samples.append((n * (k + 1) // steps, rss_kib(pid)))
    opened = sum(c is not None for c in conns)
    print(
        f"opened {opened} connections, each echoed one line, in {time.monotonic() - start:.2f} s",
        flush=True,
    )
    if failures:
        for f in failures[:10]:
            print(f"  {f}", file=sys.stderr)
        print(f"{len(failures)} connections failed", file=sys.stderr)

    rss_with, fds_with = await settle(pid)
    per_conn = (rss_with - rss_before) * 1024 / n
    samples[-1] = (n, rss_with)
    mean_x = sum(x for x, _ in samples) / len(samples)
    mean_y = sum(y for _, y in samples) / len(samples)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in samples) / sum(
        (x - mean_x) ** 2 for x, _ in samples
    )
    print(
        "RSS (KiB) after each tenth: " + " ".join(str(y) for _, y in samples[1:]),
        flush=True,
    )
    print(
        f"with {opened} open: RSS {rss_with} KiB (+{rss_with - rss_before} KiB, "
        f"{per_conn:.0f} bytes per connection), {fds_with} open descriptors "
        f"(+{fds_with - fds_before}); slope over the tenths {slope * 1024:.0f} bytes per connection",
        flush=True,
    )

    # Reset: SO_LINGER {on, 0 s} makes close() send RST instead of FIN.
    linger = struct.pack("ii", 1, 0)
    reset_at = time.monotonic()
    for c in conns:
        if c is None:
            continue
        _, writer = c
        writer.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
        writer.transport.abort()
    conns.clear()
    await asyncio.sleep(0)  # abort() closes the sockets on the next loop turn
    fds_after = fd_count(pid)
    while fds_after > fds_before and time.monotonic() - reset_at < wait:
        await asyncio.sleep(0.05)
        fds_after = fd_count(pid)
    took = time.monotonic() - reset_at
    rss_after = rss_kib(pid)
    back = fds_after <= fds_before
    print(
        f"after resetting all: {fds_after} open descriptors "
        f"({'back to' if back else 'NOT back to'} {fds_before}) {took:.2f} s after the "
        f"first reset; "
        f"RSS {rss_after} KiB",
        flush=True,
    )
    print(
        f"result {rss_before} {rss_with} {per_conn:.0f} {fds_before} {fds_with} {fds_after} "
        f"{took:.2f} {rss_after} {slope * 1024:.0f}"
    )
    if failures or not back:
        sys.exit(1)


if __name__ == "__main__":
    asyncio.run(main())
