// GET /api/audit: one page of the audit trail (types only; the browser imports them with `import type`).
import type { AuditRecord } from '@kafka-poc/contracts/audit';

export type { AuditRecord };

export interface AuditPageView {
  topic: string;
  /** Newest first. */
  records: AuditRecord[];
  /** For the next (older) page; null at the oldest record kept. */
  nextCursor: string | null;
  scanned: number;
  /** Records on the topic that are not audit records. */
  invalid: number;
}
