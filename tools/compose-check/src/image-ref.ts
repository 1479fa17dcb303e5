/** An image reference split the way Docker resolves short names: `node:24-slim` → docker.io/library/node, 24-slim. */
export interface ImageRef {
  /** Fully qualified repository: docker.io/library/node, docker.io/apache/kafka, localhost/x/y. */
  repository: string;
  tag: string;
  /** As written in the files. */
  written: string;
}

export function parseImageRef(written: string): ImageRef {
  const at = written.indexOf('@');
  const ref = at >= 0 ? written.slice(0, at) : written;
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  const hasTag = colon > slash;
  let name = hasTag ? ref.slice(0, colon) : ref;
  const tag = hasTag ? ref.slice(colon + 1) : 'latest';
  const first = name.split('/')[0] ?? '';
  const hasRegistry =
    name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) name = `docker.io/${name.includes('/') ? name : `library/${name}`}`;
  return { repository: name, tag, written };
}

export function fullName(ref: ImageRef): string {
  return `${ref.repository}:${ref.tag}`;
}
