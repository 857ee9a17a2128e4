// Types of scripts/build-server.mjs for the TypeScript that imports it (vitest's global setup, bench/server.ts).
export declare const SERVER_BUNDLE: string;
export declare function serverBundleStale(bundle?: string): Promise<boolean>;
export declare function buildServer(bundle?: string): Promise<number>;
export declare function ensureServerBundle(options?: { bundle?: string; build?: () => Promise<unknown>; warn?: (message: string) => void }): Promise<boolean>;
