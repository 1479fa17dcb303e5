import { describe, expect, it } from 'vitest';
import { brokerProperties } from './kafka-config.ts';

const node = { nodeId: 2, brokerPort: 9192, controllerPort: 9193 };
const all = [{ nodeId: 1, brokerPort: 9092, controllerPort: 9093 }, node];

describe('brokerProperties', () => {
  it('keeps the PLAINTEXT and CONTROLLER listeners alone by default', () => {
    const props = new Map(brokerProperties({ node, all, logDir: '/d' }));
    expect(props.get('listeners')).toBe('PLAINTEXT://127.0.0.1:9192,CONTROLLER://127.0.0.1:9193');
    expect(props.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:9192');
    expect(props.get('listener.security.protocol.map')).toBe('CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT');
  });

  it('adds extra listeners that bind one port and advertise another (a proxy in front)', () => {
    const props = new Map(
      brokerProperties({
        node,
        all,
        logDir: '/d',
        listeners: [
          { name: 'ORDER_1', port: 40001, advertisedPort: 50001 },
          { name: 'ORDER_2', port: 40002, advertisedPort: 50002 },
        ],
      }),
    );
    expect(props.get('listeners')).toBe(
      'PLAINTEXT://127.0.0.1:9192,CONTROLLER://127.0.0.1:9193,ORDER_1://127.0.0.1:40001,ORDER_2://127.0.0.1:40002',
    );
    expect(props.get('advertised.listeners')).toBe(
      'PLAINTEXT://127.0.0.1:9192,ORDER_1://127.0.0.1:50001,ORDER_2://127.0.0.1:50002',
    );
    expect(props.get('listener.security.protocol.map')).toBe(
      'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,ORDER_1:PLAINTEXT,ORDER_2:PLAINTEXT',
    );
    // Brokers keep talking to each other directly.
    expect(props.get('inter.broker.listener.name')).toBe('PLAINTEXT');
  });
});
