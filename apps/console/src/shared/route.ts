// The browser app's routes live in the URL hash: #/page/param?query.

export type PageName = 'cluster' | 'messages' | 'groups' | 'dead-letters' | 'audit' | 'flow' | 'login';

export interface Route {
  page: PageName;
  /** The path segment after the page (a group id, a DLT topic, an order id), decoded. */
  param: string | undefined;
  query: Record<string, string>;
}

const PAGES: readonly PageName[] = [
  'cluster',
  'messages',
  'groups',
  'dead-letters',
  'audit',
  'flow',
  'login',
];

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const [path = '', search = ''] = raw.split('?', 2);
  const [first = '', ...rest] = path.split('/');
  const page = (PAGES as readonly string[]).includes(first) ? (first as PageName) : 'flow';
  let param: string | undefined;
  try {
    param = rest.length > 0 && rest.join('/') !== '' ? decodeURIComponent(rest.join('/')) : undefined;
  } catch {
    param = undefined;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(search)) query[k] = v;
  return { page, param, query };
}

export function routeHref(
  page: PageName,
  param?: string,
  query?: Record<string, string | undefined>,
): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') q.set(k, v);
  const search = q.toString();
  return `#/${page}${param !== undefined ? `/${encodeURIComponent(param)}` : ''}${search ? `?${search}` : ''}`;
}
