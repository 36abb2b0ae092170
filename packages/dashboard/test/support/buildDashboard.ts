import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** packages/dashboard */
export const DASHBOARD_DIR = fileURLToPath(new URL('../..', import.meta.url));
/** What `vite build` writes and the server serves. */
export const DIST_DIR = join(DASHBOARD_DIR, 'dist');

function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

/**
 * Builds the dashboard with Vite (programmatically) when `dist/` is missing or older than its
 * sources (src/, index.html, vite.config.ts, and core's progress reducer it bundles), so
 * `pnpm test` needs no build first. Returns the dist directory.
 */
export async function buildDashboard(): Promise<string> {
  const index = join(DIST_DIR, 'index.html');
  const sources = [
    join(DASHBOARD_DIR, 'src'),
    join(DASHBOARD_DIR, 'index.html'),
    join(DASHBOARD_DIR, 'vite.config.ts'),
    join(DASHBOARD_DIR, '..', 'core', 'src', 'progress'),
  ];
  if (existsSync(index) && statSync(index).mtimeMs >= Math.max(...sources.map(newest))) return DIST_DIR;
  const { build } = await import('vite');
  await build({ configFile: join(DASHBOARD_DIR, 'vite.config.ts'), logLevel: 'warn' });
  return DIST_DIR;
}
