import { formatCount } from '../../src/shared/format.ts';
import { routeHref } from '../../src/shared/route.ts';
import type { ClusterView, TopicConfigView, TopicView } from '../../src/shared/views.ts';
import type { Page, PageContext } from '../context.ts';
import { badge, every, h, replace, table } from '../dom.ts';

/** Brokers, topics with their partitions, offsets and configs, and a form to create a topic. */
export function clusterPage(ctx: PageContext): Page {
  const summary = h('section', { class: 'cards' });
  const brokers = h('section', { class: 'panel' });
  const topicsBody = h('div');
  const filter = h('input', { type: 'search', placeholder: 'Filter topics', 'aria-label': 'Filter topics' });
  const internal = h('input', { type: 'checkbox', id: 'show-internal' });
  const expanded = new Set<string>();
  /** Configs of expanded topics, fetched when a topic is expanded; 'loading' until they arrive. */
  const configs = new Map<string, TopicConfigView | 'loading'>();
  const configOpen = new Set<string>();
  const loadConfig = (topic: string) => {
    configs.set(topic, 'loading');
    ctx.api
      .get<TopicConfigView>(`/api/topics/${encodeURIComponent(topic)}/config`)
      .then((view) => configs.set(topic, view))
      .catch((error: unknown) => {
        configs.delete(topic);
        ctx.toasts.error(error);
      })
      .finally(() => {
        if (expanded.has(topic)) renderTopics();
      });
  };
  let last: ClusterView | undefined;

  const renderTopics = () => {
    if (!last) return;
    const needle = filter.value.trim().toLowerCase();
    const topics = last.topics.filter((t) => t.name.toLowerCase().includes(needle));
    const rows = topics.flatMap((t) => {
      const open = expanded.has(t.name);
      const row = h(
        'tr',
        { 'data-topic': t.name },
        h(
          'td',
          null,
          h(
            'button',
            {
              class: 'link',
              'aria-expanded': String(open),
              title: 'Show partitions',
              onclick: () => {
                if (open) expanded.delete(t.name);
                else {
                  expanded.add(t.name);
                  loadConfig(t.name);
                }
                renderTopics();
              },
            },
            open ? '▾ ' : '▸ ',
            t.name,
          ),
          t.internal && badge('internal'),
          t.deadLetter && badge('dead letters', 'warn'),
        ),
        h('td', { class: 'num' }, t.partitionCount),
        h('td', { class: 'num' }, t.replicationFactor),
        h('td', { class: 'num' }, formatCount(t.messages)),
        h(
          'td',
          null,
          t.underReplicated > 0
            ? badge(`${t.underReplicated} under-replicated`, 'bad')
            : badge('in sync', 'ok'),
        ),
        h('td', null, h('a', { href: routeHref('messages', undefined, { topic: t.name }) }, 'Messages')),
      );
      if (!open) return [row];
      const detail = h(
        'tr',
        { class: 'detail-row' },
        h(
          'td',
          { colspan: 6 },
          table(
            [
              ['Partition', 'num'],
              ['Leader', 'num'],
              'Replicas',
              'ISR',
              ['Earliest', 'num'],
              ['Latest', 'num'],
              ['Messages', 'num'],
            ],
            t.partitions.map((p) =>
              h(
                'tr',
                null,
                h('td', { class: 'num' }, p.partition),
                h('td', { class: 'num' }, p.leader),
                h('td', null, p.replicas.join(', ')),
                h('td', { class: p.underReplicated ? 'bad' : '' }, p.isr.join(', ')),
                h('td', { class: 'num' }, p.earliestOffset),
                h('td', { class: 'num' }, p.latestOffset),
                h('td', { class: 'num' }, formatCount(p.messages)),
              ),
            ),
            { class: 'inner', 'aria-label': `Partitions of ${t.name}` },
          ),
          configSection(t.name, configs.get(t.name), configOpen),
        ),
      );
      return [row, detail];
    });
    replace(
      topicsBody,
      topics.length === 0
        ? h('p', { class: 'empty' }, 'No topics match.')
        : table(
            ['Topic', ['Partitions', 'num'], ['Replication', 'num'], ['Messages', 'num'], 'Replicas', ''],
            rows,
            { class: 'topics', 'aria-label': 'Topics' },
          ),
    );
  };

  const load = async () => {
    const view = await ctx.api.get<ClusterView>(`/api/cluster?internal=${internal.checked ? '1' : '0'}`);
    last = view;
    replace(
      summary,
      card('Cluster', view.clusterId ?? '–'),
      card('Brokers', String(view.brokers.length)),
      card('Controller', view.controllerId === null ? '–' : `node ${view.controllerId}`),
      card('Topics', String(view.topics.length)),
      card('Messages', formatCount(view.topics.reduce((s, t) => s + t.messages, 0))),
    );
    replace(
      brokers,
      h('h2', null, 'Brokers'),
      table(
        [['Node', 'num'], 'Address', 'Role'],
        view.brokers.map((b) =>
          h(
            'tr',
            null,
            h('td', { class: 'num' }, b.nodeId),
            h('td', null, `${b.host}:${b.port}`),
            h('td', null, b.nodeId === view.controllerId ? badge('controller', 'info') : 'broker'),
          ),
        ),
        { 'aria-label': 'Brokers' },
      ),
    );
    renderTopics();
  };

  filter.addEventListener('input', renderTopics);
  internal.addEventListener('change', () => void load().catch(ctx.toasts.error));

  const form = createTopicForm(ctx, () => load());
  const stop = every(10_000, () => load().catch(ctx.toasts.error));
  const element = h(
    'div',
    { class: 'page page-cluster' },
    h('h1', null, 'Cluster'),
    summary,
    brokers,
    h(
      'section',
      { class: 'panel' },
      h(
        'div',
        { class: 'panel-head' },
        h('h2', null, 'Topics'),
        h(
          'div',
          { class: 'tools' },
          filter,
          h('label', { for: 'show-internal', class: 'check' }, internal, 'internal'),
        ),
      ),
      topicsBody,
    ),
    form,
  );
  return { element, dispose: stop };
}

