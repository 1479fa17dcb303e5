import { formatTimestamp, parseHeaders, prettyValue, preview } from '../../src/shared/format.ts';
import { routeHref } from '../../src/shared/route.ts';
import type { BrowseView, MessageView, ProducedView, TailEvents, TopicView } from '../../src/shared/views.ts';
import type { Page, PageContext } from '../context.ts';
import { badge, h, replace, table } from '../dom.ts';
import { field } from './cluster.ts';

/** The data of a live-tail event, as the server typed it (TailEvents). */
function tailData<E extends keyof TailEvents>(event: Event): TailEvents[E] {
  return JSON.parse((event as MessageEvent<string>).data) as TailEvents[E];
}

const MAX_ROWS = 1000;

/** Browse a topic (newest first, from the start, an offset or a time), filter, live tail, produce. */
export function messagesPage(ctx: PageContext, query: Record<string, string>): Page {
  const topic = h('select', { name: 'topic', 'aria-label': 'Topic' });
  const partition = h(
    'select',
    { name: 'partition', 'aria-label': 'Partition' },
    h('option', { value: '' }, 'all'),
  );
  const mode = h(
    'select',
    { name: 'mode', 'aria-label': 'Start' },
    h('option', { value: 'newest' }, 'newest first'),
    h('option', { value: 'oldest' }, 'from the start'),
    h('option', { value: 'offset' }, 'from offset'),
    h('option', { value: 'time' }, 'from time'),
  );
  const offset = h('input', {
    name: 'offset',
    type: 'number',
    min: 0,
    placeholder: 'offset',
    'aria-label': 'Offset',
  });
  const from = h('input', { name: 'from', type: 'datetime-local', step: 1, 'aria-label': 'From time' });
  const limit = h(
    'select',
    { name: 'limit', 'aria-label': 'Limit' },
    [20, 50, 100, 200, 500].map((n) => h('option', { value: n }, String(n))),
  );
  const key = h('input', {
    name: 'key',
    type: 'search',
    placeholder: 'key contains',
    'aria-label': 'Key filter',
  });
  const text = h('input', {
    name: 'q',
    type: 'search',
    placeholder: 'text contains',
    'aria-label': 'Text filter',
  });
  const load = h('button', { type: 'submit', class: 'primary' }, 'Load');
  const tailButton = h('button', { type: 'button', class: 'tail', 'aria-pressed': 'false' }, 'Live tail');
  const info = h('p', { class: 'muted', 'aria-live': 'polite' });
  const results = h('div', { class: 'messages' });
  let messages: MessageView[] = [];
  const fresh = new Set<string>();
  const open = new Set<string>();
  let topics: TopicView[] = [];
  let tail: EventSource | undefined;
  // Produce
  const produceKey = h('input', { name: 'key', placeholder: 'optional', 'aria-label': 'Message key' });
  const producePartition = h('select', { name: 'partition', 'aria-label': 'Message partition' });
  const produceHeaders = h('textarea', {
    name: 'headers',
    rows: 3,
    placeholder: 'name: value (one per line) or a JSON object',
    'aria-label': 'Message headers',
  });
  const produceValue = h('textarea', {
    name: 'value',
    rows: 6,
    placeholder: '{"hello": "kafka"}',
    'aria-label': 'Message value',
  });

  limit.value = '50';
  mode.value = query.mode ?? 'newest';
  offset.value = query.offset ?? '';
  key.value = query.key ?? '';
  text.value = query.q ?? '';
  if (query.limit) limit.value = query.limit;
  if (query.from) from.value = toLocalInput(query.from);

  const syncVisibility = () => {
    offset.hidden = mode.value !== 'offset';
    from.hidden = mode.value !== 'time';
  };
  mode.addEventListener('change', syncVisibility);
  syncVisibility();

  const fillPartitions = (selected?: string) => {
    const t = topics.find((x) => x.name === topic.value);
    replace(
      partition,
      h('option', { value: '' }, 'all'),
      (t?.partitions ?? []).map((p) => h('option', { value: p.partition }, String(p.partition))),
    );
    partition.value = selected ?? '';
    replace(
      producePartition,
      h('option', { value: '' }, 'by key'),
      (t?.partitions ?? []).map((p) => h('option', { value: p.partition }, String(p.partition))),
    );
  };

  const rowId = (m: MessageView) => `${m.partition}:${m.offset}`;

  const render = () => {
    if (messages.length === 0) {
      replace(results, h('p', { class: 'empty' }, topic.value ? 'No messages.' : 'Choose a topic.'));
      return;
    }
    replace(
      results,
      table(
        [['Partition', 'num'], ['Offset', 'num'], 'Timestamp', 'Key', 'Headers', 'Value'],
        messages.flatMap((m) => {
          const id = rowId(m);
          const isOpen = open.has(id);
          const row = h(
            'tr',
            {
              class: `message${fresh.has(id) ? ' fresh' : ''}${isOpen ? ' open' : ''}`,
              'data-offset': m.offset,
              'data-partition': m.partition,
              tabindex: 0,
              onclick: () => {
                if (isOpen) open.delete(id);
                else open.add(id);
                render();
              },
            },
            h('td', { class: 'num' }, m.partition),
            h('td', { class: 'num' }, m.offset),
            h('td', { class: 'nowrap' }, formatTimestamp(m.timestamp)),
            h('td', { class: 'mono key' }, m.key ?? h('span', { class: 'muted' }, 'null')),
            h('td', { class: 'num' }, Object.keys(m.headers).length),
            h(
              'td',
              { class: 'mono value-preview' },
              m.encoding === 'base64' ? badge('binary') : '',
              preview(m.value),
            ),
          );
          if (!isOpen) return [row];
          const pretty = m.encoding === 'utf8' ? prettyValue(m.value) : { text: m.value, json: false };
          return [
            row,
            h(
              'tr',
              { class: 'detail-row' },
              h(
                'td',
                { colspan: 6 },
                h(
                  'div',
                  { class: 'message-detail' },
                  h(
                    'div',
                    null,
                    h('h3', null, 'Headers'),
                    Object.keys(m.headers).length === 0
                      ? h('p', { class: 'muted' }, 'none')
                      : table(
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
                    h(
                      'h3',
                      null,
                      'Value ',
                      pretty.json && badge('JSON', 'info'),
                      m.encoding === 'base64' && badge('base64'),
                      m.truncated && badge(`truncated, ${m.size} bytes`, 'warn'),
                    ),
                    h('pre', { class: 'value' }, pretty.text),
                  ),
                ),
              ),
            ),
          ];
        }),
        { class: 'message-table', 'aria-label': 'Messages' },
      ),
    );
  };

  const params = () => {
    const q = new URLSearchParams({ limit: limit.value });
    if (partition.value !== '') q.set('partition', partition.value);
    if (mode.value === 'oldest') q.set('order', 'oldest');
    if (mode.value === 'offset' && offset.value !== '') q.set('offset', offset.value);
    if (mode.value === 'time' && from.value) q.set('from', new Date(from.value).toISOString());
    if (key.value.trim()) q.set('key', key.value.trim());
    if (text.value.trim()) q.set('q', text.value.trim());
    return q;
  };

  const remember = () => {
    const href = routeHref('messages', undefined, {
      topic: topic.value,
      partition: partition.value,
      mode: mode.value === 'newest' ? undefined : mode.value,
      offset: mode.value === 'offset' ? offset.value : undefined,
      from: mode.value === 'time' && from.value ? new Date(from.value).toISOString() : undefined,
      key: key.value.trim(),
      q: text.value.trim(),
      limit: limit.value === '50' ? undefined : limit.value,
    });
    history.replaceState(null, '', href);
  };

  const browse = async () => {
    if (!topic.value) return;
    remember();
    load.disabled = true;
    info.textContent = 'Loading…';
    try {
      const result = await ctx.api.get<BrowseView>(
        `/api/topics/${encodeURIComponent(topic.value)}/messages?${params()}`,
      );
      // Rows a live tail added while this page was loading stay on top.
      const live = tail ? messages.filter((m) => fresh.has(rowId(m))) : [];
      const liveIds = new Set(live.map(rowId));
      messages = [...live, ...result.messages.filter((m) => !liveIds.has(rowId(m)))];
      if (!tail) fresh.clear();
      const ranges = result.partitions
        .map((p) => `p${p.partition}: ${p.earliestOffset}–${p.latestOffset}`)
        .join(' · ');
      // A live tail started while this page of results was loading keeps its own status line.
      if (!tail) {
        info.textContent =
          `${result.messages.length} message(s), ${result.scanned} read` +
          `${result.partial ? ' (scan limit reached: narrow the range for more)' : ''}. Offsets ${ranges}`;
      }
      render();
    } catch (error) {
      if (!tail) info.textContent = '';
      ctx.toasts.error(error);
    } finally {
      load.disabled = false;
    }
  };

  const stopTail = () => {
    tail?.close();
    tail = undefined;
    tailButton.setAttribute('aria-pressed', 'false');
    tailButton.textContent = 'Live tail';
    tailButton.classList.remove('on');
  };

  const startTail = () => {
    if (!topic.value) return;
    stopTail();
    const q = new URLSearchParams();
    if (partition.value !== '') q.set('partition', partition.value);
    if (key.value.trim()) q.set('key', key.value.trim());
    if (text.value.trim()) q.set('q', text.value.trim());
    const source = new EventSource(`/api/topics/${encodeURIComponent(topic.value)}/tail?${q}`);
    tail = source;
    tailButton.setAttribute('aria-pressed', 'true');
    tailButton.textContent = '● Live';
    tailButton.classList.add('on');
    source.addEventListener('ready', () => {
      info.textContent = `Live: new messages of ${topic.value} appear at the top.`;
    });
    source.addEventListener('message', (event) => {
      const m = tailData<'message'>(event);
      fresh.add(rowId(m));
      messages = [m, ...messages.filter((x) => rowId(x) !== rowId(m))].slice(0, MAX_ROWS);
      render();
    });
    source.addEventListener('skipped', (event) => {
      const s = tailData<'skipped'>(event);
      info.textContent = `Live: skipped ${s.count} message(s) of partition ${s.partition} (too many at once).`;
    });
    source.addEventListener('problem', (event) => {
      const problem = tailData<'problem'>(event);
      info.textContent = `Live tail problem: ${problem.detail}`;
    });
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CLOSED) {
        info.textContent = 'Live tail ended.';
        stopTail();
      }
    });
  };

  tailButton.addEventListener('click', () => (tail ? stopTail() : startTail()));

  const controls = h(
    'form',
    { class: 'panel toolbar', 'aria-label': 'Browse messages' },
    field('Topic', topic),
    field('Partition', partition),
    field('Start', mode),
    field('Offset', offset),
    field('From', from),
    field('Limit', limit),
    field('Key', key),
    field('Text', text),
    h('div', { class: 'form-actions' }, load, tailButton),
  );
  controls.addEventListener('submit', (event) => {
    event.preventDefault();
    void browse();
    if (tail) startTail();
  });
  topic.addEventListener('change', () => {
    fillPartitions();
    stopTail();
    messages = [];
    open.clear();
    void browse();
  });

  const produceButton = h('button', { type: 'submit', class: 'primary' }, 'Produce');
  const produceForm = h(
    'form',
    { class: 'panel form-grid', 'data-write': true, 'aria-label': 'Produce a message' },
    h('h2', null, 'Produce a message'),
    field('Key', produceKey),
    field('Partition', producePartition),
    field('Headers', produceHeaders),
    field('Value', produceValue),
    h('div', { class: 'form-actions' }, produceButton),
  );
  produceForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const headers = parseHeaders(produceHeaders.value);
    if ('error' in headers) {
      ctx.toasts.error(headers.error);
      return;
    }
    produceButton.disabled = true;
    ctx.api
      .send<ProducedView>('POST', `/api/topics/${encodeURIComponent(topic.value)}/messages`, {
        value: produceValue.value,
        ...(produceKey.value ? { key: produceKey.value } : {}),
        ...(Object.keys(headers.headers).length > 0 ? { headers: headers.headers } : {}),
        ...(producePartition.value !== '' ? { partition: Number(producePartition.value) } : {}),
      })
      .then(async (produced) => {
        ctx.toasts.ok(
          `Produced to ${topic.value} partition ${produced.partition} at offset ${produced.offset}`,
        );
        if (!tail) await browse();
      })
      .catch(ctx.toasts.error)
      .finally(() => {
        produceButton.disabled = false;
      });
  });

  const element = h(
    'div',
    { class: 'page page-messages' },
    h('h1', null, 'Messages'),
    controls,
    info,
    h('section', { class: 'panel' }, results),
    produceForm,
  );

  ctx.api
    .get<{ topics: TopicView[] }>('/api/cluster')
    .then((cluster) => {
      topics = cluster.topics;
      replace(
        topic,
        h('option', { value: '' }, '— choose —'),
        topics.map((t) => h('option', { value: t.name }, t.name)),
      );
      const wanted = query.topic ?? ctx.info.topics.orderEvents;
      topic.value = topics.some((t) => t.name === wanted) ? wanted : '';
      fillPartitions(query.partition);
      render();
      return browse();
    })
    .catch(ctx.toasts.error);

  return { element, dispose: stopTail };
}

/** ISO time → the value a datetime-local input shows (local time). */
function toLocalInput(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 19);
}
