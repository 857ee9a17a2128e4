/**
 * @module cli/client: the HTTP client of the subcommands. Talks to a running TinyOlly through its
 * public API only, with `Authorization: Bearer $TINYOLLY_UI_TOKEN` when the token is set.
 */

/** The API could not be used (unreachable, 401, 5xx): the subcommand prints it and exits 2. */
export class ApiError extends Error {
  constructor(message: string, readonly status?: number, readonly body?: unknown) {
    super(message);
  }
}

export interface ApiClient {
  readonly baseUrl: string;
  /**
   * GET a JSON answer. Resolves `{status, body}` for 2xx and 404 (callers tell "not found" from
   * "no such route" by the body); throws ApiError otherwise, with the server's `error` text.
   */
  get<T = any>(path: string, params?: Record<string, string | string[] | number | undefined>, signal?: AbortSignal): Promise<{ status: number; body: T }>;
}

export function apiClient(baseUrl: string, token: string | undefined): ApiClient {
  const base = baseUrl.replace(/\/+$/, '');
  if (!/^https?:\/\//.test(base)) throw new ApiError(`--url must start with http:// or https:// (got ${baseUrl})`);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  return {
    baseUrl: base,
    async get(path, params = {}, signal) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(params)) {
        if (v === undefined) continue;
        for (const x of Array.isArray(v) ? v : [v]) qs.append(k, String(x));
      }
      const url = `${base}${path}${qs.size ? `?${qs}` : ''}`;
      let res: Response;
      try {
        res = await fetch(url, { headers, signal });
      } catch (err) {
        const c = (err as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
        const cause = c?.code ?? c?.errors?.[0]?.code ?? c?.message ?? (err as Error).message;
        throw new ApiError(`cannot reach TinyOlly at ${base} (${cause}): is it running? (--url sets the address)`);
      }
      const text = await res.text();
      let body: unknown = text;
      try { body = JSON.parse(text); } catch { /* not JSON */ }
      const error = (body as { error?: unknown })?.error;
      if (res.status === 401) {
        throw new ApiError(`TinyOlly at ${base} needs its token: set TINYOLLY_UI_TOKEN${token ? ' (the one set was refused)' : ''}`, 401, body);
      }
      if ((res.status >= 200 && res.status < 300) || res.status === 404) return { status: res.status, body: body as any };
      throw new ApiError(`${path}: ${res.status} ${typeof error === 'string' ? error : text.slice(0, 200)}`, res.status, body);
    },
  };
}
