import { stripTypeScriptTypes } from 'node:module';

/**
 * TypeScript → JavaScript for the browser by erasing types, as Node does for our own .ts files
 * (positions are kept, so no source map is needed). The API is flagged experimental and warns once
 * per process; that warning says nothing useful to a console user, so it is not printed.
 */
export function stripTypes(source: string): string {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (/stripTypeScriptTypes/.test(text)) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return stripTypeScriptTypes(source, { mode: 'strip' });
  } finally {
    process.emitWarning = emitWarning;
  }
}
