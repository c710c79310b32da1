"""http_abuse_asyncio: the Python asyncio server of benches/run_http_abuse.sh.

A plain HTTP/1.1 server on asyncio streams: a coroutine per connection reads each request
head with `readuntil(b"\\r\\n\\r\\n")` (8 KB at most, else 431), skips a Content-Length body,
and answers with keep-alive unless the client asks to close (or speaks HTTP/1.0 without
keep-alive). `/compute` computes for COMPUTE_MS (default 2,000) without awaiting: a counting
loop that runs until the monotonic clock passes its deadline, holding the event loop. Any
other path gets "Hello, world!" at once. The listen backlog is 1024, as Weft's `net.listen`
uses; like most asyncio servers it has no timeout for slow heads.
Usage: python3 http_abuse_asyncio.py [ADDR] [COMPUTE_MS]   (default 127.0.0.1:0 and 2000;
the first line printed is `listening on 127.0.0.1:PORT`)
"""

import asyncio
import sys
import time

COMPUTE_SECONDS = int(sys.argv[2]) / 1000 if len(sys.argv) > 2 else 2.0
MAX_HEAD = 8192


def compute(seconds):
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        n += 1
    return n


def response(status, reason, body, close):
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        f"content-type: text/plain; charset=utf-8\r\n"
        f"content-length: {len(body)}\r\n"
        + ("connection: close\r\n" if close else "")
        + "\r\n"
    )
    return head.encode() + body


async def handle(reader, writer):
    try:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break  # the client closed
            except asyncio.LimitOverrunError:
                writer.write(response(431, "Request Header Fields Too Large", b"", True))
                await writer.drain()
                break
            lines = head.decode("latin-1").split("\r\n")
            parts = lines[0].split(" ")
            if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
                writer.write(response(400, "Bad Request", b"", True))
                await writer.drain()
                break
            headers = {}
            for line in lines[1:]:
                if line:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
            connection = headers.get("connection", "").lower()
            close = "close" in connection or (parts[2] == "HTTP/1.0" and "keep-alive" not in connection)
            length = int(headers.get("content-length", "0") or 0)
            if length:
                await reader.readexactly(length)
            path = parts[1].split("?", 1)[0]
            if path == "/compute":
                body = f"computed {compute(COMPUTE_SECONDS)} iterations\n".encode()
            else:
                body = b"Hello, world!"
            writer.write(response(200, "OK", body, close))
            await writer.drain()
            if close:
                break
    except (ConnectionError, ValueError):
        pass  # a reset connection or a bad Content-Length ends only this connection
    finally:
        writer.close()


async def main():
    host, _, port = (sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:0").rpartition(":")
    server = await asyncio.start_server(handle, host, int(port), backlog=1024, limit=MAX_HEAD)
    addr = server.sockets[0].getsockname()
    print(f"listening on {addr[0]}:{addr[1]}", flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
