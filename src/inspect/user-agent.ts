/**
 * @module inspect/user-agent: maps an exporter's User-Agent to the SDK that sent it (CONTRACT §8).
 * Knows the strings the OpenTelemetry SDKs and the Collector send; anything else is null.
 */

export interface SdkInfo {
  name: string;
  language: string;
  version: string;
}

const LANGUAGES: Record<string, string> = {
  javascript: 'javascript', js: 'javascript', node: 'javascript', python: 'python', java: 'java', go: 'go',
  dotnet: 'dotnet', '.net': 'dotnet', ruby: 'ruby', rust: 'rust', php: 'php', swift: 'swift', cpp: 'cpp', 'c++': 'cpp', erlang: 'erlang', elixir: 'erlang',
};

/** gRPC libraries say the language when the SDK itself does not (grpc-node-js/1.x, grpc-go/1.x). */
const GRPC_LIBRARIES: [RegExp, string][] = [
  [/\bgrpc-node(?:-js)?\/([\w.+-]+)/i, 'javascript'],
  [/\bgrpc-go\/([\w.+-]+)/i, 'go'],
  [/\bgrpc-java-\w+\/([\w.+-]+)/i, 'java'],
  [/\bgrpc-python\/([\w.+-]+)/i, 'python'],
  [/\bgrpc-dotnet\/([\w.+-]+)/i, 'dotnet'],
  [/\bgrpc-ruby\/([\w.+-]+)/i, 'ruby'],
  [/\bgrpc-c\+\+\/([\w.+-]+)/i, 'cpp'],
];

/** A User-Agent longer than this is not looked at (the record keeps it, cut). */
const MAX_UA_CHARS = 512;

/**
 * The SDK named by a User-Agent: `OTel-OTLP-Exporter-JavaScript/0.203.0` (and -Python, -Java, -Dotnet,
 * -Ruby, -Rust, -PHP, -Swift), the Go exporters' `OTel OTLP Exporter Go/1.x` and `OTel Go OTLP over gRPC
 * trace exporter/1.x`, the Collector's `OpenTelemetry Collector Contrib/0.x (linux/amd64)`, else the gRPC
 * library's own token. Null for anything else (curl, a browser, none).
 */
export function sdkOf(userAgent: string | undefined): SdkInfo | null {
  if (!userAgent) return null;
  const ua = userAgent.length > MAX_UA_CHARS ? userAgent.slice(0, MAX_UA_CHARS) : userAgent;
  let m = /OTel-OTLP-Exporter-([\w.+]+)\/([\w.+-]+)/i.exec(ua);
  if (m) return { name: `OTel-OTLP-Exporter-${m[1]}`, language: LANGUAGES[m[1].toLowerCase()] ?? m[1].toLowerCase(), version: m[2] };
  m = /\b(OTel(?: OTLP Exporter)? Go[^/]*)\/([\w.+-]+)/.exec(ua);
  if (m) return { name: m[1].trim(), language: 'go', version: m[2] };
  m = /\b(OpenTelemetry Collector(?: [\w-]+)*)\/([\w.+-]+)/i.exec(ua);
  if (m) return { name: m[1], language: 'go', version: m[2] };
  for (const [re, language] of GRPC_LIBRARIES) {
    m = re.exec(ua);
    if (m) return { name: m[0].split('/')[0], language, version: m[1] };
  }
  return null;
}
