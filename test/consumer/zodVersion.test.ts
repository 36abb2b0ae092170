/**
 * zod is a peer dependency; zod 3 must fail at once and say so, not later as a type error or an
 * odd TypeError. The installed zod 3 (`zod3`, 3.25.76: v3 at its root, v4 under `zod/v4`) is real.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as zod4 from 'zod';
import * as zod3 from 'zod3';
import { assertZod4, ZodVersionError } from '../../packages/core/src/zodVersion.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

describe('zod version guard', () => {
  it('should accept zod 4 and refuse zod 3, naming the installed version', () => {
    expect(() => assertZod4(zod4)).not.toThrow();
    let caught: unknown;
    try {
      assertZod4(zod3, () => '3.25.76');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ZodVersionError);
    expect(caught).toMatchObject({ code: 'ZOD_VERSION', installed: '3.25.76' });
    expect((caught as Error).message).toContain('zod 3.25.76 is installed');
  });

  it('should throw ZodVersionError when @troupe/core is imported with zod 3 installed', async () => {
    const script = `import('@troupe/core').then(() => console.log('imported'), (e) => console.log(e.name, e.code, e.installed))`;
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        '--import',
        './consumer/fixtures/withZod3.mjs',
        '--input-type=module',
        '-e',
        script,
      ],
      { cwd: `${root}test`, timeout: 60_000 },
    );
    expect(stdout.trim()).toBe('ZodVersionError ZOD_VERSION 3.25.76');
  });
});
