/**
 * @module doctor/rules: the table of the instrumentation doctor's rules (CONTRACT §9): stable id,
 * severity, title and the hint that says what to change, in the user's terms (SDK setting or code,
 * per language where it differs). Semantic-convention checks follow semconv 1.37.
 */

export type Severity = 'error' | 'warning' | 'info';

export const SEMCONV_VERSION = '1.37';

export interface RuleInfo {
  rule: string;
  severity: Severity;
  title: string;
  hint: string;
}

export const RULES: readonly RuleInfo[] = [
  {
    rule: 'missing-service-name', severity: 'error', title: 'Telemetry without a service name (unknown_service)',
    hint: 'Set the service name: OTEL_SERVICE_NAME=my-service (every SDK), or the resource attribute service.name in code — '
      + 'Node: new NodeSDK({ serviceName }) / resourceFromAttributes({ "service.name": … }); Python: Resource.create({"service.name": …}); '
      + 'Java: -Dotel.service.name=…; Go: resource.New(ctx, resource.WithAttributes(semconv.ServiceName(…))); .NET: ResourceBuilder.CreateDefault().AddService("…").',
  },
  {
    rule: 'orphan-span', severity: 'warning', title: 'Spans whose parent never arrived (30 s after the child)',
    hint: 'The parent span was not exported: a service upstream is not instrumented or does not export to TinyOlly, the parent was never ended '
      + '(Node/Python/Go/.NET: call span.end() / End() / Dispose() on every path; Java: span.end() in finally), or the process exited before the '
      + 'batch span processor flushed (call sdk.shutdown() / provider.shutdown() / ForceFlush on exit). Check that every service propagates W3C traceparent.',
  },
  {
    rule: 'duplicate-span-id', severity: 'error', title: 'Different spans sharing one span id',
    hint: 'Two spans with the same trace and span id but a different name or start: a custom IdGenerator or a hand-built SpanContext reuses ids. '
      + 'Use the SDK default id generator (random); never copy a parent\'s span id into a new span.',
  },
  {
    rule: 'exception-without-error', severity: 'warning', title: 'Exception recorded on a span whose status is UNSET',
    hint: 'recordException does not mark the span failed: also set the status — Node: span.setStatus({ code: SpanStatusCode.ERROR, message }); '
      + 'Python: span.set_status(Status(StatusCode.ERROR)); Java: span.setStatus(StatusCode.ERROR); Go: span.SetStatus(codes.Error, msg); '
      + '.NET: activity.SetStatus(ActivityStatusCode.Error). Set error.type too.',
  },
  {
    rule: 'server-error-not-marked', severity: 'error', title: 'SERVER span answering 5xx with status UNSET',
    hint: 'A server span whose http.response.status_code is 5xx must have status ERROR (semconv ' + SEMCONV_VERSION + '), and error.type set. '
      + 'If a framework answers the 5xx after your handler, upgrade its instrumentation; in hand-written server spans set the status where you set the status code.',
  },
  {
    rule: 'high-cardinality-span-name', severity: 'warning', title: 'Span names carrying ids, numbers or full URLs (many distinct names)',
    hint: 'Name spans by a low-cardinality template ("GET /users/{id}", the route), put the variable part in attributes (url.path, db.query.text). '
      + 'Node: updateName(`${method} ${route}`) or the framework instrumentation; Python/Java/Go/.NET: use the route template as the span name (e.g. Go otelhttp.WithSpanNameFormatter).',
  },
  {
    rule: 'http-server-without-route', severity: 'info', title: 'HTTP SERVER spans without http.route',
    hint: 'Without http.route requests cannot be grouped by endpoint. Add the framework instrumentation (Node: @opentelemetry/instrumentation-express/-fastify/-koa; '
      + 'Python: opentelemetry-instrumentation-flask/-django/-fastapi; Java: the agent covers Spring/JAX-RS; Go: otelhttp.WithRouteTag or otelgin/otelmux; '
      + '.NET: OpenTelemetry.Instrumentation.AspNetCore), or set span.setAttribute("http.route", template).',
  },
  {
    rule: 'log-without-trace-context', severity: 'warning', title: 'Service sends spans and logs, but no log carries a trace id',
    hint: 'Logs are not correlated with traces: route them through the OTel logs bridge inside the active span — Node: @opentelemetry/instrumentation-pino/-winston/-bunyan; '
      + 'Python: LoggingHandler with the SDK LoggerProvider (OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED=true); Java: the agent\'s logback/log4j appender; '
      + 'Go: otelslog / otelzap with the ctx passed to each call; .NET: builder.Logging.AddOpenTelemetry().',
  },
  {
    rule: 'clock-skew', severity: 'warning', title: 'Child span starting outside its parent across services (clock skew > 1 ms)',
    hint: 'A span in another service starts before its parent (or a server span starts after its client span ended): the hosts\' clocks differ. Sync them (NTP/chrony; in containers, the host clock), '
      + 'or, for async work that outlives the request, use a span link instead of a parent.',
  },
  {
    rule: 'deprecated-semconv', severity: 'info', title: 'Deprecated semantic-convention attribute',
    hint: 'Old attribute names (semconv ' + SEMCONV_VERSION + ' names the replacement). Node and Python: OTEL_SEMCONV_STABILITY_OPT_IN=http,database (or upgrade the instrumentation); '
      + 'Java: agent 2.x emits the stable names; Go: upgrade go.opentelemetry.io/contrib instrumentation (otelhttp ≥ 0.5x); .NET: upgrade OpenTelemetry.Instrumentation.* to 1.x; '
      + 'hand-written attributes: rename them.',
  },
  {
    rule: 'limits-hit', severity: 'warning', title: 'Values cut or items dropped by TinyOlly\'s limits',
    hint: 'Some telemetry exceeded a limit (CONTRACT §6) and was cut or refused. Raise TINYOLLY_MAX_ATTRIBUTE_LENGTH / TINYOLLY_MAX_ATTRIBUTES / '
      + 'TINYOLLY_MAX_SERIES_PER_METRIC, or send less: the SDK has matching limits (OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT, OTEL_ATTRIBUTE_COUNT_LIMIT) and metric Views can drop high-cardinality labels.',
  },
];

export const RULE_BY_ID: ReadonlyMap<string, RuleInfo> = new Map(RULES.map((r) => [r.rule, r]));

/** Deprecated attribute → its current name (semconv 1.37). */
export const DEPRECATED_ATTRIBUTES: Readonly<Record<string, string>> = {
  'http.method': 'http.request.method',
  'http.status_code': 'http.response.status_code',
  'http.url': 'url.full',
  'http.target': 'url.path and url.query',
  'http.scheme': 'url.scheme',
  'http.user_agent': 'user_agent.original',
  'http.flavor': 'network.protocol.version',
  'net.peer.name': 'server.address',
  'net.peer.port': 'server.port',
  'net.host.name': 'server.address',
  'net.host.port': 'server.port',
  'net.transport': 'network.transport',
  'db.statement': 'db.query.text',
  'db.system': 'db.system.name',
  'db.operation': 'db.operation.name',
  'db.name': 'db.namespace',
};

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { error: 0, warning: 1, info: 2 };
