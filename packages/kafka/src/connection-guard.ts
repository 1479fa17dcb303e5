import { subscribe } from 'node:diagnostics_channel';
import { instancesChannel } from '@platformatic/kafka';

let installed = false;

const ignore = (): void => {};

/**
 * Works around @platformatic/kafka 2.12.1 emitting a second 'error' on a connection after its last
 * listener is gone — seen when a broker rejects the client's TLS certificate while SASL is being
 * negotiated — which would crash the process with an uncaught exception. The first error still fails
 * the request that opened the connection, so nothing is hidden from callers. Installed once, lazily,
 * by the first client configured with SASL or TLS.
 */
export function guardConnectionErrors(): void {
  if (installed) return;
  installed = true;
  subscribe(instancesChannel.name, (message) => {
    const { type, instance } = message as { type?: unknown; instance?: { on?: unknown } };
    if (type === 'connection' && instance && typeof instance.on === 'function') {
      (instance as { on(event: 'error', listener: () => void): void }).on('error', ignore);
    }
  });
}
