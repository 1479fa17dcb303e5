import { describe, expect, it } from 'vitest';
import { isContainerRead, patchBody } from './docker-api-shim.ts';

const ids = new Map([['kafka-poc_default', 'bdb8361d67b3']]);

describe('isContainerRead', () => {
  it('matches container list and inspect, with or without an API version', () => {
    expect(isContainerRead('GET', '/v1.41/containers/json?all=1')).toBe('list');
    expect(isContainerRead('GET', '/containers/json')).toBe('list');
    expect(isContainerRead('GET', '/v1.41/containers/abc123/json')).toBe('inspect');
    expect(isContainerRead('POST', '/v1.41/containers/abc123/json')).toBeUndefined();
    expect(isContainerRead('GET', '/v1.41/containers/abc/logs')).toBeUndefined();
  });
});

describe('patchBody', () => {
  it('puts network ids where podman 4.3 reports network names (list)', () => {
    const list = [
      {
        NetworkSettings: { Networks: { 'kafka-poc_default': { NetworkID: 'kafka-poc_default' } } },
        Ports: [
          { PrivatePort: 8002, PublicPort: 40321, Type: 'tcp' },
          { PrivatePort: 9094, PublicPort: 9094, IP: '127.0.0.1' },
        ],
      },
    ];
    expect(patchBody(list, 'list', ids)).toEqual([
      {
        NetworkSettings: { Networks: { 'kafka-poc_default': { NetworkID: 'bdb8361d67b3' } } },
        Ports: [
          { PrivatePort: 8002, PublicPort: 40321, Type: 'tcp', IP: '0.0.0.0' },
          { PrivatePort: 9094, PublicPort: 9094, IP: '127.0.0.1' },
        ],
      },
    ]);
  });

  it('fills the empty host IP of ports published on every interface (inspect)', () => {
    const inspect = {
      NetworkSettings: {
        Networks: { 'kafka-poc_default': { NetworkID: 'kafka-poc_default' }, other: { NetworkID: 'abc' } },
        Ports: {
          '8002/tcp': [{ HostIp: '', HostPort: '40321' }],
          '9094/tcp': [{ HostIp: '127.0.0.1', HostPort: '9094' }],
          '80/tcp': null,
        },
      },
    };
    const patched = patchBody(inspect, 'inspect', ids) as typeof inspect;
    expect(patched.NetworkSettings.Networks['kafka-poc_default']?.NetworkID).toBe('bdb8361d67b3');
    expect(patched.NetworkSettings.Networks.other?.NetworkID).toBe('abc');
    expect(patched.NetworkSettings.Ports['8002/tcp']).toEqual([{ HostIp: '0.0.0.0', HostPort: '40321' }]);
    expect(patched.NetworkSettings.Ports['9094/tcp']).toEqual([{ HostIp: '127.0.0.1', HostPort: '9094' }]);
  });
});
