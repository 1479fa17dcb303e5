// The browser app: session check, shell (navigation, service status), hash router.
import { type PageName, parseRoute, routeHref } from '../src/shared/route.ts';
import type { AppInfo, SessionView, StatusView } from '../src/shared/views.ts';
import { type Api, createApi } from './api.ts';
import type { Page, PageContext } from './context.ts';
import { badge, every, h, replace } from './dom.ts';
import { auditPage } from './pages/audit.ts';
import { clusterPage } from './pages/cluster.ts';
import { deadLettersPage } from './pages/dead-letters.ts';
import { groupPage, groupsPage } from './pages/groups.ts';
import { loginPage } from './pages/login.ts';
import { messagesPage } from './pages/messages.ts';
import { orderFlowPage } from './pages/order-flow.ts';
import { createToasts } from './toasts.ts';

const NAV: { page: PageName; label: string }[] = [
  { page: 'flow', label: 'Order flow' },
  { page: 'cluster', label: 'Cluster' },
  { page: 'messages', label: 'Messages' },
  { page: 'groups', label: 'Consumer groups' },
  { page: 'dead-letters', label: 'Dead letters' },
  { page: 'audit', label: 'Audit' },
];

function start(): void {
  const root = document.getElementById('app');
  const toastBox = document.getElementById('toasts');
  if (!root || !toastBox) return;
  const toasts = createToasts(toastBox);
  let current: Page | undefined;
  let stopStatus: (() => void) | undefined;
  let showingLogin = false;

  const showLogin = () => {
    if (showingLogin) return;
    showingLogin = true;
    current?.dispose();
    current = undefined;
    stopStatus?.();
    replace(
      root,
      loginPage(api, () => void boot()),
    );
    document.body.classList.remove('read-only');
  };
  const api: Api = createApi(showLogin);

  const boot = async () => {
    showingLogin = false;
    const session = await api.get<SessionView>('/api/session');
    if (session.authRequired && !session.authenticated) {
      showLogin();
      return;
    }
    const info = await api.get<AppInfo>('/api/info');
    document.body.classList.toggle('read-only', info.readOnly);
    const nav = h('nav', { 'aria-label': 'Pages' });
    const status = h('div', { class: 'status', 'aria-label': 'Service status' });
    const view = h('main', { id: 'view' });
    const logout =
      session.authRequired &&
      h(
        'button',
        {
          type: 'button',
          class: 'ghost',
          onclick: () => void api.send('POST', '/api/logout').then(showLogin, toasts.error),
        },
        'Log out',
      );
    replace(
      root,
      h(
        'header',
        { class: 'topbar' },
        h('a', { class: 'brand', href: routeHref('flow') }, 'kafka-poc ', h('span', null, 'console')),
        nav,
        h('div', { class: 'session' }, info.readOnly && badge('read-only', 'warn'), logout),
      ),
      status,
      view,
    );
    const ctx: PageContext = {
      api,
      info,
      toasts,
      navigate: (href) => {
        window.location.hash = href;
      },
    };
    const render = () => {
      const route = parseRoute(window.location.hash);
      current?.dispose();
      replace(
        nav,
        NAV.map((item) =>
          h(
            'a',
            {
              href: routeHref(item.page),
              class: item.page === route.page ? 'active' : '',
              'aria-current': item.page === route.page ? 'page' : null,
            },
            item.label,
          ),
        ),
      );
      current = pageFor(ctx, route.page, route.param, route.query);
      replace(view, current.element);
      document.title = `${NAV.find((n) => n.page === route.page)?.label ?? 'Console'} · Kafka console`;
    };
    window.onhashchange = render;
    render();
    stopStatus?.();
    stopStatus = every(10_000, async () => {
      try {
        const checks = await api.get<StatusView>('/api/status');
        replace(
          status,
          Object.entries(checks).map(([name, check]) =>
            h(
              'span',
              { class: `chip ${check.ok ? 'ok' : 'bad'}`, title: check.detail },
              check.ok ? '● ' : '○ ',
              name,
            ),
          ),
        );
      } catch {
        // The next round tries again; a lost session shows the login page.
      }
    });
  };

  boot().catch((error: unknown) => {
    toasts.error(error);
    replace(root, h('p', { class: 'empty' }, 'The console server does not answer. Reload to retry.'));
  });
}

function pageFor(
  ctx: PageContext,
  page: PageName,
  param: string | undefined,
  query: Record<string, string>,
): Page {
  switch (page) {
    case 'cluster':
      return clusterPage(ctx);
    case 'messages':
      return messagesPage(ctx, query);
    case 'groups':
      return param ? groupPage(ctx, param) : groupsPage(ctx);
    case 'dead-letters':
      return deadLettersPage(ctx, param);
    case 'audit':
      return auditPage(ctx);
    case 'login':
    case 'flow':
      return orderFlowPage(ctx, param, query);
  }
}

start();
