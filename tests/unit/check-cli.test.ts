/**
 * The real `check` CLI (scripts/check.ts) in a child process, on fixture workspaces:
 * exit codes, one located line per problem, never a stack trace for user mistakes.
 */
import { cleanEnv } from '../helpers/cli.ts';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_NOW, FIXTURES_DIR, REPO_ROOT } from '../helpers/fixtures.ts';

interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

function check(env: Record<string, string>): CliRun {
  const r = spawnSync('node', ['scripts/check.ts'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: cleanEnv({
      COMPLIANCE_NOW: FIXTURE_NOW,
      SOURCE_DATE_EPOCH: '',
      NODE_OPTIONS: '',
      ...env,
    }),
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const fixture = (name: string) => path.join(FIXTURES_DIR, name);

/** `file:line:col  severity rule [field]: message  (hint)`; line, column, field and hint are optional. */
const DIAGNOSTIC_LINE = /^(?<loc>[^\s:]+(?::\d+(?::\d+)?)?|<workspace>) {2}(?<severity>error|warning) (?<rule>[a-z0-9-]+)(?: \[.+?\])?: (?<message>.+?)(?: {2}\((?<hint>.+)\))?$/;

function expectNoStackTrace(run: CliRun) {
  const all = `${run.stdout}\n${run.stderr}`;
  expect(all.split('\n').filter((l) => /^\s+at /.test(l))).toEqual([]);
  expect(all).not.toMatch(/\b(TypeError|RangeError|SyntaxError|ReferenceError)\b|node:internal|Error: /);
}

// Each run starts a Node process and a full pipeline: generous timeouts for loaded CI machines.
const SLOW = { timeout: 120_000 };

describe('npm run check', () => {
  it('broken workspace: exit 2, every problem on its own located line, no stack trace', SLOW, () => {
    const run = check({ COMPLIANCE_WORKSPACE: fixture('broken') });
    expect(run.status).toBe(2);
    expectNoStackTrace(run);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines.at(-1)).toBe(`check failed: fix the errors above (workspace: ${fixture('broken')})`);
    expect(lines.at(-2)).toBe('14 errors, 2 warnings');
    const problems = lines.slice(0, -2);
    for (const l of problems) expect(l).toMatch(DIAGNOSTIC_LINE);
    expect(problems.map((l) => { const g = DIAGNOSTIC_LINE.exec(l)!.groups!; return `${g.loc} ${g.severity} ${g.rule}`; })).toEqual([
      'content/exceptions/EXC-1.md:2:1 error schema-invalid',
      'content/exceptions/EXC-2.md:1:1 error frontmatter-unclosed',
      'content/policies/access-control.md:4:1 error unknown-key',
      'content/policies/backup.md:7:12 error schema-invalid',
      'content/policies/encryption.md:6:10 error schema-invalid',
      'content/policies/hr-security.md:3:8 error yaml-syntax',
      'content/policies/incident.md:11:17 error unknown-control',
      'content/policies/incident.md:12:3 error unknown-framework',
      'content/policies/logging.md:9:17 error schema-invalid',
      'content/policies/retired/incident-2025.md:2:5 error duplicate-id',
      'evidence/github/members.csv:1 error evidence-column-missing',
      'evidence/hr/background.csv warning file-unclaimed',
      'evidence/hr/source.yaml:3:1 error unknown-key',
      'evidence/okta/users.csv:3 error evidence-parse',
      'evidence/scanner/findings.csv warning file-unclaimed',
      'evidence/scanner/source.yaml:1:9 error unknown-format',
    ]);
    // Messages and hints as the user reads them.
    expect(run.stderr).toContain('content/policies/access-control.md:4:1  error unknown-key [titel]: Unknown field `titel`.  (Did you mean `title`?)');
    expect(run.stderr).toContain('content/policies/incident.md:11:17  error unknown-control [controls.soc2[1]]: Unknown control `CC7.l` in framework `soc2`.  (Did you mean `CC7.1`?)');
    expect(run.stderr).toContain('evidence/scanner/source.yaml:1:9  error unknown-format [format]: Unknown evidence format `cvs`.  (Did you mean `csv`?)');
    expect(run.stderr).toContain('content/policies/encryption.md:6:10  error schema-invalid [version]: ');
    expect(run.stderr).toContain('(Quote the version so YAML keeps it as text: version: "2.1".)');
    expect(run.stdout).toBe('');
  });

  it('each invalid fixture exits 2 without a stack trace', SLOW, () => {
    for (const name of ['missing-evidence', 'malformed-frontmatter', 'malformed-csv']) {
      const run = check({ COMPLIANCE_WORKSPACE: fixture(name) });
      expect(run.status, name).toBe(2);
      expectNoStackTrace(run);
      expect(run.stderr).toMatch(/\n\d+ errors?, \d+ warnings?\ncheck failed: /);
    }
  });

  it('valid fixture: exit 0 with a summary', SLOW, () => {
    const run = check({ COMPLIANCE_WORKSPACE: fixture('minimal') });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('check passed: 1 policies, 1 evidence sources, 4 evidence rows\n  soc2: 2/60 passing (3.3%), 0 failing, 58 gaps\n');
  });

  it('warnings alone do not fail the check', SLOW, () => {
    const run = check({ COMPLIANCE_WORKSPACE: fixture('stale-evidence') });
    expect(run.status).toBe(0);
    expect(run.stderr.split('\n')).toEqual([
      'content/policies/due-today.md:8  warning review-due-soon [lastReviewed]: The review of POL-DUE is due on 2026-11-28 (in 1 day).  (Review the policy and update `lastReviewed:`.)',
      'content/policies/old.md:8  warning review-overdue [lastReviewed]: The review of POL-OLD was due on 2026-10-01; controls it covers are stale.  (Review the policy and update `lastReviewed:`.)',
      '0 errors, 2 warnings',
      '',
    ]);
    expect(run.stdout).toMatch(/^check passed: 3 policies, 4 evidence sources, 7 evidence rows\n {2}demo: 3\/8 passing \(37\.5%\), 0 failing, 0 gaps\n$/);
  });

  it('COMPLIANCE_NOW=garbage: exit 2 with the now-invalid rule', SLOW, () => {
    const run = check({ COMPLIANCE_WORKSPACE: fixture('minimal'), COMPLIANCE_NOW: 'garbage' });
    expect(run.status).toBe(2);
    expectNoStackTrace(run);
    expect(run.stderr.split('\n')[0]).toBe(
      '<workspace>  error now-invalid: COMPLIANCE_NOW=garbage is not a valid date.  (Use an ISO 8601 date or time for COMPLIANCE_NOW, or Unix seconds for SOURCE_DATE_EPOCH.)',
    );
    expect(run.stdout).toBe('');
  });

  it('SOURCE_DATE_EPOCH that is not Unix seconds: exit 2 with now-invalid', SLOW, () => {
    const run = check({ COMPLIANCE_WORKSPACE: fixture('minimal'), COMPLIANCE_NOW: '', SOURCE_DATE_EPOCH: '2026-11-28' });
    expect(run.status).toBe(2);
    expectNoStackTrace(run);
    expect(run.stderr).toMatch(/^<workspace> {2}error now-invalid: SOURCE_DATE_EPOCH=2026-11-28 is not a valid date\./);
  });

  // Regression test (was a bug, fixed): (src/core/util/time.ts resolveNow): a digits-only SOURCE_DATE_EPOCH beyond the Date range is accepted as
  // "Invalid Date", and the CLI later dies with `RangeError: Invalid time value` and a stack trace. See time.test.ts.
  it('SOURCE_DATE_EPOCH out of range: exit 2 with now-invalid, no stack trace', SLOW, () => {
    const run = check({ COMPLIANCE_WORKSPACE: fixture('minimal'), COMPLIANCE_NOW: '', SOURCE_DATE_EPOCH: '99999999999999' });
    expect(run.status).toBe(2);
    expectNoStackTrace(run);
    expect(run.stderr).toContain('now-invalid');
  });

  it('a workspace folder that does not exist: exit 2 with workspace-missing', SLOW, () => {
    const run = check({ COMPLIANCE_WORKSPACE: fixture('no-such-fixture') });
    expect(run.status).toBe(2);
    expectNoStackTrace(run);
    expect(run.stderr.split('\n')[0]).toMatch(/^<workspace> {2}error workspace-missing: The workspace folder .*no-such-fixture does not exist or is not a folder\./);
  });

  it('GitHub Actions: problems become workflow annotations', SLOW, () => {
    const run = check({ COMPLIANCE_WORKSPACE: fixture('broken'), GITHUB_ACTIONS: 'true' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('::error file=content/policies/access-control.md,line=4,col=1,title=unknown-key::Unknown field `titel`. Did you mean `title`?');
    expect(run.stderr).toContain('::warning file=evidence/hr/background.csv,title=file-unclaimed::');
  });
});
