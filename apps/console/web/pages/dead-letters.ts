import { formatCount, formatTimestamp, prettyValue, preview } from '../../src/shared/format.ts';
import { routeHref } from '../../src/shared/route.ts';
import type {
  DeadLettersView,
  DeadLetterTopicView,
  DeadLetterView,
  RedriveView,
} from '../../src/shared/views.ts';
import type { Page, PageContext } from '../context.ts';
import { badge, every, h, replace, table } from '../dom.ts';

/** Every dead-letter topic; for the chosen one, its letters with their error headers, and redrive. */
export function deadLettersPage(ctx: PageContext, selected: string | undefined): Page {
  const list = h('section', { class: 'panel' });
  const letters = h('section', { class: 'panel' });
  const open = new Set<string>();
  let current: DeadLetterView[] = [];
  let confirmingAll = false;

  const redrive = (body: unknown, what: string) => {
    if (!selected) return Promise.resolve();
    return ctx.api
      .send<RedriveView>('POST', `/api/dead-letters/${encodeURIComponent(selected)}/redrive`, body)
      .then((result) => {
        const left = result.leftUnread > 0 ? `; ${result.leftUnread} left in ${selected}` : '';
        ctx.toasts.ok(
          `Redriven ${what}: ${result.redriven} message(s) to ${result.targets.join(', ')}${left}`,
        );
      })
      .catch(ctx.toasts.error);
  };

  const renderLetters = () => {
    if (!selected) {
      replace(letters, h('p', { class: 'muted' }, 'Choose a dead-letter topic.'));
      return;
    }
    const all = h('div', { class: 'tools', 'data-write': true });
    if (confirmingAll) {
      const yes = h('button', { type: 'button', class: 'danger' }, `Confirm: redrive all ${current.length}`);
      const no = h('button', { type: 'button' }, 'Cancel');
      yes.addEventListener('click', () => {
        yes.disabled = true;
        void redrive({ all: true }, 'all').finally(() => {
          confirmingAll = false;
          renderLetters();
        });
      });
      no.addEventListener('click', () => {
        confirmingAll = false;
        renderLetters();
      });
      all.append(yes, no);
    } else {
      const start = h('button', { type: 'button', class: 'danger' }, 'Redrive all…');
      start.addEventListener('click', () => {
        confirmingAll = true;
        renderLetters();
      });
      all.append(start);
    }
    replace(
      letters,
      h('div', { class: 'panel-head' }, h('h2', null, selected), current.length > 0 && all),
      current.length === 0
        ? h('p', { class: 'empty' }, 'No dead letters. ✓')
        : table(
            [
              ['Partition', 'num'],
              ['Offset', 'num'],
              'Failed at',
              'Key',
              'Came from',
              'Group',
              ['Attempts', 'num'],
              'Error',
              '',
            ],
            current.flatMap((m) => {
              const id = `${m.partition}:${m.offset}`;
              const d = m.deadLetter;
              const button = h('button', { type: 'button', 'data-write': true }, 'Redrive');
              button.addEventListener('click', (event) => {
                event.stopPropagation();
                button.disabled = true;
                void redrive({ partition: m.partition, offset: m.offset }, `${selected}:${id}`).finally(
                  () => {
                    button.disabled = false;
                  },
                );
              });
              const row = h(
                'tr',
                {
                  class: 'message',
                  'data-offset': m.offset,
                  onclick: () => {
                    if (open.has(id)) open.delete(id);
                    else open.add(id);
                    renderLetters();
                  },
                },
                h('td', { class: 'num' }, m.partition),
                h('td', { class: 'num' }, m.offset),
                h('td', { class: 'nowrap' }, formatTimestamp(d.failedAt ?? m.timestamp)),
                h('td', { class: 'mono key' }, m.key ?? '–'),
                h(
                  'td',
                  { class: 'mono' },
                  `${d.originalTopic}${d.originalPartition !== null ? ` p${d.originalPartition}` : ''}${d.originalOffset !== null ? ` @${d.originalOffset}` : ''}`,
                  d.redrivenFrom && badge('redriven before', 'warn'),
                ),
                h('td', null, d.consumerGroup ?? '–'),
                h('td', { class: 'num' }, d.attempts ?? '–'),
                h('td', { class: 'error-text' }, preview(d.error ?? '', 100)),
                h('td', null, button),
              );
              if (!open.has(id)) return [row];
              return [
                row,
                h(
                  'tr',
                  { class: 'detail-row' },
                  h(
                    'td',
                    { colspan: 9 },
                    h(
                      'div',
                      { class: 'message-detail' },
                      h(
                        'div',
                        null,
                        h('h3', null, 'Error'),
                        h('pre', { class: 'value error-text' }, d.error ?? '–'),
                        h('h3', null, 'Headers'),
                        table(
                          ['Name', 'Value'],
                          Object.entries(m.headers).map(([k, v]) =>
                            h('tr', null, h('td', { class: 'mono' }, k), h('td', { class: 'mono wrap' }, v)),
                          ),
                          { class: 'inner headers' },
                        ),
                      ),
                      h(
                        'div',
                        null,
                        h('h3', null, 'Value'),
                        h('pre', { class: 'value' }, prettyValue(m.value).text),
                      ),
                    ),
                  ),
                ),
              ];
            }),
            { 'aria-label': 'Dead letters' },
          ),
    );
  };

  const refresh = async () => {
    const { topics } = await ctx.api.get<{ topics: DeadLetterTopicView[] }>('/api/dead-letters');
    replace(
      list,
      h('h2', null, 'Dead-letter topics'),
      topics.length === 0
        ? h('p', { class: 'empty' }, 'No *.DLT topics.')
        : table(
            ['Dead-letter topic', 'For', ['Letters', 'num']],
            topics.map((t) =>
              h(
                'tr',
                { class: t.topic === selected ? 'selected' : '', 'data-topic': t.topic },
                h('td', null, h('a', { href: routeHref('dead-letters', t.topic) }, t.topic)),
                h('td', null, t.originalTopic),
                h('td', { class: `num${t.messages > 0 ? ' lagging' : ''}` }, formatCount(t.messages)),
              ),
            ),
            { 'aria-label': 'Dead-letter topics' },
          ),
    );
    if (selected) {
      const result = await ctx.api.get<DeadLettersView>(
        `/api/dead-letters/${encodeURIComponent(selected)}?limit=200`,
      );
      current = result.letters;
    }
    renderLetters();
  };

  const stop = every(5000, () => refresh().catch(ctx.toasts.error));
  return {
    element: h(
      'div',
      { class: 'page page-dead-letters' },
      h('h1', null, 'Dead letters'),
      h(
        'p',
        { class: 'muted' },
        'Messages a consumer could not process (bad JSON, schema violation, or failing on its own) with the error headers it added. ',
        'Redrive re-publishes a letter to its original topic; consumers are idempotent, so a letter redriven twice has one effect.',
      ),
      list,
      letters,
    ),
    dispose: stop,
  };
}
