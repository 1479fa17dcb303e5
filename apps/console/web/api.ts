// Calls to the console's own /api (same origin; the session cookie goes along by itself).

import type { Problem as ApiProblem } from '../src/shared/views.ts';

/** A problem answer, or what is known when the body was not one (any field but status may be missing). */
export type Problem = Partial<ApiProblem> & Pick<ApiProblem, 'status'>;

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(problem: Problem) {
    const fields = problem.errors?.map((e) => `${e.field}: ${e.message}`).join('; ');
    super([problem.detail ?? problem.title ?? `HTTP ${problem.status}`, fields].filter(Boolean).join(' — '));
    this.status = problem.status;
    this.problem = problem;
  }
}

export interface Api {
  get<T>(path: string): Promise<T>;
  send<T>(method: 'POST' | 'PUT', path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
}

/** `onUnauthorized` runs when the session is gone (401), e.g. to show the login page. */
export function createApi(onUnauthorized: () => void): Api {
  const call = async <T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> => {
    const response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: {
        ...(body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      if (response.status === 401 && !path.startsWith('/api/login')) onUnauthorized();
      const problem =
        parsed && typeof parsed === 'object'
          ? (parsed as Problem)
          : { status: response.status, detail: text };
      throw new ApiError({ ...problem, status: response.status });
    }
    return parsed as T;
  };
  return {
    get: (path) => call('GET', path),
    send: (method, path, body, headers) => call(method, path, body, headers),
  };
}
