import type { Message } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { headersToRecord, toIncomingMessage, toLibraryMessage } from './message-codec.ts';

describe('message codec', () => {
  it('encodes keys, values and headers as UTF-8 buffers', () => {
    const encoded = toLibraryMessage({ topic: 't', key: 'clé', value: 'välue', headers: { 'x-id': 'ü' } }, 2);
    expect(encoded.partition).toBe(2);
    expect(encoded.key?.toString('utf8')).toBe('clé');
    expect(encoded.value?.toString('utf8')).toBe('välue');
    const headers = [...(encoded.headers as Map<Buffer, Buffer>)].map(([k, v]) => [
      k.toString(),
      v.toString(),
    ]);
    expect(headers).toEqual([['x-id', 'ü']]);
  });

  it('passes Buffer values through and leaves a missing key missing', () => {
    const value = Buffer.from([0, 1, 2]);
    const encoded = toLibraryMessage({ topic: 't', value }, 0);
    expect(encoded.value).toBe(value);
    expect(encoded.key).toBeUndefined();
  });

  it('decodes library messages, giving tombstones an empty value', () => {
    const message = {
      topic: 't',
      partition: 1,
      offset: 41n,
      key: Buffer.from('k'),
      value: undefined,
      headerEntries: [[Buffer.from('a'), Buffer.from('1')]],
      timestamp: 1_700_000_000_000n,
    } as unknown as Message;
    expect(toIncomingMessage(message)).toEqual({
      topic: 't',
      partition: 1,
      offset: 41n,
      key: 'k',
      value: Buffer.alloc(0),
      headers: { a: '1' },
      timestamp: 1_700_000_000_000,
    });
  });

  it('keeps the last of duplicate headers and tolerates null header values', () => {
    const headers = headersToRecord([
      [Buffer.from('a'), Buffer.from('1')],
      [Buffer.from('a'), Buffer.from('2')],
      [Buffer.from('b'), null],
      [null, Buffer.from('ignored')],
    ]);
    expect(headers).toEqual({ a: '2', b: '' });
  });
});