/** A collapsible table of a topic's configs: values set on the topic first, highlighted. */
function configSection(
  topic: string,
  view: TopicConfigView | 'loading' | undefined,
  open: Set<string>,
): HTMLElement {
  if (view === undefined) return h('p', { class: 'empty' }, 'Config not loaded.');
  if (view === 'loading') return h('p', { class: 'empty' }, 'Loading config…');
  const overrides = view.configs.filter((c) => !c.isDefault).length;
  const details = h(
    'details',
    {
      class: 'topic-config',
      open: open.has(topic),
      ontoggle: () => {
        if (details.open) open.add(topic);
        else open.delete(topic);
      },
    },
    h(
      'summary',
      null,
      `Config (${view.configs.length} settings, ${overrides === 0 ? 'none' : overrides} set on the topic)`,
    ),
    table(
      ['Name', 'Value', 'Source'],
      view.configs.map((c) =>
        h(
          'tr',
          { class: c.isDefault ? 'config-default' : 'config-override', 'data-config': c.name },
          h(
            'td',
            null,
            c.name,
            !c.isDefault && badge('set on topic', 'info'),
            c.readOnly && badge('read-only'),
          ),
          h('td', { class: 'config-value' }, c.isSensitive ? '(hidden)' : (c.value ?? '–')),
          h('td', { class: 'muted' }, sourceLabel(c.source)),
        ),
      ),
      { class: 'inner', 'aria-label': `Config of ${topic}` },
    ),
  );
  return details;
}

function sourceLabel(source: string | null): string {
  switch (source) {
    case 'DYNAMIC_TOPIC_CONFIG':
      return 'topic';
    case 'DEFAULT_CONFIG':
      return 'Kafka default';
    case 'STATIC_BROKER_CONFIG':
      return 'broker (static)';
    case 'DYNAMIC_BROKER_CONFIG':
      return 'broker (dynamic)';
    case 'DYNAMIC_DEFAULT_BROKER_CONFIG':
      return 'cluster default (dynamic)';
    default:
      return source ?? '–';
  }
}

function card(label: string, value: string): HTMLElement {
  return h(
    'div',
    { class: 'card' },
    h('div', { class: 'card-label' }, label),
    h('div', { class: 'card-value' }, value),
  );
}

function createTopicForm(ctx: PageContext, reload: () => Promise<void>): HTMLElement {
  const name = h('input', {
    name: 'name',
    required: true,
    pattern: '[a-zA-Z0-9._\\-]{1,249}',
    placeholder: 'my-topic',
  });
  const partitions = h('input', {
    name: 'partitions',
    type: 'number',
    min: 1,
    max: 1000,
    required: true,
    value: ctx.info.topicDefaults.partitions,
  });
  const replication = h('input', {
    name: 'replicationFactor',
    type: 'number',
    min: 1,
    max: 10,
    required: true,
    value: ctx.info.topicDefaults.replicationFactor,
  });
  const cleanup = h(
    'select',
    { name: 'cleanupPolicy' },
    h('option', { value: '' }, 'broker default'),
    h('option', { value: 'delete' }, 'delete'),
    h('option', { value: 'compact' }, 'compact'),
    h('option', { value: 'compact,delete' }, 'compact,delete'),
  );
  const retention = h('input', {
    name: 'retentionHours',
    type: 'number',
    min: 0,
    step: 'any',
    placeholder: 'broker default',
  });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Create topic');
  const form = h(
    'form',
    { class: 'panel form-grid', 'data-write': true, 'aria-label': 'Create topic' },
    h('h2', null, 'Create a topic'),
    field('Name', name),
    field('Partitions', partitions),
    field('Replication factor', replication),
    field('Cleanup policy', cleanup),
    field('Retention (hours)', retention),
    h('div', { class: 'form-actions' }, submit),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const configs: Record<string, string> = {};
    if (cleanup.value) configs['cleanup.policy'] = cleanup.value;
    if (retention.value) configs['retention.ms'] = String(Math.round(Number(retention.value) * 3_600_000));
    submit.disabled = true;
    ctx.api
      .send<TopicView>('POST', '/api/topics', {
        name: name.value.trim(),
        partitions: Number(partitions.value),
        replicationFactor: Number(replication.value),
        ...(Object.keys(configs).length > 0 ? { configs } : {}),
      })
      .then(async (topic) => {
        ctx.toasts.ok(`Topic ${topic.name} created with ${topic.partitionCount} partition(s)`);
        name.value = '';
        await reload();
      })
      .catch(ctx.toasts.error)
      .finally(() => {
        submit.disabled = false;
      });
  });
  return form;
}

export function field(label: string, input: HTMLElement, hint?: string): HTMLElement {
  return h(
    'label',
    { class: 'field' },
    h('span', { class: 'field-label' }, label),
    input,
    hint && h('small', null, hint),
  );
}
