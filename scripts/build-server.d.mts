// Types of scripts/build-server.mjs for the TypeScript that imports it (vitest's global setup, bench/server.ts).
export declare const SERVER_BUNDLE: string;
export declare function serverBundleStale(): Promise<boolean>;
export declare function buildServer(): Promise<number>;
