import { formatCount, formatTimestamp } from '../../src/shared/format.ts';
import { routeHref } from '../../src/shared/route.ts';
import type { GroupSummary, GroupView, LagHistoryView, ResetPlanView } from '../../src/shared/views.ts';
import { lineChart } from '../chart.ts';
import type { Page, PageContext } from '../context.ts';
import { badge, every, h, replace, table } from '../dom.ts';
import { field } from './cluster.ts';

export function stateBadge(state: string): HTMLElement {
  const tone = state === 'Stable' ? 'ok' : state === 'Empty' ? 'info' : state === 'Dead' ? 'bad' : 'warn';
  return badge(state, tone);
}

/** Every consumer group with its state, members and total lag. */
export function groupsPage(ctx: PageContext): Page {
  const body = h('section', { class: 'panel' }, h('p', { class: 'muted' }, 'Loading…'));
  const stop = every(5000, async () => {
    try {
      const { groups } = await ctx.api.get<{ groups: GroupSummary[] }>('/api/groups');
      replace(
        body,
        groups.length === 0
          ? h('p', { class: 'empty' }, 'No consumer groups.')
          : table(
              ['Group', 'State', 'Protocol', ['Members', 'num'], 'Topics', ['Total lag', 'num']],
              groups.map((g) =>
                h(
                  'tr',
                  { 'data-group': g.groupId },
                  h('td', null, h('a', { href: routeHref('groups', g.groupId) }, g.groupId)),
                  h('td', null, stateBadge(g.state)),
                  h('td', null, g.protocol),
                  h('td', { class: 'num' }, g.members ?? '–'),
                  h('td', null, g.topics.join(', ')),
                  h(
                    'td',
                    { class: `num${(g.totalLag ?? 0) > 0 ? ' lagging' : ''}` },
                    formatCount(g.totalLag),
                  ),
                ),
              ),
              { 'aria-label': 'Consumer groups' },
            ),
      );
    } catch (error) {
      ctx.toasts.error(error);
    }
  });
  return {
    element: h('div', { class: 'page page-groups' }, h('h1', null, 'Consumer groups'), body),
    dispose: stop,
  };
}

