/** Runs the project's real CLIs (Node 24 from node_modules/.bin first on PATH), as a user would. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './adapter-harness.ts';

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(script: string, args: string[] = [], env: Record<string, string> = {}): CliRun {
  const r = spawnSync('node', [path.join(REPO_ROOT, 'scripts', script), ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${path.join(REPO_ROOT, 'node_modules/.bin')}:${process.env.PATH}`, GITHUB_ACTIONS: '', ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
