// http_node: the hello-world server on Node's `http` module, for benches/run_http_serve.sh.
// Every request gets "Hello, world!" (200, text/plain; charset=utf-8, with an explicit
// content-length, as http.serve sends it; Node adds `date` and keep-alive headers).
// The listen backlog is 1024, as Weft's `net.listen` uses.
// Usage: node http_node.js [ADDR]   (default 127.0.0.1:0; the first line printed is
// `listening on 127.0.0.1:PORT`)

const http = require("http");

const [host, port] = (process.argv[2] || "127.0.0.1:0").split(/:(?=[^:]*$)/);
const BODY = "Hello, world!";

const server = http.createServer((req, res) => {
  res.writeHead(200, {
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(BODY),
  });
  res.end(BODY);
});

server.listen({ host, port: Number(port), backlog: 1024 }, () => {
  const a = server.address();
  console.log(`listening on ${a.address}:${a.port}`);
});
