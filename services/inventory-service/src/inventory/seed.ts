/** Parses `Laptop=50,Phone=100` into stock levels; throws on anything else (a config error). */
export function parseSeed(text: string): Map<string, number> {
  const stock = new Map<string, number>();
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^([^=]{1,100})=(\d{1,9})$/.exec(part);
    if (!match?.[1] || !match[2]) throw new Error(`invalid seed entry "${part}" (expected item=stock)`);
    stock.set(match[1].trim(), Number(match[2]));
  }
  return stock;
}
