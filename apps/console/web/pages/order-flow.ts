import {
  formatAge,
  formatCount,
  formatDuration,
  formatRate,
  formatTimestamp,
} from '../../src/shared/format.ts';
import { routeHref } from '../../src/shared/route.ts';
import type {
  FlowStats,
  InventoryItem,
  InventoryList,
  NotificationList,
  OrderList,
  Timeline,
} from '../../src/shared/views.ts';
import { lineChart } from '../chart.ts';
import type { Page, PageContext } from '../context.ts';
import { badge, every, h, replace, table } from '../dom.ts';

const STATUS_TONE: Record<string, 'ok' | 'bad' | 'warn' | 'info'> = {
  CONFIRMED: 'ok',
  REJECTED: 'bad',
  EXPIRED: 'bad',
  CANCELLED: 'info',
  PENDING: 'warn',
};

export function statusBadge(status: string): HTMLElement {
  return badge(status, STATUS_TONE[status] ?? 'warn');
}

/** Orders moving live, one order's timeline across the services, stock, notifications, throughput, latency. */
export function orderFlowPage(
  ctx: PageContext,
  orderId: string | undefined,
  query: Record<string, string>,
): Page {
  const cards = h('section', { class: 'cards' });
  const throughput = lineChart({ label: 'Throughput (orders/s)' });
  const latency = lineChart({ label: 'End-to-end latency: accepted → decided (ms)' });
  const charts = h('section', { class: 'charts' }, throughput.element, latency.element);
  const ordersBox = h('div');
  const timelineBox = h('section', { class: 'panel timeline-panel', 'aria-label': 'Order timeline' });
  const inventoryBox = h('section', { class: 'panel' });
  const notificationsBox = h('section', { class: 'panel' });
  const statusFilter = h(
    'select',
    { 'aria-label': 'Status filter' },
    h('option', { value: '' }, 'all statuses'),
    h('option', { value: 'PENDING' }, 'PENDING'),
    h('option', { value: 'CONFIRMED' }, 'CONFIRMED'),
    h('option', { value: 'REJECTED' }, 'REJECTED'),
    h('option', { value: 'CANCELLED' }, 'CANCELLED'),
    h('option', { value: 'EXPIRED' }, 'EXPIRED'),
  );
  statusFilter.value = query.status ?? '';
  const seen = new Map<string, string>();

  const loadOrders = async () => {
    const q = new URLSearchParams({ limit: '25' });
    if (statusFilter.value) q.set('status', statusFilter.value);
    const { items } = await ctx.api.get<OrderList>(`/api/orders?${q}`);
    const now = Date.now();
    replace(
      ordersBox,
      items.length === 0
        ? h(
            'p',
            { class: 'empty' },
            'No orders yet. POST some to order-service: curl -X POST localhost:8000/orders …',
          )
        : table(
            ['Order', 'Item', ['Qty', 'num'], 'Status', 'Created', ['Decided in', 'num']],
            items.map((o) => {
              const changed = seen.has(o.id) && seen.get(o.id) !== o.status;
              seen.set(o.id, o.status);
              return h(
                'tr',
                {
                  class: `order${o.id === orderId ? ' selected' : ''}${changed ? ' fresh' : ''}`,
                  'data-order': o.id,
                  'data-status': o.status,
                },
                h(
                  'td',
                  { class: 'mono' },
                  h('a', { href: routeHref('flow', o.id, query) }, o.id.slice(0, 8)),
                ),
                h('td', null, o.item),
                h('td', { class: 'num' }, o.quantity),
                h('td', null, statusBadge(o.status), o.reason && h('span', { class: 'reason' }, o.reason)),
                h(
                  'td',
                  { class: 'nowrap', title: formatTimestamp(o.createdAt) },
                  formatAge(o.createdAt, now),
                ),
                h(
                  'td',
                  { class: 'num' },
                  o.status === 'PENDING'
                    ? '…'
                    : formatDuration(Date.parse(o.updatedAt) - Date.parse(o.createdAt)),
                ),
              );
            }),
            { 'aria-label': 'Orders' },
          ),
    );
  };

  const loadStats = async () => {
    const stats = await ctx.api.get<FlowStats>('/api/flow/stats');
    const m = stats.lastMinute;
    replace(
      cards,
      card('Accepted (last min)', formatRate(m.acceptedPerSecond)),
      card('Decided (last min)', formatRate(m.decidedPerSecond)),
      card(
        'Order → decision p50 / p95',
        `${formatDuration(m.decisionP50Ms)} / ${formatDuration(m.decisionP95Ms)}`,
      ),
      card(
        'Order → notification p50 / p95',
        `${formatDuration(m.notificationP50Ms)} / ${formatDuration(m.notificationP95Ms)}`,
      ),
      card('Pending now', formatCount(stats.pending)),
    );
    const x = stats.series.map((p) => p.t);
    throughput.update({
      label: `Throughput (orders/s, ${stats.bucketMs / 1000} s buckets)`,
      x,
      series: [
        { name: 'accepted', values: stats.series.map((p) => p.accepted) },
        { name: 'decided', values: stats.series.map((p) => p.decided) },
      ],
    });
    latency.update({
      x,
      series: [
        { name: 'p50', values: stats.series.map((p) => p.p50Ms) },
        { name: 'p95', values: stats.series.map((p) => p.p95Ms) },
      ],
    });
  };

  const loadTimeline = async () => {
    if (!orderId) {
      replace(
        timelineBox,
        h('h2', null, 'Timeline'),
        h(
          'p',
          { class: 'muted' },
          'Pick an order to see its way through the services, with the time of each hop.',
        ),
      );
      return;
    }
    const [timeline, notes] = await Promise.all([
      ctx.api.get<Timeline>(`/api/orders/${encodeURIComponent(orderId)}/timeline`),
      ctx.api.get<NotificationList>(`/api/notifications?orderId=${encodeURIComponent(orderId)}`),
    ]);
    const total = Math.max(1, timeline.elapsedMs);
    replace(
      timelineBox,
      h(
        'div',
        { class: 'panel-head' },
        h('h2', null, 'Timeline of ', h('span', { class: 'mono' }, timeline.order.id)),
        h(
          'a',
          { href: routeHref('flow', undefined, query), class: 'close', 'aria-label': 'Close timeline' },
          '×',
        ),
      ),
      h(
        'p',
        null,
        `${timeline.order.quantity} × ${timeline.order.item} `,
        statusBadge(timeline.order.status),
        ' ',
        timeline.complete
          ? `done in ${formatDuration(timeline.elapsedMs)}`
          : `in progress, ${formatDuration(timeline.elapsedMs)} so far`,
      ),
      h(
        'ol',
        { class: 'timeline' },
        timeline.hops.map((hop) =>
          h(
            'li',
            { class: hop.at ? 'done' : 'waiting', 'data-step': hop.step },
            h(
              'div',
              { class: 'hop-head' },
              h('strong', null, hop.step),
              h('span', { class: 'muted' }, hop.service),
            ),
            h(
              'div',
              { class: 'hop-time' },
              hop.at
                ? [
                    h('span', { class: 'mono' }, formatTimestamp(hop.at)),
                    h('span', { class: 'delta' }, `+${formatDuration(hop.sinceAcceptedMs)}`),
                    hop.sincePreviousMs !== null && hop.step !== 'accepted'
                      ? h(
                          'span',
                          { class: 'muted' },
                          `(${formatDuration(hop.sincePreviousMs)} after the previous hop)`,
                        )
                      : null,
                  ]
                : h('span', { class: 'muted' }, 'not yet'),
            ),
            h(
              'div',
              { class: 'bar' },
              hop.at &&
                h('span', {
                  class: 'bar-fill',
                  'data-width': Math.round(((hop.sinceAcceptedMs ?? 0) / total) * 100),
                }),
            ),
            h('div', { class: 'hop-detail' }, hop.detail),
          ),
        ),
      ),
      h('h3', null, 'Notifications'),
      notes.items.length === 0
        ? h('p', { class: 'muted' }, 'none yet')
        : h(
            'ul',
            { class: 'plain' },
            notes.items.map((n) =>
              h(
                'li',
                null,
                statusBadge(n.status),
                ' ',
                n.message,
                ' — ',
                badge(n.deliveryStatus, n.deliveryStatus === 'SENT' ? 'ok' : 'warn'),
              ),
            ),
          ),
    );
    // Widths through CSSOM (allowed by the page's CSP, unlike inline style attributes).
    for (const bar of timelineBox.querySelectorAll<HTMLElement>('.bar-fill')) {
      bar.style.width = `${bar.dataset.width ?? 0}%`;
    }
  };

  const loadInventory = async () => {
    // Do not rebuild the table under someone typing a new stock value.
    if (inventoryBox.querySelector('input.dirty, input:focus')) return;
    const { items } = await ctx.api.get<InventoryList>('/api/inventory');
    replace(
      inventoryBox,
      h('h2', null, 'Stock'),
      table(
        ['Item', ['Available', 'num'], ['On hand', 'num'], ['Reserved', 'num'], 'Updated', ''],
        items.map((i) => {
          const input = h('input', {
            type: 'number',
            min: 0,
            value: i.stock,
            class: 'stock-input',
            'aria-label': `New stock for ${i.item}`,
          });
          input.addEventListener('input', () => input.classList.add('dirty'));
          const save = h('button', { type: 'submit' }, 'Set');
          const form = h('form', { class: 'inline', 'data-write': true }, input, save);
          form.addEventListener('submit', (event) => {
            event.preventDefault();
            save.disabled = true;
            ctx.api
              .send<InventoryItem>(
                'PUT',
                `/api/inventory/${encodeURIComponent(i.item)}`,
                { stock: Number(input.value) },
                // Only if nothing changed the item since this table showed it (else 412: reload).
                { 'if-match': `"${i.version}"` },
              )
              .then((updated) => {
                ctx.toasts.ok(`Stock of ${updated.item} set to ${updated.stock}`);
                input.classList.remove('dirty');
                input.blur();
                return loadInventory();
              })
              .catch((error: unknown) => {
                ctx.toasts.error(error);
                // 412: the item changed since it was shown (an order reserved some): show it as it is now.
                if ((error as { status?: number }).status === 412) {
                  input.classList.remove('dirty');
                  return loadInventory();
                }
                return undefined;
              })
              .finally(() => {
                save.disabled = false;
              });
          });
          return h(
            'tr',
            { 'data-item': i.item },
            h('td', null, i.item),
            h(
              'td',
              { class: `num${i.stock === 0 ? ' bad' : ''}`, 'data-testid': 'stock' },
              formatCount(i.stock),
            ),
            h('td', { class: 'num' }, formatCount(i.onHand)),
            h('td', { class: 'num' }, formatCount(i.reserved)),
            h('td', { class: 'nowrap' }, formatAge(i.updatedAt, Date.now())),
            h('td', null, form),
          );
        }),
        { 'aria-label': 'Stock' },
      ),
    );
  };

  const loadNotifications = async () => {
    const { items } = await ctx.api.get<NotificationList>('/api/notifications?limit=8');
    replace(
      notificationsBox,
      h('h2', null, 'Latest notifications'),
      items.length === 0
        ? h('p', { class: 'muted' }, 'none yet')
        : table(
            ['Order', 'Outcome', 'Delivery', 'When'],
            items.map((n) =>
              h(
                'tr',
                null,
                h(
                  'td',
                  { class: 'mono' },
                  h('a', { href: routeHref('flow', n.orderId, query) }, n.orderId.slice(0, 8)),
                ),
                h('td', null, statusBadge(n.status)),
                h(
                  'td',
                  null,
                  badge(
                    n.deliveryStatus,
                    n.deliveryStatus === 'SENT' ? 'ok' : n.deliveryStatus === 'FAILED' ? 'bad' : 'warn',
                  ),
                ),
                h('td', { class: 'nowrap' }, formatAge(n.createdAt, Date.now())),
              ),
            ),
            { 'aria-label': 'Notifications' },
          ),
    );
  };

  statusFilter.addEventListener('change', () => {
    history.replaceState(null, '', routeHref('flow', orderId, { ...query, status: statusFilter.value }));
    query.status = statusFilter.value;
    void loadOrders().catch(ctx.toasts.error);
  });

  const stops = [
    every(2000, () => loadOrders().catch(ctx.toasts.error)),
    every(1000, () => loadTimeline().catch(ctx.toasts.error)),
    every(5000, () => loadStats().catch(ctx.toasts.error)),
    every(5000, () => loadInventory().catch(ctx.toasts.error)),
    every(5000, () => loadNotifications().catch(ctx.toasts.error)),
  ];

  const element = h(
    'div',
    { class: 'page page-flow' },
    h('h1', null, 'Order flow'),
    cards,
    charts,
    h(
      'div',
      { class: 'split' },
      h(
        'section',
        { class: 'panel' },
        h(
          'div',
          { class: 'panel-head' },
          h('h2', null, 'Orders ', h('span', { class: 'live-dot', title: 'live' }, '●')),
          h('div', { class: 'tools' }, statusFilter),
        ),
        ordersBox,
      ),
      timelineBox,
    ),
    h('div', { class: 'split' }, inventoryBox, notificationsBox),
  );
  return {
    element,
    dispose: () => {
      for (const stop of stops) stop();
      throughput.destroy();
      latency.destroy();
    },
  };
}

function card(label: string, value: string): HTMLElement {
  return h(
    'div',
    { class: 'card' },
    h('div', { class: 'card-label' }, label),
    h('div', { class: 'card-value' }, value),
  );
}
