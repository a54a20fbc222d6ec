import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Where the built dashboard lives: `<collector-service>/dist/dashboard`, written by `vite build`.
 * This file sits two levels under the package both as source (src/web) and compiled (dist/web),
 * so the same relative path works for the service and for tests that run the sources.
 */
export const DASHBOARD_DIR = resolve(__dirname, '..', '..', 'dist', 'dashboard');

export const dashboardBuilt = (dir = DASHBOARD_DIR) => existsSync(join(dir, 'index.html'));

/**
 * The file a dashboard URL path names, relative to the build directory: a built asset as is, and
 * anything without a file extension (a client-side route such as /dashboard/usage) as index.html.
 * Returns null for an asset path that is not in the build, so it answers 404 instead of the app.
 */
export function dashboardFile(urlPath: string, dir = DASHBOARD_DIR): string | null {
  const rel = urlPath.replace(/^\/dashboard\/?/, '');
  if (rel === '' || !/\.[a-z0-9]+$/i.test(rel)) return 'index.html';
  return existsSync(join(dir, rel)) ? rel : null;
}
