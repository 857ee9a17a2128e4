/**
 * @module main: the CLI. Reads argv and env into a Config, starts TinyOlly, prints the ready line
 * (CONTRACT §1.1), and shuts down gracefully on SIGTERM/SIGINT. The only module that logs or exits.
 */
import { ConfigError, exposureWarning, HELP, loadConfig, wantsHelp } from './config.js';
import { boundHeapGrowth, boundYoungGeneration, heapTuningFor } from './heap.js';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (wantsHelp(argv)) {
    process.stdout.write(HELP);
    return;
  }
  let config;
  try {
    config = loadConfig(argv, process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`tinyolly: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  // Garbage between major GCs stays near what is live (issue 11: RSS at the default cap), and the young
  // generation small, both tighter below the default cap: set before the server's modules load (app.js,
  // imported here; its own chunk of the bundle).
  const tuning = heapTuningFor(config.maxMemoryMb, config.storage);
  boundHeapGrowth(process.execArgv, tuning.growingPercent);
  const youngGeneration = boundYoungGeneration([...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean)], tuning.semiSpaceMb);
  const { start } = await import('./app.js');
  const warning = exposureWarning(config);
  if (warning) process.stderr.write(warning + '\n');
  const running = await start(config);
  youngGeneration?.();

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => {
      process.stderr.write('tinyolly: shutdown took too long, exiting\n');
      process.exit(1);
    }, 4500);
    force.unref();
    running.close().then(
      () => { process.stderr.write(`tinyolly: stopped (${signal})\n`); process.exit(0); },
      (err) => { process.stderr.write(`tinyolly: error while stopping: ${String(err)}\n`); process.exit(1); },
    );
  };
  // Handlers go in before the ready line: a tool may signal as soon as it reads it.
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.stdout.write(`tinyolly ready ${JSON.stringify({ ...running.ports, storage: running.storage })}\n`);
}

main().catch((err) => {
  process.stderr.write(`tinyolly: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
