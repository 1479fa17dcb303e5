/** One step of the run: what was done (the command, when it is one) and what was checked. */
export interface StepOutcome {
  section: string;
  name: string;
  ok: boolean;
  /** A skipped step says why; it is not a failure. */
  skipped?: string;
  detail?: string;
  seconds: number;
}

export class StepFailed extends Error {}

/**
 * Runs and prints the steps of `npm run compose:check`: `✓ name: detail (12.3 s)`, `✗` with the
 * error, `–` for a skipped step with its reason. A failed step stops its section (the following
 * steps of a scenario depend on it); the run goes on with the next section.
 */
export class Steps {
  readonly outcomes: StepOutcome[] = [];
  private section = '';
  private readonly write: (text: string) => void;

  constructor(write: (text: string) => void = (t) => process.stdout.write(t)) {
    this.write = write;
  }

  begin(section: string): void {
    this.section = section;
    this.write(`\n== ${section}\n`);
  }

  note(line: string): void {
    this.write(`    ${line.replaceAll('\n', '\n    ')}\n`);
  }

  skip(name: string, reason: string): void {
    this.outcomes.push({ section: this.section, name, ok: true, skipped: reason, seconds: 0 });
    this.write(`– ${name}: skipped, ${reason}\n`);
  }

  /** Runs fn; its string result is the step's detail. Throws StepFailed after printing a failure. */
  async step(name: string, fn: () => Promise<string | undefined> | string | undefined): Promise<void> {
    const started = performance.now();
    this.write(`… ${name}\n`);
    try {
      const detail = await fn();
      const seconds = (performance.now() - started) / 1000;
      this.outcomes.push({ section: this.section, name, ok: true, detail, seconds });
      this.write(`✓ ${name}${detail ? `: ${detail}` : ''} (${seconds.toFixed(1)} s)\n`);
    } catch (error) {
      const seconds = (performance.now() - started) / 1000;
      const message = error instanceof Error ? error.message : String(error);
      this.outcomes.push({ section: this.section, name, ok: false, detail: message, seconds });
      this.write(`✗ ${name} (${seconds.toFixed(1)} s)\n    ${message.replaceAll('\n', '\n    ')}\n`);
      throw new StepFailed(message);
    }
  }

  /** Runs a section; a failed step ends it. Returns whether every step of it passed. */
  async run(section: string, body: () => Promise<void>): Promise<boolean> {
    this.begin(section);
    try {
      await body();
      return true;
    } catch (error) {
      if (!(error instanceof StepFailed)) {
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        this.outcomes.push({ section, name: 'unexpected error', ok: false, detail: message, seconds: 0 });
        this.write(`✗ unexpected error\n    ${message.replaceAll('\n', '\n    ')}\n`);
      }
      return false;
    }
  }

  failed(): StepOutcome[] {
    return this.outcomes.filter((o) => !o.ok);
  }
}
