"""http_asyncio_streams: the same server as http_asyncio.py written the way http_raw.weft is.

A keep-alive hello-world HTTP/1.1 server on asyncio streams for benches/run_http.sh: one
coroutine per connection reads each request head line by line with `readline` up to the
blank line and answers with `write` and `drain`; `Connection: close` (or HTTP/1.0 without
keep-alive) closes the connection after the response. Request bodies are not read.
Usage: python3 http_asyncio_streams.py [ADDR]   (default 127.0.0.1:0; the first line
printed is `listening on 127.0.0.1:PORT`)
"""

import asyncio
import sys

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, world!"
RESPONSE_CLOSE = (
    b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n"
    b"Connection: close\r\n\r\nHello, world!"
)


async def handle(reader, writer):
    try:
        while True:
            request = await reader.readline()
            if not request:
                break
            request = request.rstrip(b"\r\n")
            if not request:
                continue  # stray blank line between requests
            keep = not request.endswith(b"HTTP/1.0")
            while True:
                line = await reader.readline()
                if not line:
                    return
                line = line.rstrip(b"\r\n")
                if not line:
                    break
                lower = line.lower()
                if lower.startswith(b"connection:"):
                    if b"close" in lower:
                        keep = False
                    elif b"keep-alive" in lower:
                        keep = True
            if keep:
                writer.write(RESPONSE)
                await writer.drain()
            else:
                writer.write(RESPONSE_CLOSE)
                await writer.drain()
                break
    except ConnectionError:
        pass  # a reset connection ends only its own coroutine
    finally:
        writer.close()


async def main():
    host, _, port = (sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:0").rpartition(":")
    server = await asyncio.start_server(handle, host, int(port), backlog=1024)
    addr = server.sockets[0].getsockname()
    print(f"listening on {addr[0]}:{addr[1]}", flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
