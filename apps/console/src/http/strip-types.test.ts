import { describe, expect, it } from 'vitest';
import { stripTypes } from './strip-types.ts';

describe('stripTypes', () => {
  it('erases type syntax and keeps imports and positions', () => {
    const js = stripTypes(
      "import { a } from './a.ts';\nexport function f(x: number): string {\n  return String(x as unknown);\n}\n",
    );
    expect(js).toContain("import { a } from './a.ts';");
    expect(js).not.toMatch(/: number|: string|as unknown/);
    expect(js.split('\n')).toHaveLength(5);
    expect(
      new Function('String', `${js.replace(/^import.*$/m, '').replace('export ', '')}; return f(2);`)(String),
    ).toBe('2');
  });
});
