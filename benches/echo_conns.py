"""echo_conns: the asyncio peer of echo_conns.weft for benches/conns.sh.

A line echo server written with asyncio streams, one coroutine per connection as the Weft
version has one task per connection; a reset connection ends its coroutine quietly.
Usage: python3 echo_conns.py [ADDR]   (default 127.0.0.1:0; the first line printed is
`listening on 127.0.0.1:PORT`)
"""

import asyncio
import sys


async def handle(reader, writer):
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            writer.write(line)
            await writer.drain()
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
