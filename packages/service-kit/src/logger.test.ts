import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, scrubSecrets } from './logger.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({
    service: 'order-service',
    instance: 'order-service-1',
    level: 'info',
    pretty: false,
    destination,
  });
  return { logger, lines };
}

describe('logger', () => {
  it('writes JSON with service and instance', () => {
    const { logger, lines } = capture();
    logger.info({ orderId: 'o-1', traceId: 't-1', correlationId: 'c-1' }, 'order accepted');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      service: 'order-service',
      instance: 'order-service-1',
      orderId: 'o-1',
      traceId: 't-1',
      correlationId: 'c-1',
      msg: 'order accepted',
    });
  });

  it('never writes secrets: headers, passwords, connection strings, tokens in errors', () => {
    const { logger, lines } = capture();
    logger.info(
      { req: { headers: { authorization: 'Bearer s3cr3t-token', cookie: 'sid=s3cr3t' } } },
      'request',
    );
    logger.info(
      {
        config: {
          database: { url: 'postgres://app:s3cr3t@db:5432/appdb' },
          kafka: { sasl: { password: 's3cr3t' } },
        },
      },
      'config',
    );
    logger.info({ user: { password: 's3cr3t' }, password: 's3cr3t' }, 'login');
    logger.error(
      { err: new Error('connect failed for postgres://app:s3cr3t@db:5432/appdb with Bearer s3cr3t-token') },
      'boom',
    );
    const all = lines.join('\n');
    expect(all).not.toContain('s3cr3t');
    expect(all).toContain('[redacted]');
    expect(lines).toHaveLength(4);
  });

  it('scrubs credentials from free text', () => {
    expect(scrubSecrets('postgres://u:p@h/db and amqp://x:y@z')).toBe(
      'postgres://[redacted]@h/db and amqp://[redacted]@z',
    );
    expect(scrubSecrets('no secrets here http://host/path')).toBe('no secrets here http://host/path');
  });
});
