import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { contextFrom, Tracing, traceparentOf } from './tracing.ts';

describe('tracing', () => {
  it('continues the trace of an incoming traceparent and hands out its own', () => {
    const exporter = new InMemorySpanExporter();
    const tracing = new Tracing({ service: 's', instance: 'i', exporter });
    const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const span = tracing.startSpan('work', SpanKind.CONSUMER, parent);
    const own = traceparentOf(span);
    span.end();
    expect(own).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    const [finished] = exporter.getFinishedSpans();
    expect(finished?.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
  });

  it('starts a new trace for a missing or malformed traceparent', () => {
    expect(contextFrom(undefined)).toBe(contextFrom('garbage'));
    const tracing = new Tracing({ service: 's', instance: 'i', exporter: new InMemorySpanExporter() });
    const span = tracing.startSpan('x', SpanKind.SERVER, 'garbage');
    expect(traceparentOf(span)).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('records nothing and injects nothing when no exporter is configured', () => {
    const tracing = new Tracing({ service: 's', instance: 'i' });
    expect(tracing.enabled).toBe(false);
    expect(traceparentOf(tracing.startSpan('x', SpanKind.SERVER, undefined))).toBeUndefined();
  });
});
