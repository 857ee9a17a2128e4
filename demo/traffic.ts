/**
 * @module demo/traffic: `npm run traffic [-- --count N] [--url URL]`: sends the demo's request mix to a
 * running demo-frontend (the original TinyOlly's test-traffic script). Exits 1 if the frontend is unreachable.
 */
import { DEMO_USAGE, DemoArgsError, parseDemoArgs } from './args.js';
import { formatSummary, runTraffic } from './traffic-loop.js';

let args;
try {
  args = parseDemoArgs(process.argv.slice(2), process.env);
} catch (err) {
  if (!(err instanceof DemoArgsError)) throw err;
  process.stderr.write(`traffic: ${err.message}\n\n${DEMO_USAGE}\n`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(`${DEMO_USAGE}\n`);
  process.exit(0);
}

const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());

const looping = args.count === undefined;
process.stdout.write(
  `traffic: ${looping ? 'sending until Ctrl-C' : `sending ${args.count} requests`} to ${args.url}\n`,
);
let lastReport = Date.now();
const summary = await runTraffic({
  url: args.url,
  count: args.count,
  intervalMs: args.intervalMs,
  concurrency: args.concurrency,
  signal: stop.signal,
  onResult(_result, soFar) {
    if (looping && Date.now() - lastReport >= 5_000) {
      lastReport = Date.now();
      process.stdout.write(`traffic: ${formatSummary(soFar)}\n`);
    }
  },
});
process.stdout.write(`traffic: done, ${formatSummary(summary)}\n`);
// With --count every request must arrive and only /api/fail may fail; a loop (Ctrl-C) only fails if
// nothing ever arrived.
const reached = summary.ok + summary.failed;
if (looping ? summary.sent > 0 && reached === 0 : summary.unreachable > 0) {
  process.stderr.write(`traffic: ${args.url} did not answer ${summary.unreachable} time(s); is the demo running (npm run demo)?\n`);
  process.exit(1);
}
if (!looping && summary.failed > summary.failedOnPurpose) {
  process.stderr.write(`traffic: ${summary.failed - summary.failedOnPurpose} request(s) failed that should not have; is demo-backend running?\n`);
  process.exit(1);
}
process.exit(0);
