/**
 * @module test/compose: there is no Docker engine here, so this parses docker-compose.yml,
 * otel-collector-config.yaml and the Dockerfile and checks their wiring, then runs the image's start
 * and HEALTHCHECK commands as written against the checkout.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/start-tinyolly.js';

type Yaml = Record<string, any>;

const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');
const compose = parse(read('docker-compose.yml'), { merge: true }) as Yaml;
const collector = parse(read('otel-collector-config.yaml')) as Yaml;
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string> };
const services = compose.services as Record<string, Yaml>;

/** A compose `environment:` as a map, whether written as a map or as a list of KEY=VALUE. */
function envOf(service: Yaml): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((e: string) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
}

/** A compose command as an argv array. */
function argvOf(command: unknown): string[] {
  return Array.isArray(command) ? command.map(String) : String(command ?? '').split(/\s+/).filter(Boolean);
}

/** `HOST:CONTAINER` port mappings as {host, container} numbers. */
function portsOf(service: Yaml): { host: number; container: number }[] {
  return (service.ports ?? []).map((p: string | Yaml) => {
    if (typeof p === 'object') return { host: Number(p.published), container: Number(p.target) };
    const parts = String(p).split('/')[0].split(':');
    return { host: Number(parts.at(-2) ?? parts.at(-1)), container: Number(parts.at(-1)) };
  });
}

function dependsOn(service: Yaml): Record<string, string> {
  const deps = service.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d: string) => [d, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([k, v]) => [k, (v as Yaml)?.condition ?? 'service_started']));
}

interface Stage {
  name: string;
  from: string;
  instructions: { op: string; args: string }[];
}

/** Splits a Dockerfile into stages of (instruction, arguments), resolving ARG defaults in FROM. */
function parseDockerfile(text: string): Stage[] {
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op, rest] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    if (!op) continue;
    const upper = op.toUpperCase();
    if (upper === 'ARG' && stages.length === 0) {
      const [key, value = ''] = rest.split('=');
      args[key.trim()] = value.trim();
    } else if (upper === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest.trim())!;
      const from = m[1].replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a, b) => args[a ?? b] ?? '');
      stages.push({ name: m[2] ?? String(stages.length), from, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ op: upper, args: rest });
    }
  }
  return stages;
}

const stages = parseDockerfile(read('Dockerfile'));
const stage = (name: string): Stage => {
  const found = stages.find((s) => s.name === name);
  if (!found) throw new Error(`Dockerfile has no stage ${name}`);
  return found;
};
/** The environment a stage's ENV instructions set (`ENV K=V K2="V 2"` and the old `ENV K V` form). */
function envOfStage(s: Stage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const args of s.instructions.filter((i) => i.op === 'ENV').map((i) => i.args.trim())) {
    if (!/^\S+=/.test(args)) {
      const [key, ...rest] = args.split(/\s+/);
      out[key] = rest.join(' ');
      continue;
    }
    for (const m of args.matchAll(/(\w+)=("([^"]*)"|\S*)/g)) out[m[1]] = m[3] ?? m[2];
  }
  return out;
}
const jsonArgv = (args: string): string[] => JSON.parse(args.replace(/^(--\S+\s+)*/, '').replace(/^CMD\s+/, '')) as string[];
const ops = (s: Stage, op: string): string[] => s.instructions.filter((i) => i.op === op).map((i) => i.args);

