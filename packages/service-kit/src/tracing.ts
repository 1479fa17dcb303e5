import type { IncomingMessage } from '@kafka-poc/kafka';
import type { EventTracer } from '@kafka-poc/outbox';
import {
  type Attributes,
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  TracerProvider,
} from '@opentelemetry/sdk-trace';

export type { Span };

export interface TracingOptions {
  service: string;
  instance: string;
  /** OTLP/HTTP traces endpoint (e.g. http://collector:4318/v1/traces); tracing exports nothing without it. */
  otlpEndpoint?: string | undefined;
  /** Tests pass an in-memory exporter; it is flushed synchronously (SimpleSpanProcessor). */
  exporter?: SpanExporter | undefined;
}

/**
 * Tracing without globals: the service owns its provider and passes the tracer down. Context crosses
 * HTTP and Kafka only as W3C `traceparent` strings, injected and extracted here, so the producer
 * side (outbox rows) and consumer side (Kafka headers) need no context manager. With no exporter
 * configured, spans are not recorded at all (the no-op tracer).
 */
export class Tracing {
  readonly tracer: Tracer;
  readonly enabled: boolean;
  #provider: TracerProvider | undefined;

  constructor(options: TracingOptions) {
    const exporter =
      options.exporter ??
      (options.otlpEndpoint ? new OTLPTraceExporter({ url: options.otlpEndpoint }) : undefined);
    if (!exporter) {
      this.enabled = false;
      this.tracer = trace.getTracer('noop');
      return;
    }
    this.enabled = true;
    this.#provider = new TracerProvider({
      resource: resourceFromAttributes({
        'service.name': options.service,
        'service.instance.id': options.instance,
      }),
      spanProcessors: [
        options.exporter ? new SimpleSpanProcessor({ exporter }) : new BatchSpanProcessor({ exporter }),
      ],
    });
    this.tracer = this.#provider.getTracer(options.service);
  }

  /** A span whose parent is the `traceparent` (from a request or a Kafka header), or a new trace. */
  startSpan(
    name: string,
    kind: SpanKind,
    traceparent: string | undefined,
    attributes: Attributes = {},
  ): Span {
    return this.tracer.startSpan(name, { kind, attributes }, contextFrom(traceparent));
  }

  async shutdown(): Promise<void> {
    await this.#provider?.shutdown();
  }
}

export { SpanKind };

/** The W3C traceparent of a span, to put in outbox headers; undefined when not recording. */
export function traceparentOf(span: Span | undefined): string | undefined {
  const context = span?.spanContext();
  if (!context || !trace.isSpanContextValid(context) || !span?.isRecording()) return undefined;
  const flags = (context.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? '01' : '00';
  return `00-${context.traceId}-${context.spanId}-${flags}`;
}

/** Parses a W3C traceparent (version 00); anything malformed starts a new trace. */
export function contextFrom(traceparent: string | undefined): Context {
  const match = traceparent
    ? /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(traceparent.trim())
    : null;
  if (!match?.[1] || !match[2] || !match[3]) return ROOT_CONTEXT;
  const spanContext = {
    traceId: match[1],
    spanId: match[2],
    traceFlags: Number.parseInt(match[3], 16),
    isRemote: true,
  };
  return trace.isSpanContextValid(spanContext)
    ? trace.setSpanContext(ROOT_CONTEXT, spanContext)
    : ROOT_CONTEXT;
}

/** Ends a span with an error status (message only: no stack or internals leave the process). */
export function endWithError(span: Span, error: unknown): void {
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
  span.end();
}

/** The inbox handler's tracer: a CONSUMER span per applied event, child of its `traceparent` header. */
export function createEventTracer(tracing: Tracing, groupId: string): EventTracer {
  return {
    start(message: IncomingMessage, eventType: string) {
      const span = tracing.startSpan(
        `${message.topic} process`,
        SpanKind.CONSUMER,
        message.headers.traceparent,
        {
          'messaging.system': 'kafka',
          'messaging.destination.name': message.topic,
          'messaging.consumer.group.name': groupId,
          'messaging.destination.partition.id': String(message.partition),
          'messaging.kafka.offset': Number(message.offset),
          'messaging.kafka.message.key': message.key ?? '',
          'event.type': eventType,
        },
      );
      return {
        traceparent: traceparentOf(span),
        end: (error?: unknown) => (error === undefined ? span.end() : endWithError(span, error)),
      };
    },
  };
}
