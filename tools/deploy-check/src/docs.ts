// The commands docs/deployment.md tells people to run must match the files: compose files, profiles
// and services that exist, npm scripts that exist, kustomizations and app names that exist.

export interface DocFacts {
  files: (path: string) => boolean;
  composeServices: Set<string>;
  composeProfiles: Set<string>;
  npmScripts: Set<string>;
  apps: Set<string>;
}

/** Shell commands in the fenced code blocks of a markdown text, continuations joined, split at && ; |. */
export function extractCommands(markdown: string): string[] {
  const commands: string[] = [];
  for (const block of markdown.matchAll(/^```(?:bash|sh|shell|console)?\n([\s\S]*?)^```/gm)) {
    const text = (block[1] as string).replace(/\s*\\\n\s*/g, ' ');
    for (const line of text.split('\n')) {
      const code = line
        .replace(/^\$\s+/, '')
        .replace(/\s+#.*$/, '')
        .trim();
      if (!code || code.startsWith('#')) continue;
      for (const part of code.split(/\s*(?:&&|\|\||;|\|)\s*/)) if (part.trim()) commands.push(part.trim());
    }
  }
  return commands;
}

/** Splits a command into words (single and double quotes, no expansion). */
export function words(command: string): string[] {
  const out: string[] = [];
  for (const m of command.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? (m[3] as string));
  return out;
}

const COMPOSE_SERVICE_COMMANDS = new Set([
  'up',
  'start',
  'stop',
  'restart',
  'kill',
  'pause',
  'unpause',
  'logs',
  'ps',
  'rm',
  'exec',
  'port',
  'top',
  'build',
  'pull',
  'create',
]);
/** Options of `docker compose` itself (before the subcommand) that take a value. */
const COMPOSE_GLOBAL_VALUE_OPTIONS = new Set([
  '-f',
  '--file',
  '--profile',
  '-p',
  '--project-name',
  '--env-file',
  '--project-directory',
]);
/** Options of the subcommands that take a value (so the next word is not a service). */
const COMPOSE_VALUE_OPTIONS = new Set([
  '--scale',
  '--index',
  '--tail',
  '-n',
  '-t',
  '--timeout',
  '--since',
  '--until',
  '-u',
  '--user',
  '-w',
  '--workdir',
  '-e',
  '--env',
  '-s',
  '--signal',
]);

export function checkDocCommands(markdown: string, facts: DocFacts): { problems: string[]; checked: number } {
  const problems: string[] = [];
  let checked = 0;
  for (const command of extractCommands(markdown)) {
    let w = words(command);
    while (w[0] && /^[A-Z_][A-Z0-9_]*=/.test(w[0])) w = w.slice(1); // leading VAR=value
    if (w[0] === 'docker' && w[1] === 'compose') {
      checked++;
      let sub: string | undefined;
      const positional: string[] = [];
      for (let i = 2; i < w.length; i++) {
        const word = w[i] as string;
        const [flag, inline] =
          word.startsWith('--') && word.includes('=')
            ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]
            : [word, undefined];
        if ((sub ? COMPOSE_VALUE_OPTIONS : COMPOSE_GLOBAL_VALUE_OPTIONS).has(flag)) {
          const value = inline ?? (w[++i] as string | undefined) ?? '';
          if (flag === '-f' || flag === '--file') {
            if (!facts.files(value)) problems.push(`\`${command}\`: compose file ${value} does not exist`);
          } else if (flag === '--profile') {
            // '*' enables every profile.
            if (value !== '*' && !facts.composeProfiles.has(value))
              problems.push(`\`${command}\`: no service has profile ${value}`);
          } else if (flag === '--scale') {
            const service = value.split('=')[0] as string;
            if (!facts.composeServices.has(service))
              problems.push(`\`${command}\`: --scale ${service}: no such service`);
          }
          continue;
        }
        if (word.startsWith('-')) continue;
        if (!sub) sub = word;
        else positional.push(word);
      }
      if (sub && COMPOSE_SERVICE_COMMANDS.has(sub)) {
        // exec/port take the service then a command or a port; the others take services.
        const services = sub === 'exec' || sub === 'port' ? positional.slice(0, 1) : positional;
        for (const s of services) {
          if (!facts.composeServices.has(s)) problems.push(`\`${command}\`: ${s} is not a compose service`);
        }
      }
    } else if (w[0] === 'docker' && w[1] === 'build') {
      checked++;
      for (let i = 2; i < w.length; i++) {
        const m = /^APP=(.+)$/.exec((w[i - 1] === '--build-arg' ? w[i] : '') ?? '');
        if (m && !facts.apps.has(m[1] as string)) problems.push(`\`${command}\`: APP=${m[1]} is not an app`);
      }
    } else if (w[0] === 'npm' && (w[1] === 'run' || w[1] === 'run-script')) {
      checked++;
      const script = w[2] ?? '';
      if (!facts.npmScripts.has(script)) problems.push(`\`${command}\`: npm script ${script} does not exist`);
    } else if (w[0] === 'kubectl' && w.includes('-k')) {
      checked++;
      const dir = w[w.indexOf('-k') + 1] ?? '';
      if (!facts.files(`${dir}/kustomization.yaml`))
        problems.push(`\`${command}\`: ${dir} is not a kustomization`);
    }
  }
  return { problems, checked };
}

/**
 * Every `${NAME:-default}` the compose files read must be in a table row of the docs that names
 * `NAME` and shows its default (a row saying the default is "in the files" shows it there instead).
 */
export function checkDocumentedVariables(
  composeTexts: string[],
  markdown: string,
): { problems: string[]; checked: number } {
  const rows = markdown.split('\n').filter((l) => l.startsWith('|'));
  const seen = new Map<string, Set<string>>();
  for (const text of composeTexts.map((t) => t.replace(/^\s*#.*$/gm, ''))) {
    for (const m of text.matchAll(/\$\{([A-Z][A-Z0-9_]*)(?::?-([^}]*))?\}/g)) {
      const defaults = seen.get(m[1] as string) ?? new Set<string>();
      if (m[2] !== undefined) defaults.add(m[2]);
      seen.set(m[1] as string, defaults);
    }
  }
  const problems: string[] = [];
  for (const [name, defaults] of seen) {
    const row = rows.find((r) => r.includes(`\`${name}\``));
    if (!row) {
      problems.push(`${name} (read by the compose files) is not in a table of docs/deployment.md`);
      continue;
    }
    for (const d of defaults) {
      if (!row.includes(d) && !row.includes('in the files'))
        problems.push(`${name}: the docs do not show its default ${d}`);
    }
  }
  return { problems, checked: seen.size };
}
