import { AppError } from '@kafka-poc/service-kit';

/** An answer of a service, passed on to the browser as it is (status and JSON body). */
export interface ServiceAnswer {
  status: number;
  contentType: string;
  body: unknown;
}

export interface ServiceClientOptions {
  name: string;
  baseUrl: string;
  /** Sent as x-api-key when the services require API keys. */
  apiKey?: string | undefined;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * Calls one service's HTTP API. A service that does not answer becomes a 503 problem naming it; its
 * own answers (including 4xx problems, e.g. a 422 for a negative stock) are passed through.
 */
export class ServiceClient {
  readonly name: string;
  readonly baseUrl: string;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #auth: Record<string, string>;

  constructor(options: ServiceClientOptions) {
    this.name = options.name;
    this.baseUrl = options.baseUrl;
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#fetch = options.fetch ?? fetch;
    this.#auth = options.apiKey ? { 'x-api-key': options.apiKey } : {};
  }

  async request(
    method: 'GET' | 'PUT',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ServiceAnswer> {
    let response: Response;
    try {
      response = await this.#fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
          ...this.#auth,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw new AppError('UNAVAILABLE', `${this.name} is not reachable`, { cause: error, retryable: true });
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      throw new AppError('UNAVAILABLE', `${this.name} answered something that is not JSON`, {
        retryable: true,
      });
    }
    if (response.status >= 500) {
      throw new AppError('UNAVAILABLE', `${this.name} answered ${response.status}`, { retryable: true });
    }
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? 'application/json',
      body: parsed,
    };
  }

  /** GET that must succeed: a non-2xx answer is an error. */
  async get<T>(path: string): Promise<T> {
    const answer = await this.request('GET', path);
    if (answer.status >= 300) {
      throw new AppError('UNAVAILABLE', `${this.name} answered ${answer.status}`, { retryable: true });
    }
    return answer.body as T;
  }

  /** /health/ready: true when the service says it is ready. */
  async ready(): Promise<{ ok: boolean; detail: string }> {
    try {
      const response = await this.#fetch(`${this.baseUrl}/health/ready`, {
        signal: AbortSignal.timeout(2000),
      });
      return {
        ok: response.status === 200,
        detail: response.status === 200 ? 'ready' : `HTTP ${response.status}`,
      };
    } catch (error) {
      return { ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
  }
}
