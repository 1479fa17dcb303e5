import { h } from './dom.ts';

export interface Toasts {
  ok(message: string): void;
  error(error: unknown): void;
}

/** Short messages in the corner: successes fade after 4 s, errors stay 10 s (or until clicked). */
export function createToasts(container: HTMLElement): Toasts {
  const show = (message: string, tone: 'ok' | 'bad', ms: number) => {
    const toast = h(
      'div',
      { class: `toast toast-${tone}`, role: tone === 'bad' ? 'alert' : 'status' },
      message,
    );
    toast.addEventListener('click', () => toast.remove());
    container.append(toast);
    window.setTimeout(() => toast.remove(), ms);
  };
  return {
    ok: (message) => show(message, 'ok', 4000),
    error: (error) => show(error instanceof Error ? error.message : String(error), 'bad', 10_000),
  };
}
