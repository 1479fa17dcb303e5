// A pass-through proxy between Docker Compose and podman 4.3's Docker-compatible API socket. Home-made
// because it corrects exactly two answers of podman 4.3 that make Compose misbehave, and nothing else:
//  1. containers list/inspect report each network's NetworkID as the network's *name*; Compose compares
//     it with the network's ID, sees a container on the wrong network and recreates every container
//     on every `up` (e.g. `up -d --scale notification-service=3` would recreate Kafka and PostgreSQL).
//  2. ports published on all interfaces carry an empty host IP where Docker says 0.0.0.0, so
//     `docker compose port notification-service 8002` prints ":40321" instead of "0.0.0.0:40321".
// Every other request, including the hijacked streams of exec/attach, is passed through unchanged.
import { createServer, request, type Server } from 'node:http';
import { connect } from 'node:net';

type Json = Record<string, unknown>;

/** GET /containers/json and GET /containers/{id}/json, with or without a /v1.xx prefix. */
export function isContainerRead(
  method: string | undefined,
  url: string | undefined,
): 'list' | 'inspect' | undefined {
  if (method !== 'GET' || !url) return undefined;
  const path = url.split('?')[0] ?? '';
  if (/^(\/v[\d.]+)?\/containers\/json$/.test(path)) return 'list';
  if (/^(\/v[\d.]+)?\/containers\/[^/]+\/json$/.test(path)) return 'inspect';
  return undefined;
}

function patchNetworks(settings: Json | undefined, networkIds: Map<string, string>): void {
  const networks = settings?.Networks as Record<string, Json> | undefined;
  if (!networks) return;
  for (const [name, network] of Object.entries(networks)) {
    const id = networkIds.get(name);
    if (id && (network.NetworkID === name || !network.NetworkID)) network.NetworkID = id;
  }
}

/** Corrects one container as listed (GET /containers/json) or inspected (GET /containers/{id}/json). */
export function patchContainer(
  container: Json,
  kind: 'list' | 'inspect',
  networkIds: Map<string, string>,
): Json {
  const settings = container.NetworkSettings as Json | undefined;
  patchNetworks(settings, networkIds);
  if (kind === 'list') {
    for (const port of (container.Ports as Json[] | undefined) ?? []) {
      if (port.PublicPort && !port.IP) port.IP = '0.0.0.0';
    }
  } else {
    const ports = settings?.Ports as Record<string, Json[] | null> | undefined;
    for (const bindings of Object.values(ports ?? {})) {
      for (const b of bindings ?? []) if (b.HostPort && !b.HostIp) b.HostIp = '0.0.0.0';
    }
  }
  return container;
}

export function patchBody(body: unknown, kind: 'list' | 'inspect', networkIds: Map<string, string>): unknown {
  if (kind === 'list' && Array.isArray(body))
    return body.map((c) => patchContainer(c as Json, kind, networkIds));
  if (kind === 'inspect' && body && typeof body === 'object')
    return patchContainer(body as Json, kind, networkIds);
  return body;
}

function networkIds(upstream: string): Promise<Map<string, string>> {
  return new Promise((resolve) => {
    const req = request({ socketPath: upstream, path: '/v1.41/networks', method: 'GET' }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => {
        try {
          const list = JSON.parse(text) as { Name: string; Id: string }[];
          resolve(new Map(list.map((n) => [n.Name, n.Id])));
        } catch {
          resolve(new Map());
        }
      });
    });
    req.on('error', () => resolve(new Map()));
    req.end();
  });
}

/** Listens on `listen` (a Unix socket path) and forwards to podman's socket `upstream`. */
export function startShim(listen: string, upstream: string): Promise<Server> {
  const server = createServer((req, res) => {
    const kind = isContainerRead(req.method, req.url);
    const forward = request(
      { socketPath: upstream, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        if (!kind || up.statusCode !== 200) {
          res.writeHead(up.statusCode ?? 502, up.headers);
          res.flushHeaders();
          up.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', async () => {
          let text = Buffer.concat(chunks).toString('utf8');
          try {
            text = JSON.stringify(patchBody(JSON.parse(text), kind, await networkIds(upstream)));
          } catch {
            // Not JSON: pass it on as it came.
          }
          const headers = { ...up.headers };
          delete headers['transfer-encoding'];
          headers['content-length'] = String(Buffer.byteLength(text));
          res.writeHead(200, headers);
          res.end(text);
        });
      },
    );
    forward.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`podman API: ${error.message}`);
    });
    req.pipe(forward);
  });
  // exec/attach hijack the connection (Upgrade: tcp): replay the request upstream, then splice.
  server.on('upgrade', (req, socket, head) => {
    const up = connect(upstream, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      up.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) up.write(head);
      socket.pipe(up);
      up.pipe(socket);
    });
    const close = () => {
      socket.destroy();
      up.destroy();
    };
    up.on('error', close);
    socket.on('error', close);
  });
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.timeout = 0;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen, () => resolve(server));
  });
}
