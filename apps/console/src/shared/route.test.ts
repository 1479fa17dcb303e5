import { describe, expect, it } from 'vitest';
import { parseRoute, routeHref } from './route.ts';

describe('routes', () => {
  it('parses page, param and query from the hash', () => {
    expect(parseRoute('')).toEqual({ page: 'flow', param: undefined, query: {} });
    expect(parseRoute('#/groups/ns.order-service')).toEqual({
      page: 'groups',
      param: 'ns.order-service',
      query: {},
    });
    expect(parseRoute('#/messages?topic=order-events&partition=1')).toEqual({
      page: 'messages',
      param: undefined,
      query: { topic: 'order-events', partition: '1' },
    });
    expect(parseRoute('#/unknown')).toMatchObject({ page: 'flow' });
    expect(parseRoute('#/groups/%E0%A4%A')).toMatchObject({ page: 'groups', param: undefined });
  });

  it('builds hrefs that parse back', () => {
    const href = routeHref('dead-letters', 'a/b.DLT', { x: '1', empty: '', none: undefined });
    expect(href).toBe('#/dead-letters/a%2Fb.DLT?x=1');
    expect(parseRoute(href)).toEqual({ page: 'dead-letters', param: 'a/b.DLT', query: { x: '1' } });
  });
});
