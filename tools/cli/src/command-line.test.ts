import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCommandLine } from './command-line.ts';

// Arguments are checked before anything connects, so these need no cluster.

afterEach(() => {
  vi.restoreAllMocks();
});

async function run(...argv: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  let stderr = '';
  let stdout = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const code = await runCommandLine(argv, process.env);
  vi.restoreAllMocks();
  return { code, stderr, stdout };
}

describe('command line', () => {
  it.each([
    [['replay', '--group', 'g'], 'replay: --to <target> is required'],
    [['replay', '--to', 'earliest'], 'replay: --group <id> is required'],
    [['replay', '--group', 'g', '--to', 'earliest', '--limit', '5'], 'replay does not take --limit'],
    [['replay', '--group', 'g', '--to', '2026-12-04T10:00'], '2026-12-04T10:00Z'],
    [['replay', '--group', 'g', '--to', 'yesterday'], '"yesterday" is not earliest, latest'],
    [['replay', '--bogus'], "Unknown option '--bogus'"],
    [['replay', '--group'], "Option '--group <value>' argument missing"],
    [['group'], 'group: which group?'],
    [['group', 'a', 'b'], 'group: unexpected argument "b"'],
    [['dlq', 'list', 't', '--limit', 'ten'], '--limit must be a whole number >= 1, got "ten"'],
    [['dlq', 'list', 't', '--all'], 'dlq list takes --limit only'],
    [['dlq', 'redrive', 't'], 'pass --all or --offset <n>'],
    [['dlq', 'redrive', 't', '--all', '--offset', '3'], '--all or --offset, not both'],
    [['dlq', 'redrive', 't', '--offset', 'x'], '--offset must be an offset'],
    [
      ['dlq', 'redrive', 't', '--offset', '3', '--partition', '-1'],
      "Option '--partition' argument is ambiguous",
    ],
    [['dlq', 'redrive', 't', '--offset', '3', '--limit', '2'], '--limit goes with --all'],
    [['dlq', 'redrive', 't', '--all', '--limit', '0'], '--limit must be a whole number >= 1'],
    [['rebuild', 'notifications'], 'rebuild: --from <time> is required'],
    [['rebuild', 'projections', '--from', '2026-12-04T10:00Z'], 'rebuild: use "rebuild notifications'],
    [
      ['rebuild', 'notifications', '--from', '2026-12-04T10:00'],
      '--from "2026-12-04T10:00" has no time zone',
    ],
    [
      ['rebuild', 'notifications', '--from', '2026-12-04T10:00Z', '--topic', 'x'],
      'rebuild does not take --topic',
    ],
    [['nonsense'], 'unknown command "nonsense"'],
  ])('%j exits 2: %s', async (argv, message) => {
    const result = await run(...argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('npm run cli -- --help');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('prints usage with --help (0) and without a command (2)', async () => {
    expect(await run('--help')).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage:') });
    expect(await run()).toMatchObject({ code: 2, stdout: expect.stringContaining('--allow-skip') });
  });
});
