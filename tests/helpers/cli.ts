/** Runs the project's real CLIs (Node 24 from node_modules/.bin first on PATH), as a user would. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './adapter-harness.ts';

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Vitest puts Vite's variables (BASE_URL, MODE, SSR...) into process.env; a user's shell has none of them. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(BASE_URL|MODE|DEV|PROD|SSR|VITEST.*|TEST|NODE_ENV)$/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, PATH: `${path.join(REPO_ROOT, 'node_modules/.bin')}:${process.env.PATH}`, GITHUB_ACTIONS: '', ...extra };
}

export function runCli(script: string, args: string[] = [], env: Record<string, string> = {}): CliRun {
  const r = spawnSync('node', [path.join(REPO_ROOT, 'scripts', script), ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: cleanEnv(env),
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