/** One group: members, assignment, committed offsets and lag per partition, lag chart, offset reset. */
export function groupPage(ctx: PageContext, groupId: string): Page {
  const header = h('div', { class: 'cards' });
  const members = h('section', { class: 'panel' });
  const partitions = h('section', { class: 'panel' });
  const lag = lineChart({
    label: 'Lag over time',
    yFormat: (v) => formatCount(v),
    integer: true,
    height: 220,
    emptyText: 'collecting samples…',
  });
  const lagSince = h('p', { class: 'muted' });
  const chart = h('section', { class: 'chart-section' }, lag.element, lagSince);
  const reset = h('section', { class: 'panel', 'data-write': true, 'aria-label': 'Reset offsets' });
  let resetShown: boolean | undefined;

  const renderReset = (group: GroupView) => {
    if (resetShown === group.resettable) return;
    resetShown = group.resettable;
    if (!group.resettable) {
      replace(
        reset,
        h('h2', null, 'Reset offsets'),
        h(
          'p',
          { class: 'muted', 'data-testid': 'reset-unavailable' },
          `Offsets can be reset only while the group has no members (it has ${group.members.length}). Stop its consumers first.`,
        ),
      );
      return;
    }
    const target = h(
      'select',
      { name: 'to', 'aria-label': 'Reset to' },
      h('option', { value: 'earliest' }, 'earliest (re-read everything retained)'),
      h('option', { value: 'latest' }, 'latest (skip everything not yet read)'),
      h('option', { value: 'timestamp' }, 'a point in time'),
    );
    const time = h('input', {
      type: 'datetime-local',
      step: 1,
      name: 'timestamp',
      'aria-label': 'Reset time',
      hidden: true,
    });
    target.addEventListener('change', () => {
      time.hidden = target.value !== 'timestamp';
    });
    const topics = [...new Set(group.partitions.map((p) => p.topic))];
    const checks = topics.map((t) =>
      h('input', { type: 'checkbox', value: t, checked: true, 'aria-label': `Reset ${t}` }),
    );
    const plan = h('div', { class: 'plan' });
    const preview = h('button', { type: 'submit' }, 'Preview reset');
    const body = () => ({
      to: target.value,
      ...(target.value === 'timestamp' && time.value
        ? { timestamp: new Date(time.value).toISOString() }
        : {}),
      topics: checks.filter((c) => c.checked).map((c) => c.value),
    });
    const form = h(
      'form',
      { class: 'form-grid' },
      field('Reset to', target),
      field('Time', time),
      h(
        'fieldset',
        { class: 'field' },
        h('legend', { class: 'field-label' }, 'Topics'),
        checks.map((c, i) => h('label', { class: 'check' }, c, topics[i] ?? '')),
      ),
      h('div', { class: 'form-actions' }, preview),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      preview.disabled = true;
      const request = body();
      ctx.api
        .send<ResetPlanView>('POST', `/api/groups/${encodeURIComponent(groupId)}/reset-offsets`, {
          ...request,
          dryRun: true,
        })
        .then((result) => {
          const confirm = h('button', { type: 'button', class: 'danger' }, 'Confirm reset');
          const cancel = h('button', { type: 'button' }, 'Cancel');
          // A reset that moves the group past records it never consumed loses their effects: the
          // server refuses it unless the request says allowSkip, which only this box sends.
          const allowSkip = h('input', {
            type: 'checkbox',
            'aria-label': 'Skip unconsumed records',
          });
          if (result.skipped > 0) {
            confirm.disabled = true;
            allowSkip.addEventListener('change', () => {
              confirm.disabled = !allowSkip.checked;
            });
          }
          cancel.addEventListener('click', () => replace(plan));
          confirm.addEventListener('click', () => {
            confirm.disabled = true;
            ctx.api
              .send<ResetPlanView>('POST', `/api/groups/${encodeURIComponent(groupId)}/reset-offsets`, {
                ...request,
                dryRun: false,
                ...(result.skipped > 0 && allowSkip.checked ? { allowSkip: true } : {}),
              })
              .then((done) => {
                ctx.toasts.ok(
                  `Offsets of ${groupId} reset on ${done.plan.length} partition(s)` +
                    (done.skipped > 0 ? `; ${formatCount(done.skipped)} unconsumed record(s) skipped` : ''),
                );
                replace(plan);
                return refresh();
              })
              .catch((error: unknown) => {
                // Refused (e.g. records arrived since the preview and would now be skipped): the
                // message names the partitions; preview again to see the new plan.
                confirm.disabled = result.skipped > 0 && !allowSkip.checked;
                ctx.toasts.error(error);
              });
          });
          const skipped = result.plan.filter((p) => p.skipped > 0);
          replace(
            plan,
            h('h3', null, 'Planned change — nothing is changed until you confirm'),
            h(
              'p',
              { 'data-testid': 'reset-summary' },
              `Re-reads ${formatCount(result.reRead)} record(s) already consumed; skips ${formatCount(result.skipped)} never consumed.`,
            ),
            table(
              [
                'Topic',
                ['Partition', 'num'],
                ['Committed', 'num'],
                ['Target', 'num'],
                ['Re-read', 'num'],
                ['Skipped', 'num'],
                ['To read', 'num'],
              ],
              result.plan.map((p) =>
                h(
                  'tr',
                  { 'data-partition': `${p.topic}:${p.partition}` },
                  h('td', null, p.topic),
                  h('td', { class: 'num' }, p.partition),
                  h('td', { class: 'num' }, p.currentOffset ?? 'none'),
                  h('td', { class: 'num' }, p.newOffset),
                  h('td', { class: 'num' }, formatCount(p.reRead)),
                  h('td', { class: `num${p.skipped > 0 ? ' lagging' : ''}` }, formatCount(p.skipped)),
                  h('td', { class: 'num' }, formatCount(p.toRead)),
                ),
              ),
              { 'aria-label': 'Reset plan' },
            ),
            result.skipped > 0 &&
              h(
                'div',
                { class: 'warning', role: 'alert', 'data-testid': 'reset-skips' },
                h(
                  'p',
                  null,
                  `This reset skips ${formatCount(result.skipped)} record(s) the group never consumed (` +
                    skipped.map((p) => `${p.topic}:${p.partition} ${formatCount(p.skipped)}`).join(', ') +
                    '): they will never be processed and their effects never happen.',
                ),
                h(
                  'label',
                  { class: 'check' },
                  allowSkip,
                  `Skip these ${formatCount(result.skipped)} record(s) on purpose`,
                ),
              ),
            h('div', { class: 'form-actions' }, confirm, cancel),
          );
        })
        .catch(ctx.toasts.error)
        .finally(() => {
          preview.disabled = false;
        });
    });
    replace(reset, h('h2', null, 'Reset offsets'), form, plan);
  };

  const refresh = async () => {
    const [group, history] = await Promise.all([
      ctx.api.get<GroupView>(`/api/groups/${encodeURIComponent(groupId)}`),
      ctx.api.get<LagHistoryView>(`/api/groups/${encodeURIComponent(groupId)}/lag-history`),
    ]);
    replace(
      header,
      h(
        'div',
        { class: 'card' },
        h('div', { class: 'card-label' }, 'State'),
        h('div', { class: 'card-value' }, stateBadge(group.state)),
      ),
      simpleCard('Protocol', group.protocol),
      simpleCard('Members', String(group.members.length)),
      simpleCard('Total lag', formatCount(group.totalLag), 'total-lag'),
    );
    replace(
      members,
      h('h2', null, 'Members'),
      group.members.length === 0
        ? h('p', { class: 'muted' }, 'No members: the group is empty.')
        : table(
            ['Client', 'Host', 'Assigned partitions'],
            group.members.map((m) =>
              h(
                'tr',
                null,
                h('td', { class: 'mono' }, m.clientId),
                h('td', null, m.host),
                h('td', null, m.assignments.join(', ')),
              ),
            ),
            { 'aria-label': 'Members' },
          ),
    );
    replace(
      partitions,
      h('h2', null, 'Offsets and lag'),
      table(
        ['Topic', ['Partition', 'num'], 'Owner', ['Committed', 'num'], ['Latest', 'num'], ['Lag', 'num']],
        group.partitions.map((p) =>
          h(
            'tr',
            null,
            h(
              'td',
              null,
              h(
                'a',
                {
                  href: routeHref('messages', undefined, { topic: p.topic, partition: String(p.partition) }),
                },
                p.topic,
              ),
            ),
            h('td', { class: 'num' }, p.partition),
            h('td', { class: 'mono' }, p.owner ?? '–'),
            h('td', { class: 'num' }, p.committedOffset ?? '–'),
            h('td', { class: 'num' }, p.latestOffset),
            h('td', { class: `num${p.lag > 0 ? ' lagging' : ''}` }, formatCount(p.lag)),
          ),
        ),
        { 'aria-label': 'Partitions' },
      ),
    );
    const topics = [...new Set(history.samples.flatMap((s) => Object.keys(s.byTopic)))];
    lag.update({
      label:
        `Lag over time (a sample every ${Math.round(history.intervalMs / 1000)} s while the console is open, ` +
        `every ${Math.round(history.idleIntervalMs / 1000)} s otherwise; kept in the console's memory)`,
      x: history.samples.map((s) => s.t),
      series: [
        { name: 'total', values: history.samples.map((s) => s.total) },
        ...(topics.length > 1
          ? topics.map((t) => ({ name: t, values: history.samples.map((s) => s.byTopic[t] ?? 0) }))
          : []),
      ],
    });
    replace(
      lagSince,
      history.samples.length > 0 &&
        `${history.samples.length} sample(s) since ${formatTimestamp(history.samples[0]?.t)}`,
    );
    renderReset(group);
  };

  const stop = every(ctx.info.lagSampleMs, () => refresh().catch(ctx.toasts.error));
  const element = h(
    'div',
    { class: 'page page-group' },
    h('p', { class: 'crumbs' }, h('a', { href: routeHref('groups') }, 'Consumer groups'), ' / '),
    h('h1', null, groupId),
    header,
    chart,
    partitions,
    members,
    reset,
  );
  return {
    element,
    dispose: () => {
      stop();
      lag.destroy();
    },
  };
}

function simpleCard(label: string, value: string, testId?: string): HTMLElement {
  return h(
    'div',
    { class: 'card' },
    h('div', { class: 'card-label' }, label),
    h('div', { class: 'card-value', 'data-testid': testId }, value),
  );
}