describe('docker-compose.yml', () => {
  it('has the five services and every depends_on names one of them', () => {
    for (const name of ['redis', 'tinyolly', 'otel-collector', 'demo-frontend', 'demo-backend']) {
      expect(services, name).toHaveProperty(name);
    }
    for (const [name, service] of Object.entries(services)) {
      for (const dep of Object.keys(dependsOn(service))) expect(Object.keys(services), `${name} depends on ${dep}`).toContain(dep);
    }
  });

  it('runs redis with a 256 MB cap and allkeys-lru eviction', () => {
    const redis = services.redis;
    expect(redis.image).toMatch(/^redis:\d/);
    const argv = argvOf(redis.command);
    expect(argv[0]).toBe('redis-server');
    expect(argv[argv.indexOf('--maxmemory') + 1]).toBe('256mb');
    expect(argv[argv.indexOf('--maxmemory-policy') + 1]).toBe('allkeys-lru');
  });

  it('builds tinyolly from the Dockerfile runtime stage with redis storage, publishing only the UI on 5002', () => {
    const tinyolly = services.tinyolly;
    expect(tinyolly.build.context).toBe('.');
    expect(existsSync(path.join(ROOT, tinyolly.build.dockerfile ?? 'Dockerfile'))).toBe(true);
    expect(stage(tinyolly.build.target).name).toBe('runtime');
    const env = envOf(tinyolly);
    expect(env.TINYOLLY_STORAGE).toBe('redis');
    const redisUrl = new URL(env.REDIS_URL);
    expect(redisUrl.protocol).toBe('redis:');
    expect(redisUrl.hostname).toBe('redis');
    expect(Number(redisUrl.port || 6379)).toBe(6379);
    expect(dependsOn(tinyolly).redis).toBe('service_healthy');
    expect(portsOf(tinyolly)).toEqual([{ host: 5002, container: Number(env.TINYOLLY_UI_PORT ?? 5002) }]);
  });

  it('runs tinyolly on every interface inside its container (the image sets it; TinyOlly itself defaults to loopback)', () => {
    const tinyolly = services.tinyolly;
    // What the process sees: the image's ENV, overridden by the service's environment.
    const effective = { ...envOfStage(stage(tinyolly.build.target)), ...envOf(tinyolly) };
    expect(effective.TINYOLLY_HOST).toBe('0.0.0.0');
    // The Collector reaches it by service name on the gRPC port, and 5002 is published: neither works on loopback.
    expect(String(collector.exporters[Object.keys(collector.exporters).find((id) => id.startsWith('otlp'))!].endpoint)).toMatch(/^(https?:\/\/)?tinyolly:/);
  });

  it('runs a current Collector contrib image with the config mounted where --config points, owning 4317/4318', () => {
    const otel = services['otel-collector'];
    const [, minor] = /^otel\/opentelemetry-collector-contrib:0\.(\d+)\.\d+$/.exec(otel.image) ?? [];
    expect(Number(minor), otel.image).toBeGreaterThanOrEqual(144);
    const configArg = argvOf(otel.command).find((a) => a.startsWith('--config='));
    const mount = (otel.volumes as string[]).map((v) => v.split(':')).find(([src]) => src === './otel-collector-config.yaml');
    expect(mount, 'config volume').toBeDefined();
    expect(configArg).toBe(`--config=${mount![1]}`);
    expect(portsOf(otel).map((p) => p.host).sort()).toEqual([4317, 4318]);
    expect(dependsOn(otel)).toHaveProperty('tinyolly');
  });

  it('publishes no host port twice', () => {
    const hostPorts = Object.values(services).flatMap((s) => portsOf(s).map((p) => p.host));
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
  });

  it('runs both demo services from the Dockerfile demo stage, sending OTLP/HTTP to the Collector', () => {
    for (const name of ['demo-frontend', 'demo-backend']) {
      const service = services[name];
      expect(stage(service.build.target).name).toBe('demo');
      const argv = argvOf(service.command);
      expect(argv.slice(0, 3)).toEqual(['node', '--import', 'tsx']);
      expect(existsSync(path.join(ROOT, argv[3])), argv[3]).toBe(true);
      const env = envOf(service);
      const endpoint = new URL(env.OTEL_EXPORTER_OTLP_ENDPOINT);
      expect(endpoint.hostname).toBe('otel-collector');
      expect(endpoint.port).toBe('4318');
      expect(env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf').toMatch(/^http\//);
      expect(env.DEMO_HOST).toBe('0.0.0.0');
    }
    expect(argvOf(services['demo-frontend'].command)[3]).toBe('demo/frontend.ts');
    expect(argvOf(services['demo-backend'].command)[3]).toBe('demo/backend.ts');
    const backendUrl = new URL(envOf(services['demo-frontend']).DEMO_BACKEND_URL);
    expect(backendUrl.hostname).toBe('demo-backend');
    expect(backendUrl.port).toBe(envOf(services['demo-backend']).DEMO_BACKEND_PORT);
  });

  it('keeps traffic flowing to the frontend', () => {
    const traffic = services['demo-traffic'];
    const argv = argvOf(traffic.command);
    expect(argv.slice(0, 4)).toEqual(['node', '--import', 'tsx', 'demo/traffic.ts']);
    const url = new URL(argv[argv.indexOf('--url') + 1]);
    expect(url.hostname).toBe('demo-frontend');
    expect(url.port).toBe(envOf(services['demo-frontend']).DEMO_FRONTEND_PORT);
  });
});

describe('otel-collector-config.yaml', () => {
  /** Component ids whose type is the OTLP/gRPC exporter: `otlp_grpc` since Collector v0.144.0, `otlp` before. */
  const otlpExporterIds = Object.keys(collector.exporters).filter((id) => /^(otlp|otlp_grpc)(\/.*)?$/.test(id));

  it('receives OTLP on all interfaces, gRPC 4317 and HTTP 4318', () => {
    expect(collector.receivers.otlp.protocols.grpc.endpoint).toBe('0.0.0.0:4317');
    expect(collector.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
  });

  it('exports over OTLP/gRPC to the tinyolly service on its gRPC port, gzip, without TLS', () => {
    expect(otlpExporterIds).toHaveLength(1);
    const exporter = collector.exporters[otlpExporterIds[0]];
    const [host, port] = String(exporter.endpoint).split(':');
    expect(services).toHaveProperty(host);
    expect(host).toBe('tinyolly');
    expect(Number(port)).toBe(Number(envOf(services.tinyolly).TINYOLLY_GRPC_PORT ?? 4317));
    expect(exporter.compression).toBe('gzip');
    expect(exporter.tls.insecure).toBe(true);
  });

  it('has the debug exporter and the batch processor', () => {
    expect(collector.exporters).toHaveProperty('debug');
    expect(collector.processors).toHaveProperty('batch');
  });

  it.each(['traces', 'logs', 'metrics'])('has a %s pipeline: otlp in, batch, tinyolly and debug out', (signal) => {
    const pipeline = collector.service.pipelines[signal];
    expect(pipeline.receivers).toEqual(['otlp']);
    expect(pipeline.processors.at(-1)).toBe('batch');
    expect(pipeline.exporters).toEqual(expect.arrayContaining([otlpExporterIds[0], 'debug']));
    for (const id of pipeline.processors) expect(collector.processors).toHaveProperty(id);
    for (const id of pipeline.exporters) expect(collector.exporters).toHaveProperty(id);
  });
});

describe('Dockerfile', () => {
  const runtime = stages.at(-1)!;

  it('sets TINYOLLY_HOST=0.0.0.0 in the runtime image only (CONTRACT §1)', () => {
    expect(envOfStage(runtime).TINYOLLY_HOST).toBe('0.0.0.0');
    expect(envOfStage(runtime).NODE_ENV).toBe('production');
    for (const s of stages.filter((x) => x !== runtime)) expect(envOfStage(s).TINYOLLY_HOST, s.name).toBeUndefined();
  });

  it('ends with a small non-root runtime stage (the default build target)', () => {
    expect(runtime.name).toBe('runtime');
    expect(runtime.from).toMatch(/^node:20-(slim|alpine)/);
    const user = ops(runtime, 'USER').at(-1);
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(ops(runtime, 'RUN').join(' ')).toContain('npm ci --omit=dev');
  });

  it('bundles the UI at build time and ships it to the runtime stage', () => {
    expect(ops(stage('build'), 'RUN').join(' ')).toContain('node scripts/build-ui.mjs');
    expect(existsSync(path.join(ROOT, 'scripts/build-ui.mjs'))).toBe(true);
    expect(ops(runtime, 'COPY')).toContain('--from=build /app/ui/dist ./ui/dist');
  });

  it('bundles the server at build time and ships the bundle to the runtime stage', () => {
    expect(ops(stage('build'), 'RUN').join(' ')).toContain('node scripts/build-server.mjs');
    expect(existsSync(path.join(ROOT, 'scripts/build-server.mjs'))).toBe(true);
    expect(ops(runtime, 'COPY')).toContain('--from=build /app/dist/server ./dist/server');
  });

  it('copies only paths that exist in the repository', () => {
    for (const s of stages) {
      for (const copy of ops(s, 'COPY').filter((c) => !c.startsWith('--from'))) {
        const sources = copy.split(/\s+/).slice(0, -1);
        for (const source of sources.filter((src) => src !== '.')) expect(existsSync(path.join(ROOT, source)), `${s.name}: ${source}`).toBe(true);
      }
    }
  });

  it('starts TinyOlly the way package.json does: the server bundle under plain node', () => {
    const argv = jsonArgv(ops(runtime, 'CMD').at(-1)!);
    expect(argv).toEqual(['node', 'dist/server/main.mjs']);
    expect(pkg.scripts.start).toContain(argv.join(' '));
    expect(pkg.scripts.start).toContain('node scripts/build-server.mjs');
    // The runtime installs with --omit=dev: the bundle's packages (below) and the client commands' tsx are dependencies.
    expect(pkg.dependencies).toHaveProperty('tsx');
  });

  it('needs no devDependency at runtime: every package src/main.ts reaches is a dependency', () => {
    // The runtime stage installs with --omit=dev; follow the static and dynamic imports from the CMD's entry.
    const packages = new Set<string>();
    const seen = new Set<string>();
    const queue = ['src/main.ts'];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const text = read(file);
      for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)) {
        const spec = m[1] ?? m[2];
        if (m[0].trimStart().startsWith('import type') || m[0].trimStart().startsWith('export type')) continue;
        if (spec.startsWith('.')) {
          const target = path.posix.join(path.posix.dirname(file), spec).replace(/\.js$/, '.ts');
          queue.push(existsSync(path.join(ROOT, target)) ? target : target.replace(/\.ts$/, '.js'));
        } else if (!spec.startsWith('node:') && !builtinModules.includes(spec)) {
          packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
        }
      }
    }
    expect(seen.size).toBeGreaterThan(5);
    for (const name of packages) expect(pkg.dependencies, `${name} (imported by src)`).toHaveProperty(name);
  });

  it('gives the demo stage the OpenTelemetry SDK packages the demo imports', () => {
    const demo = stage('demo');
    expect(ops(demo, 'COPY')).toContain('--from=deps /app/node_modules ./node_modules');
    expect(ops(stage('deps'), 'RUN').join(' ')).toMatch(/npm ci(?!.*--omit=dev)/);
    const imported = new Set<string>();
    for (const file of ['demo/telemetry.ts', 'demo/service-runtime.ts', 'demo/backend.ts', 'demo/frontend.ts']) {
      for (const m of read(file).matchAll(/from '(@opentelemetry\/[^']+)'/g)) imported.add(m[1]);
    }
    expect(imported.size).toBeGreaterThan(5);
    for (const name of imported) expect({ ...pkg.dependencies, ...pkg.devDependencies }, name).toHaveProperty(name);
    expect(ops(demo, 'USER').at(-1)).toBe('node');
  });

  it('excludes host node_modules and .git from the build context but keeps the sources', () => {
    const ignored = read('.dockerignore').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.git']));
    for (const needed of ['src', 'proto', 'demo', 'ui', 'scripts', 'bin', 'package.json', 'package-lock.json']) {
      expect(ignored, needed).not.toContain(needed);
    }
  });
});

