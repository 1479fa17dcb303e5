import { readFileSync } from 'node:fs';
import { z } from 'zod';

// Secrets come from the environment or from files (mounted Kubernetes/Docker secrets). A `*_FILE`
// variable holds a path; the file is read once at start, and a missing or unreadable one is a
// ConfigError naming the variable and the path — never the content.

function readable(what: string, path: string, ctx: z.RefinementCtx): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    ctx.addIssue({ code: 'custom', message: `cannot read the ${what} file ${path} (${reason})` });
    return undefined;
  }
}

/** A file holding one secret, e.g. a password; a trailing newline (echo pw > file) is dropped. */
export function secretFile(what: string) {
  return z
    .string()
    .min(1)
    .transform((path, ctx) => {
      const text = readable(what, path, ctx)?.replace(/(\r?\n)+$/, '');
      if (text === undefined) return z.NEVER;
      if (text.length === 0) {
        ctx.addIssue({ code: 'custom', message: `the ${what} file ${path} is empty` });
        return z.NEVER;
      }
      return text;
    });
}

/** A PEM file (certificate, CA bundle or private key); its text must contain a PEM block of that kind. */
export function pemFile(what: string, kind: 'CERTIFICATE' | 'PRIVATE KEY') {
  return z
    .string()
    .min(1)
    .transform((path, ctx) => {
      const text = readable(what, path, ctx);
      if (text === undefined) return z.NEVER;
      const marker =
        kind === 'CERTIFICATE' ? /-----BEGIN CERTIFICATE-----/ : /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
      if (!marker.test(text)) {
        ctx.addIssue({ code: 'custom', message: `the ${what} file ${path} holds no PEM ${kind}` });
        return z.NEVER;
      }
      return text;
    });
}
