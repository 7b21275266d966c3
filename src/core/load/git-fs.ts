/**
 * Change history of workspace files from `git log`, when the workspace is a
 * git repository (nothing when it is not, or git is missing). One git process
 * for all files: cost does not grow with the number of policies.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface FileChange {
  commit: string;
  /** ISO 8601 author date. */
  date: string;
  author: string;
  message: string;
}

const SEP = '\u001f';
const START = '\u001e';

/** History per workspace-relative file path under `dir` (newest first), capped per file. */
export async function gitHistory(root: string, dir: string, perFile = 20): Promise<Map<string, FileChange[]>> {
  const out = new Map<string, FileChange[]>();
  let prefix: string;
  try {
    const { stdout } = await run('git', ['-C', root, 'rev-parse', '--show-prefix'], { encoding: 'utf8' });
    prefix = stdout.trim();
  } catch {
    return out; // not a git repository, or no git: no history, by design
  }
  let stdout: string;
  try {
    ({ stdout } = await run('git', ['-C', root, 'log', '--no-merges', '--no-renames', `--format=${START}%H${SEP}%aI${SEP}%an${SEP}%s`, '--name-only', '--', dir], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    }));
  } catch {
    return out; // e.g. a repository without commits
  }
  for (const block of stdout.split(START)) {
    if (!block.trim()) continue;
    const [head, ...files] = block.split('\n');
    const [commit, date, author, message] = (head ?? '').split(SEP);
    if (!commit || !date) continue;
    for (const f of files) {
      const name = f.trim();
      if (!name) continue;
      const rel = prefix && name.startsWith(prefix) ? name.slice(prefix.length) : name;
      const list = out.get(rel) ?? [];
      if (list.length < perFile) list.push({ commit, date, author: author ?? '', message: message ?? '' });
      out.set(rel, list);
    }
  }
  return out;
}
