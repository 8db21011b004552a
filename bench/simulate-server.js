// A bare node:http endpoint for bench/simulate.js that answers every callback with one fixed status
// (default 500, an endpoint that never recovers). Runs as its own process so the server's work does
// not share the simulator's event loop. Loopback only.
import { createServer } from "node:http";

const status = Number(process.argv[2] ?? 500);
const server = createServer((req, res) => {
  req.on("data", () => {});
  req.on("end", () => {
    res.writeHead(status, { "content-type": "text/plain" });
    res.end(`status ${status}`);
  });
});
server.keepAliveTimeout = 10_000;
server.listen(0, "127.0.0.1", () => console.log(`simulate-target http://127.0.0.1:${server.address().port}`));
process.on("SIGINT", () => server.close(() => process.exit(0)));
