/**
 * Tests for the memory store: the shared Store contract, plus what only this backend does:
 * TTL expiry on an injected clock, the byte cap's oldest-first eviction, series slots freed on expiry.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LogRecord, MetricSample, Span } from '../../model/model.js';
import { runStoreContract } from '../store.contract.js';
import { MemoryStore } from './memory-store.js';

runStoreContract('memory', async (options) => new MemoryStore({ ...options, maxBytes: 64 * 1024 * 1024 }));
