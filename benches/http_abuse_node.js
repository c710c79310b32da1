// http_abuse_node: the Node server of benches/run_http_abuse.sh, on Node's `http` module.
// `/compute` computes for COMPUTE_MS (default 2,000) without awaiting: a counting loop that
// runs until the monotonic clock passes its deadline, holding the event loop. Any other path
// gets "Hello, world!" at once. The listen backlog is 1024, as Weft's `net.listen` uses.
// Usage: node http_abuse_node.js [ADDR] [COMPUTE_MS]   (default 127.0.0.1:0 and 2000; the
// first line printed is `listening on 127.0.0.1:PORT`)

const http = require("http");
const { performance } = require("perf_hooks");

const [host, port] = (process.argv[2] || "127.0.0.1:0").split(/:(?=[^:]*$)/);
const computeMs = Number(process.argv[3] || 2000);

function compute(ms) {
  const end = performance.now() + ms;
  let n = 0;
  while (performance.now() < end) n += 1;
  return n;
}

function send(res, body) {
  res.writeHead(200, {
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

const server = http.createServer((req, res) => {
  const path = req.url.split("?")[0];
  if (path === "/compute") {
    send(res, `computed ${compute(computeMs)} iterations\n`);
  } else {
    send(res, "Hello, world!");
  }
});

server.listen({ host, port: Number(port), backlog: 1024 }, () => {
  const a = server.address();
  console.log(`listening on ${a.address}:${a.port}`);
});
