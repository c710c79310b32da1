"""http_asyncio: the asyncio peer of http_raw.weft for benches/run_http.sh.

A keep-alive hello-world HTTP/1.1 server written as an asyncio Protocol: it splits the
incoming bytes into request heads at the blank line and answers each with the same 13-byte
body; `Connection: close` (or HTTP/1.0 without keep-alive) closes the connection after the
response. Request bodies are not read: the load generator sends GETs.
Usage: python3 http_asyncio.py [ADDR]   (default 127.0.0.1:0; the first line printed is
`listening on 127.0.0.1:PORT`)
"""

import asyncio
import sys

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello, world!"
RESPONSE_CLOSE = (
    b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n"
    b"Connection: close\r\n\r\nHello, world!"
)


class Http(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
        self.buf = b""

    def data_received(self, data):
        self.buf += data
        out = []
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                break
            head = self.buf[:end]
            self.buf = self.buf[end + 4 :]
            lines = head.split(b"\r\n")
            keep = not lines[0].endswith(b"HTTP/1.0")
            for line in lines[1:]:
                lower = line.lower()
                if lower.startswith(b"connection:"):
                    if b"close" in lower:
                        keep = False
                    elif b"keep-alive" in lower:
                        keep = True
            if not keep:
                out.append(RESPONSE_CLOSE)
                self.transport.write(b"".join(out))
                self.transport.close()
                return
            out.append(RESPONSE)
        if out:
            self.transport.write(b"".join(out))

    def connection_lost(self, exc):
        self.transport = None


async def main():
    host, _, port = (sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:0").rpartition(":")
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Http, host, int(port), backlog=1024)
    addr = server.sockets[0].getsockname()
    print(f"listening on {addr[0]}:{addr[1]}", flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
