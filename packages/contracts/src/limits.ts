/** Input bounds shared by HTTP validation and event schemas, so an accepted order is always a valid event. */
export const LIMITS = {
  itemMinLength: 1,
  itemMaxLength: 100,
  quantityMin: 1,
  quantityMax: 10_000,
  stockMax: 1_000_000_000,
  reasonMaxLength: 500,
  idempotencyKeyMaxLength: 200,
} as const;

/** Item names: printable text only (no control characters such as NUL, which PostgreSQL text refuses). */
export const PRINTABLE_TEXT = /^[^\p{Cc}\p{Cs}]*$/u;
