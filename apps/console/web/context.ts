import type { AppInfo } from '../src/shared/views.ts';
import type { Api } from './api.ts';
import type { Toasts } from './toasts.ts';

/** What every page gets from main.ts (no module-level state). */
export interface PageContext {
  api: Api;
  info: AppInfo;
  toasts: Toasts;
  /** Changes the hash route (the router re-renders). */
  navigate(href: string): void;
}

/** A rendered page; dispose stops its timers and streams when the user leaves it. */
export interface Page {
  element: HTMLElement;
  dispose(): void;
}
