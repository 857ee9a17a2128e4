// Logs process.memoryUsage() of the server every 10 s, before and after a full GC (a soak diagnosis).
const fs = require('node:fs');
if (!require('node:worker_threads').isMainThread) return;
const out = process.env.PROBE_OUT || '/tmp/gcx/probe.log';
const t0 = Date.now();
const mb = (n) => Math.round(n / 1048576);
const line = (m) => `rss ${mb(m.rss)} heapTotal ${mb(m.heapTotal)} heapUsed ${mb(m.heapUsed)} ab ${mb(m.arrayBuffers)}`;
setInterval(() => {
  const before = process.memoryUsage();
  global.gc();
  const after = process.memoryUsage();
  fs.appendFileSync(out, `${Math.round((Date.now() - t0) / 1000)}s before: ${line(before)} | after gc: ${line(after)}\n`);
}, 10000).unref();