describe('the image commands, run against this checkout', () => {
  let proc: ReturnType<typeof spawn> | undefined;
  let uiPort = 0;

  beforeAll(async () => {
    // Exactly the runtime CMD, with free loopback ports instead of the image defaults.
    const argv = jsonArgv(ops(stages.at(-1)!, 'CMD').at(-1)!);
    proc = spawn(argv[0] === 'node' ? process.execPath : argv[0], argv.slice(1), {
      cwd: ROOT,
      env: { ...process.env, TINYOLLY_HOST: '127.0.0.1', TINYOLLY_GRPC_PORT: '0', TINYOLLY_HTTP_PORT: '0', TINYOLLY_UI_PORT: '0', REDIS_URL: '', TINYOLLY_STORAGE: 'memory' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stderr!.on('data', (d) => (stderr += d));
    uiPort = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ready line in 20 s\n${stdout}\n${stderr}`)), 20_000);
      proc!.once('exit', (code) => reject(new Error(`exited ${code}\n${stdout}\n${stderr}`)));
      proc!.stdout!.on('data', (d) => {
        stdout += d;
        const m = /^tinyolly ready (\{.*\})$/m.exec(stdout);
        if (!m) return;
        clearTimeout(timer);
        resolve((JSON.parse(m[1]) as { ui: number }).ui);
      });
    });
  }, 30_000);

  afterAll(async () => {
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc!.once('exit', resolve));
    proc.kill('SIGTERM');
    const force = setTimeout(() => proc!.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(force);
  });

  /** Runs the HEALTHCHECK's CMD (exec form) with TINYOLLY_UI_PORT set as in the container. */
  function runHealthcheck(port: number): Promise<number | null> {
    const healthcheck = ops(stages.at(-1)!, 'HEALTHCHECK').at(-1)!;
    expect(healthcheck).not.toMatch(/curl|wget/);
    const argv = JSON.parse(healthcheck.slice(healthcheck.indexOf('CMD') + 3).trim()) as string[];
    expect(argv[0]).toBe('node');
    expect(argv.join(' ')).toContain('/healthz');
    const check = spawn(process.execPath, argv.slice(1), { env: { ...process.env, TINYOLLY_UI_PORT: String(port) }, stdio: 'ignore' });
    return new Promise((resolve) => check.once('exit', (code) => resolve(code)));
  }

  it('the HEALTHCHECK passes against the running start command', async () => {
    expect(await runHealthcheck(uiPort)).toBe(0);
  });

  it('the HEALTHCHECK fails when nothing answers', async () => {
    expect(await runHealthcheck(9)).toBe(1);
  });
});
