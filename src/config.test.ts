/**
 * Configuration (CONTRACT §1.2, §6): env vars and their defaults, CLI flags overriding env vars,
 * ConfigError for invalid values, and --help (also through the real `tinyolly` command).
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startTinyOlly } from '../test/helpers/start-tinyolly.js';
import { ConfigError, DEFAULT_CONFIG, exposureWarning, HELP, loadConfig, wantsHelp, type Config } from './config.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);

describe('defaults', () => {
  it('listens on 127.0.0.1 with ports 4317/4318/5002, memory storage and the documented limits', () => {
    expect(loadConfig([], {})).toStrictEqual({
      ...DEFAULT_CONFIG, redisUrl: undefined, otlpApiKey: undefined, uiToken: undefined, corsOrigins: undefined,
    });
    expect(DEFAULT_CONFIG).toMatchObject({
      host: '127.0.0.1', grpcPort: 4317, httpPort: 4318, uiPort: 5002, storage: 'memory', keyPrefix: 'tinyolly:',
      ttlSeconds: 600, maxMemoryMb: 256, maxRequestMb: 16, maxAttributes: 128, maxAttributeLength: 4096, maxSeriesPerMetric: 1000,
    });
  });
});

describe('environment variables', () => {
  it.each([
    ['TINYOLLY_GRPC_PORT', '14317', { grpcPort: 14317 }],
    ['TINYOLLY_HTTP_PORT', '0', { httpPort: 0 }],
    ['TINYOLLY_UI_PORT', '65535', { uiPort: 65535 }],
    ['TINYOLLY_HOST', '127.0.0.1', { host: '127.0.0.1' }],
    ['TINYOLLY_STORAGE', 'redis', { storage: 'redis', redisUrl: 'redis://127.0.0.1:6379' }],
    ['REDIS_URL', 'redis://10.0.0.1:6380/2', { storage: 'redis', redisUrl: 'redis://10.0.0.1:6380/2' }],
    ['TINYOLLY_TTL_SECONDS', '30', { ttlSeconds: 30 }],
    ['TINYOLLY_MAX_MEMORY_MB', '64', { maxMemoryMb: 64 }],
    ['TINYOLLY_KEY_PREFIX', 'team-a:', { keyPrefix: 'team-a:' }],
    ['TINYOLLY_MAX_REQUEST_MB', '4', { maxRequestMb: 4 }],
    ['TINYOLLY_MAX_ATTRIBUTES', '10', { maxAttributes: 10 }],
    ['TINYOLLY_MAX_ATTRIBUTE_LENGTH', '256', { maxAttributeLength: 256 }],
    ['TINYOLLY_MAX_SERIES_PER_METRIC', '50', { maxSeriesPerMetric: 50 }],
    ['TINYOLLY_OTLP_API_KEY', 's3cret', { otlpApiKey: 's3cret' }],
    ['TINYOLLY_UI_TOKEN', 't0ken', { uiToken: 't0ken' }],
    ['TINYOLLY_CORS_ORIGINS', 'http://a.test, http://b.test', { corsOrigins: ['http://a.test', 'http://b.test'] }],
    ['TINYOLLY_CORS_ORIGINS', '*', { corsOrigins: ['*'] }],
    ['TINYOLLY_GRPC_PORT', ' 4000 ', { grpcPort: 4000 }],
    ['TINYOLLY_HOST', '0.0.0.0', { host: '0.0.0.0' }],
    ['TINYOLLY_REDIS_CLUSTER', '1', { redisCluster: true }],
    ['TINYOLLY_REDIS_CLUSTER', 'true', { redisCluster: true }],
    ['TINYOLLY_REDIS_CLUSTER', '0', { redisCluster: false }],
    ['TINYOLLY_REDIS_CLUSTER', 'false', { redisCluster: false }],
    ['TINYOLLY_REDIS_CLUSTER', '', { redisCluster: false }],
    ['TINYOLLY_KEY_PREFIX', 'tinyolly:dev:', { keyPrefix: 'tinyolly:dev:' }],
  ] as [string, string, Partial<Config>][])('reads %s=%j', (name, value, expected) => {
    expect(loadConfig([], { [name]: value })).toMatchObject(expected);
  });

  it.each([
    ['TINYOLLY_GRPC_PORT', ''],
    ['TINYOLLY_OTLP_API_KEY', ''],
    ['TINYOLLY_UI_TOKEN', ''],
    ['TINYOLLY_CORS_ORIGINS', ' , '],
    ['REDIS_URL', ''],
  ])('treats an empty %s as unset', (name, value) => {
    const c = loadConfig([], { [name]: value });
    expect(c).toMatchObject({ grpcPort: 4317, storage: 'memory', redisUrl: undefined, otlpApiKey: undefined, uiToken: undefined, corsOrigins: undefined });
  });

  it('keeps memory storage when asked for it even with REDIS_URL set', () => {
    expect(loadConfig([], { REDIS_URL: 'redis://127.0.0.1:6379', TINYOLLY_STORAGE: 'memory' }).storage).toBe('memory');
  });
});

describe('flags', () => {
  it.each([
    [['--grpc-port', '1'], { grpcPort: 1 }],
    [['--http-port=2'], { httpPort: 2 }],
    [['--ui-port', '3'], { uiPort: 3 }],
    [['--host', '::1'], { host: '::1' }],
    [['--storage', 'redis'], { storage: 'redis' }],
    [['--redis-url', 'redis://h:1/0'], { storage: 'redis', redisUrl: 'redis://h:1/0' }],
    [['--ttl=5'], { ttlSeconds: 5 }],
    [['--grpc-port', '0', '--http-port', '0', '--ui-port', '0'], { grpcPort: 0, httpPort: 0, uiPort: 0 }],
  ] as [string[], Partial<Config>][])('reads %j', (argv, expected) => {
    expect(loadConfig(argv, {})).toMatchObject(expected);
  });

  it('override the environment variables', () => {
    const env = {
      TINYOLLY_GRPC_PORT: '1', TINYOLLY_HTTP_PORT: '2', TINYOLLY_UI_PORT: '3', TINYOLLY_HOST: 'h', TINYOLLY_STORAGE: 'memory',
      REDIS_URL: 'redis://env:1', TINYOLLY_TTL_SECONDS: '9',
    };
    const argv = ['--grpc-port', '11', '--http-port', '12', '--ui-port', '13', '--host', '127.0.0.1', '--storage', 'redis',
      '--redis-url', 'redis://flag:2', '--ttl', '99'];
    expect(loadConfig(argv, env)).toMatchObject({
      grpcPort: 11, httpPort: 12, uiPort: 13, host: '127.0.0.1', storage: 'redis', redisUrl: 'redis://flag:2', ttlSeconds: 99,
    });
  });

  it('do not change the environment object passed in', () => {
    const env = { TINYOLLY_TTL_SECONDS: '9' };
    loadConfig(['--ttl', '99'], env);
    expect(env).toEqual({ TINYOLLY_TTL_SECONDS: '9' });
  });
});

describe('invalid values throw ConfigError', () => {
  it.each([
    [[], { TINYOLLY_GRPC_PORT: 'abc' }],
    [[], { TINYOLLY_HTTP_PORT: '70000' }],
    [[], { TINYOLLY_UI_PORT: '-1' }],
    [[], { TINYOLLY_UI_PORT: '80.5' }],
    [[], { TINYOLLY_GRPC_PORT: '0x10' }],
    [[], { TINYOLLY_GRPC_PORT: '1e3' }],
    [[], { TINYOLLY_TTL_SECONDS: '0' }],
    [[], { TINYOLLY_TTL_SECONDS: '10m' }],
    [[], { TINYOLLY_MAX_MEMORY_MB: '0' }],
    [[], { TINYOLLY_MAX_REQUEST_MB: '99999' }],
    [[], { TINYOLLY_MAX_ATTRIBUTES: '0' }],
    [[], { TINYOLLY_MAX_ATTRIBUTE_LENGTH: 'lots' }],
    [[], { TINYOLLY_MAX_SERIES_PER_METRIC: '-5' }],
    [[], { TINYOLLY_STORAGE: 'postgres' }],
    [['--storage', 'disk'], {}],
    [['--grpc-port', 'x'], {}],
    [['--ttl'], {}],
    [['--bogus'], {}],
    [['4317'], {}],
    [[], { TINYOLLY_REDIS_CLUSTER: 'yes' }],
    [[], { TINYOLLY_REDIS_CLUSTER: 'on' }],
    [[], { TINYOLLY_REDIS_CLUSTER: 'TRUE' }],
    [[], { TINYOLLY_REDIS_CLUSTER: '2' }],
    [[], { TINYOLLY_KEY_PREFIX: '' }],
    [[], { TINYOLLY_KEY_PREFIX: 'a{b}:' }],
    [['--host', '--ttl', '5'], {}],
    [['--host', '--ttl'], {}],
    [['--ttl', '5', '--host', '--grpc-port'], {}],
    [['--ttl', '5', '--host'], {}],
    [['--host='], { TINYOLLY_HOST: 'x' }],
    [['--ttl', '5', 'extra'], {}],
    [['--ttl', '5', '--ttl'], {}],
  ] as [string[], Record<string, string>][])('argv %j with env %j', (argv, env) => {
    expect(() => loadConfig(argv, env)).toThrow(ConfigError);
  });

  it('names the variable and the value in the message', () => {
    expect(() => loadConfig([], { TINYOLLY_HTTP_PORT: '70000' })).toThrow(/TINYOLLY_HTTP_PORT.*"70000"/);
    expect(() => loadConfig([], { TINYOLLY_REDIS_CLUSTER: 'yes' })).toThrow(/TINYOLLY_REDIS_CLUSTER.*"yes"/);
    expect(() => loadConfig([], { TINYOLLY_KEY_PREFIX: '' })).toThrow(/TINYOLLY_KEY_PREFIX must not be empty/);
  });

  it('a flag missing its value is an error, not the next flag taken as the value', () => {
    expect(() => loadConfig(['--host', '--ttl', '5'], {})).toThrow(/--host/);
    expect(() => loadConfig(['--ttl'], {})).toThrow(/--ttl/);
    // A value that starts with a dash is still possible, written with "=".
    expect(loadConfig(['--host=-x'], {}).host).toBe('-x');
  });
});

describe('the exposure warning (CONTRACT §6)', () => {
  it.each([
    ['127.0.0.1', {}, false], ['127.1.2.3', {}, false], ['::1', {}, false], ['localhost', {}, false],
    ['0.0.0.0', {}, true], ['::', {}, true], ['192.168.1.5', {}, true],
    ['0.0.0.0', { otlpApiKey: 'k' }, false], ['0.0.0.0', { uiToken: 't' }, false],
  ] as [string, Partial<Config>, boolean][])('host %s with %j warns: %s', (host, secrets, warns) => {
    const w = exposureWarning({ host, ...secrets });
    if (warns) {
      expect(w).toContain('WARNING');
      expect(w).toContain('TINYOLLY_OTLP_API_KEY');
      expect(w).toContain('TINYOLLY_UI_TOKEN');
    } else {
      expect(w).toBeUndefined();
    }
  });

  it('the default configuration prints none', () => {
    expect(exposureWarning(loadConfig([], {}))).toBeUndefined();
  });

  it('a plain start (no TINYOLLY_HOST) listens on loopback and prints no WARNING; 0.0.0.0 without key or token does', async () => {
    const plain = await startTinyOlly({ TINYOLLY_HOST: '' });
    const open = await startTinyOlly({ TINYOLLY_HOST: '0.0.0.0' }).catch(async (err) => { await plain.stop(); throw err; });
    try {
      expect((await fetch(`${plain.baseUrl}/healthz`)).status).toBe(200);
      // Through an address of this machine that is not loopback (when it has one): refused by the default bind only.
      const external = Object.values(os.networkInterfaces()).flat().find((a) => a && !a.internal && a.family === 'IPv4')?.address;
      if (external) {
        await expect(fetch(`http://${external}:${plain.ports.ui}/healthz`, { signal: AbortSignal.timeout(10_000) })).rejects.toThrow();
        expect((await fetch(`http://${external}:${open.ports.ui}/healthz`, { signal: AbortSignal.timeout(10_000) })).status).toBe(200);
      }
      expect(plain.output().stderr).not.toContain('WARNING');
      expect(open.output().stderr).toMatch(/WARNING.*TINYOLLY_OTLP_API_KEY.*TINYOLLY_UI_TOKEN/);
    } finally {
      await Promise.all([plain.stop(), open.stop()]);
    }
  }, 60_000);
});

describe('--help', () => {
  it.each([[['--help'], true], [['-h'], true], [['--ttl', '5', '--help'], true], [[], false], [['--ttl', '5'], false]])(
    'wantsHelp(%j) is %s', (argv, expected) => {
      expect(wantsHelp(argv)).toBe(expected);
    });

  it('lists every flag and every environment variable of the contract', () => {
    for (const word of [
      '--grpc-port', '--http-port', '--ui-port', '--host', '--storage', '--redis-url', '--ttl',
      'TINYOLLY_GRPC_PORT', 'TINYOLLY_HTTP_PORT', 'TINYOLLY_UI_PORT', 'TINYOLLY_HOST', 'TINYOLLY_STORAGE', 'REDIS_URL',
      'TINYOLLY_TTL_SECONDS', 'TINYOLLY_MAX_MEMORY_MB', 'TINYOLLY_KEY_PREFIX', 'TINYOLLY_MAX_REQUEST_MB', 'TINYOLLY_MAX_ATTRIBUTES',
      'TINYOLLY_MAX_ATTRIBUTE_LENGTH', 'TINYOLLY_MAX_SERIES_PER_METRIC', 'TINYOLLY_OTLP_API_KEY', 'TINYOLLY_UI_TOKEN', 'TINYOLLY_CORS_ORIGINS',
    ]) expect(HELP, word).toContain(word);
  });

  it.concurrent('is printed by the tinyolly command, which exits 0 without starting anything', async () => {
    const { stdout } = await run(process.execPath, [path.join(ROOT, 'bin/tinyolly.js'), '--help'], { cwd: ROOT, timeout: 20_000 });
    expect(stdout).toBe(HELP);
  });

  it.concurrent('the tinyolly command exits 2 with the ConfigError message on an invalid value', async () => {
    const failed = await run(process.execPath, [path.join(ROOT, 'bin/tinyolly.js'), '--ttl', 'soon'], { cwd: ROOT, timeout: 20_000 })
      .then(() => undefined, (err: { code: number; stderr: string; stdout: string }) => err);
    expect(failed).toMatchObject({ code: 2, stdout: '' });
    expect(failed?.stderr).toMatch(/^tinyolly: TINYOLLY_TTL_SECONDS must be an integer/);
  });

  it.each([
    [{ TINYOLLY_KEY_PREFIX: '' }, [], /^tinyolly: TINYOLLY_KEY_PREFIX must not be empty/],
    [{ TINYOLLY_REDIS_CLUSTER: 'yes' }, [], /^tinyolly: TINYOLLY_REDIS_CLUSTER must be 1, true, 0 or false, got "yes"/],
    [{}, ['--host', '--ttl', '5'], /^tinyolly: Option '--host' argument is ambiguous/],
    [{}, ['--ttl'], /^tinyolly: Option '--ttl <value>' argument missing/],
  ] as [Record<string, string>, string[], RegExp][])('the tinyolly command exits 2 on env %j argv %j', async (env, argv, message) => {
    const failed = await run(process.execPath, [path.join(ROOT, 'bin/tinyolly.js'), ...argv], { cwd: ROOT, timeout: 60_000, env: { ...process.env, ...env } })
      .then(() => undefined, (err: { code: number; stderr: string; stdout: string }) => err);
    expect(failed).toMatchObject({ code: 2, stdout: '' });
    expect(failed?.stderr).toMatch(message);
  }, 70_000);
});

describe('TINYOLLY_INSPECTOR_REQUESTS (CONTRACT §8)', () => {
  it('defaults to 1000, is read from the environment, and refuses 0 or junk', () => {
    expect(loadConfig([], {}).inspectorRequests).toBe(1000);
    expect(loadConfig([], { TINYOLLY_INSPECTOR_REQUESTS: '50' }).inspectorRequests).toBe(50);
    expect(() => loadConfig([], { TINYOLLY_INSPECTOR_REQUESTS: '0' })).toThrow(ConfigError);
    expect(() => loadConfig([], { TINYOLLY_INSPECTOR_REQUESTS: '1e3' })).toThrow(ConfigError);
  });
});
