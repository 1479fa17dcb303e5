import { describe, expect, it } from 'vitest';
import { fullName, parseImageRef } from './image-ref.ts';

describe('parseImageRef', () => {
  it('resolves short names the way Docker does', () => {
    expect(fullName(parseImageRef('node:24-slim'))).toBe('docker.io/library/node:24-slim');
    expect(fullName(parseImageRef('apache/kafka:4.4.0'))).toBe('docker.io/apache/kafka:4.4.0');
    expect(fullName(parseImageRef('postgres'))).toBe('docker.io/library/postgres:latest');
    expect(fullName(parseImageRef('localhost/kafka-poc-standin/debian:bookworm'))).toBe(
      'localhost/kafka-poc-standin/debian:bookworm',
    );
    expect(fullName(parseImageRef('registry.example.com:5000/kafka-poc/order-service:0.1.0'))).toBe(
      'registry.example.com:5000/kafka-poc/order-service:0.1.0',
    );
  });
});
