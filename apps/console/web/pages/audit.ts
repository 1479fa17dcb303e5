import type { AuditPageView, AuditRecord } from '../../src/shared/audit-view.ts';
import { formatTimestamp } from '../../src/shared/format.ts';
import type { Page, PageContext } from '../context.ts';
import { badge, h, replace, table } from '../dom.ts';
import { field } from './cluster.ts';

const PAGE_SIZE = 50;

/**
 * The audit trail: every write made through the console and the services' admin API, newest first,
 * a page at a time, filtered by actor and route. Read-only for everybody: nothing here writes.
 */
export function auditPage(ctx: PageContext): Page {
  const actor = h('input', { type: 'search', name: 'actor', placeholder: 'session:…, key:…, local' });
  const route = h('input', { type: 'search', name: 'route', placeholder: 'e.g. PUT /inventory' });
  const apply = h('button', { type: 'submit' }, 'Filter');
  const more = h('button', { type: 'button', class: 'ghost' }, 'Older…');
  const body = h('section', { class: 'panel' }, h('p', { class: 'muted' }, 'Loading…'));
  const footer = h('div', { class: 'tools' });
  let rows: AuditRecord[] = [];
  let cursor: string | null = null;
  let topic = '';

  const load = async (append: boolean) => {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (actor.value) query.set('actor', actor.value);
    if (route.value) query.set('route', route.value);
    if (append && cursor) query.set('cursor', cursor);
    try {
      const page = await ctx.api.get<AuditPageView>(`/api/audit?${query}`);
      topic = page.topic;
      rows = append ? [...rows, ...page.records] : page.records;
      cursor = page.nextCursor;
      render();
    } catch (error) {
      ctx.toasts.error(error);
    }
  };

  const render = () => {
    replace(
      body,
      rows.length === 0
        ? h('p', { class: 'empty' }, 'No audit records.')
        : table(
            ['Time', 'Source', 'Actor', 'Client', 'Request', 'Params', 'Summary', 'Outcome', 'Request id'],
            rows.map((r) =>
              h(
                'tr',
                { 'data-audit': r.id },
                h('td', { class: 'nowrap' }, formatTimestamp(r.at)),
                h('td', null, r.source),
                h('td', { class: 'mono', 'data-actor': r.actor }, r.actor),
                h('td', { class: 'mono' }, r.client),
                h('td', { class: 'mono', 'data-route': `${r.method} ${r.route}` }, `${r.method} ${r.route}`),
                h('td', { class: 'mono' }, compact(r.params)),
                h('td', { class: 'mono' }, r.summary ? compact(r.summary) : '–'),
                h(
                  'td',
                  { 'data-status': r.status },
                  badge(
                    `${r.status}${r.errorCode ? ` ${r.errorCode}` : ''}`,
                    r.outcome === 'ok' ? 'ok' : r.outcome === 'refused' ? 'warn' : 'bad',
                  ),
                ),
                h('td', { class: 'mono', title: r.traceId ? `trace ${r.traceId}` : '' }, r.requestId),
              ),
            ),
            { 'aria-label': 'Audit records' },
          ),
    );
    replace(
      footer,
      cursor && more,
      h('span', { class: 'muted' }, `${rows.length} record(s) from ${topic}; read-only`),
    );
  };

  more.addEventListener('click', () => void load(true));
  const form = h('form', { class: 'tools' }, field('Actor', actor), field('Route', route), apply);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void load(false);
  });
  void load(false);
  return {
    element: h(
      'div',
      { class: 'page page-audit' },
      h('h1', null, 'Audit'),
      h(
        'p',
        { class: 'muted' },
        'Every write through the console and the services’ admin API: who, what, when, the outcome. Append-only.',
      ),
      form,
      body,
      footer,
    ),
    dispose: () => undefined,
  };
}

function compact(value: Record<string, unknown>): string {
  const text = JSON.stringify(value);
  return text === '{}' ? '–' : text.length > 160 ? `${text.slice(0, 160)}…` : text;
}
