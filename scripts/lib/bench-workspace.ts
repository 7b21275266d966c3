/**
 * Synthetic workspaces for the scale benchmark (issue 6): content/ with a
 * portal, policies, exceptions and a generated 800-53-style catalog, and
 * evidence/ in the real export formats the adapters read. Everything comes
 * from a seeded PRNG (bench-random.ts): the same spec gives the same bytes.
 *
 * Files are streamed in 4 MiB pieces, never built whole, so a 1 GB workspace
 * costs seconds and little memory. Used by scripts/generate-workspace.ts (CLI)
 * and scripts/bench.ts.
 */
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { apportion, hex8, longText, mix32, paragraph, personName, Rng, ROLES, sentence, title } from './bench-random.ts';

/** Bump when the output for a given spec changes, so that cached workspaces are regenerated. */
export const GENERATOR_VERSION = 2;

export interface WorkspaceSpec {
  seed: number;
  policies: number;
  sources: number;
  /** Evidence rows in total (every row any adapter reads, including rows a `where:` filter skips). */
  rows: number;
  /** Evidence bytes in total, in MiB (approximate: within a few percent unless rows are too many for the size). */
  sizeMb: number;
}

export const PRESETS = {
  small: { policies: 50, sources: 5, rows: 250_000, sizeMb: 50 },
  enterprise: { policies: 1000, sources: 20, rows: 5_000_000, sizeMb: 1024 },
} as const satisfies Record<string, Omit<WorkspaceSpec, 'seed'>>;

export type PresetName = keyof typeof PRESETS;

export const SYNTHETIC_FRAMEWORK = 'nist-800-53-synthetic';
export const FRAMEWORKS = ['soc2', 'iso27001-2022', 'nist-csf-2.0', SYNTHETIC_FRAMEWORK] as const;
/** The file at the workspace root that records what was generated (outside content/ and evidence/, so never read as content). */
export const MANIFEST = '.generator.json';

export type Format = 'prowler-csv' | 'csv' | 'prowler-ocsf' | 'trivy' | 'attestation';

export interface GeneratedFile {
  path: string;
  rows: number;
  bytes: number;
}

export interface GeneratedSource {
  id: string;
  format: Format;
  files: GeneratedFile[];
}

export interface Manifest {
  generatorVersion: number;
  /** False while the generator is writing (an interrupted run leaves it false). */
  complete: boolean;
  spec: WorkspaceSpec;
  policies: number;
  exceptions: number;
  controls: Record<string, number>;
  sources: GeneratedSource[];
  rows: number;
  bytes: number;
}

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

interface Sink {
  /** Returns a promise only when it flushed; callers await it then. */
  write(s: string): Promise<void> | undefined;
}

const FLUSH_AT = 4 << 20;

class FileSink implements Sink {
  bytes = 0;
  private parts: string[] = [];
  private size = 0;
  private readonly fh: FileHandle;
  constructor(fh: FileHandle) {
    this.fh = fh;
  }
  write(s: string): Promise<void> | undefined {
    this.parts.push(s);
    this.size += s.length;
    return this.size >= FLUSH_AT ? this.flush() : undefined;
  }
  async flush(): Promise<void> {
    if (!this.parts.length) return;
    const buf = Buffer.from(this.parts.join(''), 'utf8');
    this.parts = [];
    this.size = 0;
    this.bytes += buf.length;
    await this.fh.write(buf);
  }
}

class CountSink implements Sink {
  bytes = 0;
  write(s: string): undefined {
    this.bytes += Buffer.byteLength(s, 'utf8');
    return undefined;
  }
}

async function writeStreamed(file: string, body: (sink: Sink) => Promise<void>): Promise<number> {
  await mkdir(path.dirname(file), { recursive: true });
  const fh = await open(file, 'w');
  try {
    const sink = new FileSink(fh);
    await body(sink);
    await sink.flush();
    return sink.bytes;
  } finally {
    await fh.close();
  }
}

/** YAML-safe scalar: JSON strings are valid YAML. */
const y = (v: string) => JSON.stringify(v);
const yList = (l: readonly string[]) => `[${l.map(y).join(', ')}]`;
const yControls = (m: Record<string, string[]>) => `{ ${Object.entries(m).filter(([, ids]) => ids.length).map(([fw, ids]) => `${fw}: ${yList(ids)}`).join(', ')} }`;

// ---------------------------------------------------------------------------
// Catalogs
// ---------------------------------------------------------------------------

/** Family ids and base-control counts in the 800-53 style; ids and titles are generated. */
const FAMILY_BASES: [string, number][] = [
  ['AC', 25], ['AT', 6], ['AU', 16], ['CA', 9], ['CM', 14], ['CP', 13], ['IA', 13], ['IR', 10], ['MA', 7], ['MP', 8],
  ['PE', 23], ['PL', 11], ['PM', 32], ['PS', 9], ['PT', 8], ['RA', 10], ['SA', 23], ['SC', 51], ['SI', 23], ['SR', 12],
];
const SYNTHETIC_CONTROLS = 1200;

function syntheticCatalog(seed: number): { text: string; ids: string[] } {
  const r = new Rng(seed, 'catalog');
  const bases = FAMILY_BASES.flatMap(([fam, n]) => Array.from({ length: n }, (_, i) => `${fam}-${i + 1}`));
  const weights = bases.map(() => r.next() ** 3);
  const enh = apportion(SYNTHETIC_CONTROLS - bases.length, weights);
  const lines = [
    '# A generated catalog standing in for NIST SP 800-53 in the scale benchmark.',
    '# Control ids follow the 800-53 pattern (AC-2, AC-2(1)); titles and descriptions are',
    '# generated by scripts/generate-workspace.ts and are not NIST text.',
    `id: ${SYNTHETIC_FRAMEWORK}`,
    'name: "Synthetic 800-53-style catalog"',
    'version: "synthetic-1"',
    'publisher: "Generated by the benchmark; not NIST text"',
    'families:',
    ...FAMILY_BASES.map(([fam]) => `  - { id: ${fam}, title: ${y(`Synthetic family ${fam}`)} }`),
    'controls:',
  ];
  const ids: string[] = [];
  bases.forEach((id, i) => {
    const fam = id.split('-')[0]!;
    const t = title(r);
    ids.push(id);
    lines.push(`  - id: ${y(id)}`, `    title: ${y(t)}`, `    family: ${fam}`, `    description: ${y(sentence(r))}`);
    for (let e = 1; e <= enh[i]!; e++) {
      const eid = `${id}(${e})`;
      ids.push(eid);
      lines.push(`  - id: ${y(eid)}`, `    title: ${y(`${t}: ${title(r).toLowerCase()}`)}`, `    family: ${fam}`);
    }
  });
  return { text: `${lines.join('\n')}\n`, ids };
}

async function builtInIds(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const fw of ['soc2', 'iso27001-2022', 'nist-csf-2.0']) {
    const doc = parseYaml(await readFile(path.join(PROJECT_ROOT, 'src/catalogs', `${fw}.yaml`), 'utf8')) as { controls: { id: string }[] };
    out[fw] = doc.controls.map((c) => String(c.id));
  }
  return out;
}

/** Some controls of every framework, for a policy or a map rule. */
function pickControls(r: Rng, ids: Record<string, string[]>, sizes: Record<string, [number, number]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const fw of FRAMEWORKS) {
    const [lo, hi] = sizes[fw] ?? [0, 0];
    const n = r.int(lo, hi);
    if (n > 0) out[fw] = r.sample(ids[fw]!, n).sort();
  }
  return out;
}

// ---------------------------------------------------------------------------
// Prowler-like check universe
// ---------------------------------------------------------------------------

interface Service {
  svc: string;
  noun: string;
  type: string;
  arn: (acct: string, region: string, name: string) => string;
  name: (j: number, salt: number) => string;
}

const plainName = (noun: string) => (j: number, salt: number) => `${noun}-${hex8(mix32(j, salt))}`;
const regional = (svc: string, kind: string) => (acct: string, region: string, name: string) => `arn:aws:${svc}:${region}:${acct}:${kind}/${name}`;
const SERVICES: Service[] = [
  { svc: 's3', noun: 'bucket', type: 'AwsS3Bucket', arn: (_a, _r, n) => `arn:aws:s3:::${n}`, name: plainName('data') },
  { svc: 'ec2', noun: 'instance', type: 'AwsEc2Instance', arn: regional('ec2', 'instance'), name: (j, s) => `i-0${hex8(mix32(j, s))}${(j & 0xfffff).toString(16).padStart(8, '0')}` },
  { svc: 'ec2', noun: 'securitygroup', type: 'AwsEc2SecurityGroup', arn: regional('ec2', 'security-group'), name: (j, s) => `sg-0${hex8(mix32(j, s))}${(j & 0xff).toString(16).padStart(8, '0')}` },
  { svc: 'ec2', noun: 'ebs_volume', type: 'AwsEc2Volume', arn: regional('ec2', 'volume'), name: (j, s) => `vol-0${hex8(mix32(j, s))}${(j & 0xfffff).toString(16).padStart(8, '0')}` },
  { svc: 'iam', noun: 'role', type: 'AwsIamRole', arn: (a, _r, n) => `arn:aws:iam::${a}:role/${n}`, name: plainName('svc-role') },
  { svc: 'iam', noun: 'user', type: 'AwsIamUser', arn: (a, _r, n) => `arn:aws:iam::${a}:user/${n}`, name: (j) => `${personName(j).split(' ')[0]!.normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase()}.${j}` },
  { svc: 'rds', noun: 'instance', type: 'AwsRdsDbInstance', arn: (a, r, n) => `arn:aws:rds:${r}:${a}:db:${n}`, name: plainName('db') },
  { svc: 'kms', noun: 'key', type: 'AwsKmsKey', arn: regional('kms', 'key'), name: (j, s) => `${hex8(mix32(j, s))}-${hex8(mix32(j, s + 1)).slice(0, 4)}-4${hex8(mix32(j, s + 2)).slice(0, 3)}-8${hex8(mix32(j, s + 3)).slice(0, 3)}-${hex8(mix32(j, s + 4))}${hex8(mix32(j, s + 5)).slice(0, 4)}` },
  { svc: 'cloudtrail', noun: 'trail', type: 'AwsCloudTrailTrail', arn: regional('cloudtrail', 'trail'), name: plainName('trail') },
  { svc: 'awslambda', noun: 'function', type: 'AwsLambdaFunction', arn: (a, r, n) => `arn:aws:lambda:${r}:${a}:function:${n}`, name: plainName('fn') },
  { svc: 'ecr', noun: 'repository', type: 'AwsEcrRepository', arn: regional('ecr', 'repository'), name: plainName('repo') },
  { svc: 'eks', noun: 'cluster', type: 'AwsEksCluster', arn: regional('eks', 'cluster'), name: plainName('k8s') },
  { svc: 'vpc', noun: 'subnet', type: 'AwsEc2Subnet', arn: regional('ec2', 'subnet'), name: (j, s) => `subnet-0${hex8(mix32(j, s))}${(j & 0xff).toString(16).padStart(8, '0')}` },
  { svc: 'elbv2', noun: 'loadbalancer', type: 'AwsElbv2LoadBalancer', arn: regional('elasticloadbalancing', 'loadbalancer/app'), name: plainName('alb') },
  { svc: 'cloudwatch', noun: 'log_group', type: 'AwsLogsLogGroup', arn: (a, r, n) => `arn:aws:logs:${r}:${a}:log-group:/app/${n}`, name: plainName('logs') },
  { svc: 'guardduty', noun: 'detector', type: 'AwsGuardDutyDetector', arn: regional('guardduty', 'detector'), name: (j, s) => hex8(mix32(j, s)) + hex8(mix32(j, s + 9)) },
  { svc: 'sns', noun: 'topic', type: 'AwsSnsTopic', arn: (a, r, n) => `arn:aws:sns:${r}:${a}:${n}`, name: plainName('events') },
  { svc: 'sqs', noun: 'queue', type: 'AwsSqsQueue', arn: (a, r, n) => `arn:aws:sqs:${r}:${a}:${n}`, name: plainName('jobs') },
  { svc: 'dynamodb', noun: 'table', type: 'AwsDynamoDbTable', arn: regional('dynamodb', 'table'), name: plainName('tbl') },
  { svc: 'efs', noun: 'filesystem', type: 'AwsEfsFileSystem', arn: regional('elasticfilesystem', 'file-system'), name: (j, s) => `fs-0${hex8(mix32(j, s))}` },
  { svc: 'secretsmanager', noun: 'secret', type: 'AwsSecretsManagerSecret', arn: (a, r, n) => `arn:aws:secretsmanager:${r}:${a}:secret:${n}`, name: plainName('app/config') },
  { svc: 'ssm', noun: 'managed_instance', type: 'AwsSsmManagedInstance', arn: regional('ssm', 'managed-instance'), name: (j, s) => `mi-0${hex8(mix32(j, s))}${(j & 0xfffff).toString(16).padStart(8, '0')}` },
  { svc: 'backup', noun: 'vault', type: 'AwsBackupBackupVault', arn: (a, r, n) => `arn:aws:backup:${r}:${a}:backup-vault:${n}`, name: plainName('vault') },
  { svc: 'acm', noun: 'certificate', type: 'AwsCertificateManagerCertificate', arn: regional('acm', 'certificate'), name: (j, s) => `${hex8(mix32(j, s))}-${hex8(mix32(j, s + 3))}` },
  { svc: 'apigateway', noun: 'restapi', type: 'AwsApiGatewayRestApi', arn: (_a, r, n) => `arn:aws:apigateway:${r}::/restapis/${n}`, name: (j, s) => hex8(mix32(j, s)).slice(0, 10) },
  { svc: 'cloudfront', noun: 'distribution', type: 'AwsCloudFrontDistribution', arn: (a, _r, n) => `arn:aws:cloudfront::${a}:distribution/${n}`, name: (j, s) => `E${hex8(mix32(j, s)).toUpperCase()}${(j & 0xffff).toString(16).toUpperCase()}` },
  { svc: 'opensearch', noun: 'domain', type: 'AwsOpenSearchServiceDomain', arn: regional('es', 'domain'), name: plainName('search') },
  { svc: 'redshift', noun: 'cluster', type: 'AwsRedshiftCluster', arn: (a, r, n) => `arn:aws:redshift:${r}:${a}:cluster:${n}`, name: plainName('dw') },
  { svc: 'elasticache', noun: 'cluster', type: 'AwsElastiCacheCacheCluster', arn: (a, r, n) => `arn:aws:elasticache:${r}:${a}:cluster:${n}`, name: plainName('cache') },
  { svc: 'organizations', noun: 'account', type: 'Other', arn: (a) => `arn:aws:organizations::${a}:account`, name: (j) => String(j) },
];

const CONDITIONS = [
  'default_encryption', 'public_access_blocked', 'logging_enabled', 'versioning_enabled', 'multi_az', 'in_private_subnet',
  'secure_transport_enforced', 'key_rotation_enabled', 'no_wildcard_principal', 'deletion_protection', 'backup_enabled',
  'tags_present', 'imdsv2_enabled', 'supported_runtime', 'cross_account_access_restricted', 'encrypted_at_rest',
  'encrypted_in_transit', 'monitoring_enabled', 'minimum_tls_1_2', 'not_publicly_accessible', 'automatic_minor_upgrades',
  'no_inline_policies', 'unused_removed', 'log_retention_90_days', 'vulnerability_scan_on_push', 'least_privilege',
];
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'informational'];
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2', 'ap-northeast-1', 'sa-east-1', 'ca-central-1'];

interface Check {
  id: string;
  service: Service;
  serviceKey: string;
  title: string;
  condText: string;
  severity: string;
  manual: boolean;
  failRate: number;
  compliance: string;
  complianceObj: Record<string, string[]>;
  salt: number;
  risk: string;
  remediation: string;
  category: string;
}

const MAX_FILL = 6000;

function checkUniverse(seed: number, ids: Record<string, string[]>): Check[] {
  const r = new Rng(seed, 'checks');
  const soc2Prowler = ids.soc2!.filter((c) => /^CC\d\.\d$/.test(c)).map((c) => `cc_${c.slice(2).replace('.', '_')}`);
  const iso = ids['iso27001-2022']!;
  const checks: Check[] = [];
  for (const s of SERVICES) {
    const conds = r.sample(CONDITIONS, r.int(8, 18));
    // About a third of the services are clean everywhere, so that some controls pass.
    const clean = r.chance(0.35);
    for (const cond of conds) {
      const id = `${s.svc}_${s.noun}_${cond}`;
      const condText = cond.replace(/_/g, ' ');
      const complianceObj: Record<string, string[]> = {
        'CIS-2.0': [`${r.int(1, 5)}.${r.int(1, 20)}`],
        SOC2: r.sample(soc2Prowler, r.int(1, 2)),
        'ISO27001-2022': r.sample(iso, r.int(1, 2)),
        'NIST-800-53-Revision-5': r.sample(ids[SYNTHETIC_FRAMEWORK]!.filter((c) => !c.includes('(')), r.int(1, 3)).map((c) => c.toLowerCase().replace('-', '_')),
      };
      const compliance = Object.entries(complianceObj).map(([fw, l]) => `${fw}: ${l.join(', ')}`).join(' | ');
      const sev = r.weighted(SEVERITIES, [5, 25, 45, 20, 5]);
      checks.push({
        id,
        service: s,
        serviceKey: `${s.svc}_${s.noun}`,
        title: `Ensure ${s.noun.replace(/_/g, ' ')} resources have ${condText}`,
        condText,
        severity: sev,
        manual: r.chance(0.04),
        failRate: clean || r.chance(0.1) ? 0 : r.next() ** 2 * 0.6,
        compliance,
        complianceObj,
        salt: r.int(1, 0x7fffffff),
        risk: longText(r, MAX_FILL),
        remediation: longText(r, MAX_FILL),
        category: r.pick(['encryption', 'logging', 'internet-exposed', 'identity-hygiene', 'resilience', '']),
      });
    }
  }
  return checks;
}

/** Service -> controls per framework, shared by all sources of a workspace; a few services stay unmapped. */
function serviceMap(seed: number, ids: Record<string, string[]>): Map<string, Record<string, string[]>> {
  const r = new Rng(seed, 'service-map');
  const out = new Map<string, Record<string, string[]>>();
  for (const s of SERVICES) {
    if (r.chance(0.1)) continue;
    out.set(`${s.svc}_${s.noun}`, pickControls(r, ids, { soc2: [1, 2], 'iso27001-2022': [1, 2], 'nist-csf-2.0': [0, 2], [SYNTHETIC_FRAMEWORK]: [1, 3] }));
  }
  return out;
}

/** CSV cell: quoted when it holds the delimiter, a quote or a line break. */
function cell(s: string, delim: string): string {
  return s.includes(delim) || s.includes('"') || s.includes('\n') || s.includes('\r') ? `"${s.replace(/"/g, '""')}"` : s;
}

// ---------------------------------------------------------------------------
// Sources
// ---------------------------------------------------------------------------

interface SourceContext {
  id: string;
  format: Format;
  kind?: 'mdm' | 'idp';
  index: number;
  files: number;
  checks: Check[];
  weights: number[];
  useToolMappings: boolean;
  honorToolSuppressions: boolean;
  accounts: string[];
  regions: string[];
}

interface FileJob {
  rows: number;
  /** Free-text characters per row, to reach the byte target. */
  fill: number;
  fileIndex: number;
  rng: Rng;
}

export const PROWLER_HEADER = 'AUTH_METHOD;TIMESTAMP;ACCOUNT_UID;ACCOUNT_NAME;ACCOUNT_EMAIL;ACCOUNT_ORGANIZATION_UID;ACCOUNT_ORGANIZATION_NAME;ACCOUNT_TAGS;FINDING_UID;PROVIDER;CHECK_ID;CHECK_TITLE;CHECK_TYPE;STATUS;STATUS_EXTENDED;MUTED;SERVICE_NAME;SUBSERVICE_NAME;SEVERITY;RESOURCE_TYPE;RESOURCE_UID;RESOURCE_NAME;RESOURCE_DETAILS;RESOURCE_TAGS;PARTITION;REGION;DESCRIPTION;RISK;RELATED_URL;REMEDIATION_RECOMMENDATION_TEXT;REMEDIATION_RECOMMENDATION_URL;REMEDIATION_CODE_NATIVEIAC;REMEDIATION_CODE_TERRAFORM;REMEDIATION_CODE_CLI;REMEDIATION_CODE_OTHER;COMPLIANCE;CATEGORIES;DEPENDS_ON;RELATED_TO;NOTES;PROWLER_VERSION;ADDITIONAL_URLS';

const PROWLER_MIN_RISK = 90;
const PROWLER_TIME = (file: number) => `2026-11-27 0${2 + (file % 6)}:15:03.913874`;

/** Rows per check for one file, in Prowler's order (check by check). */
function perCheck(ctx: SourceContext, rows: number): number[] {
  return apportion(rows, ctx.weights);
}

/**
 * One Prowler 5 CSV row (42 cells). `extra` is appended to the resource index so
 * that an appended row (bench: "one evidence file changed") names a new resource.
 */
function prowlerRow(c: Check, j: number, acct: string, region: string, time: string, r: Rng, risk: string, remediation: string): string {
  const name = c.service.name(j, c.salt);
  const uid = c.service.arn(acct, region, name);
  let status: string;
  let muted = 'False';
  if (c.manual) status = 'MANUAL';
  else if (r.next() < c.failRate) {
    status = 'FAIL';
    if (r.next() < 0.04) muted = 'True';
  } else {
    status = 'PASS';
    if (r.next() < 0.005) muted = 'True';
  }
  const noun = c.service.noun.replace(/_/g, ' ');
  let ext: string;
  if (status === 'PASS') ext = `${noun} ${name} has ${c.condText}.`;
  else if (status === 'MANUAL') ext = `Review ${noun} ${name} manually: ${c.condText} cannot be verified automatically.`;
  else if (r.next() < 0.03) ext = `"${noun} ${name} does not have ${c.condText};\nflagged by ""baseline"" policy rule ${r.int(100, 999)};\nreview required."`;
  else ext = `${noun} ${name} does not have ${c.condText}.`;
  const tags = r.next() < 0.2 ? `env=prod | team=team-${(j % 37) + 1}` : '';
  return `profile: audit-ro;${time};${acct};org-member-${acct.slice(-3)};;;;;prowler-aws-${c.id}-${acct}-${region}-${name};aws;${c.id};${c.title};Software and Configuration Checks/AWS Security Best Practices;${status};${ext};${muted};${c.service.svc};;${c.severity};${c.service.type};${uid};${name};;${tags};aws;${region};${c.title};${risk};https://docs.example.com/aws/${c.service.svc};${remediation};https://hub.example.com/check/${c.id};;;;;${c.compliance};${c.category};;;;5.4.1;\n`;
}

async function writeProwlerCsv(sink: Sink, ctx: SourceContext, job: FileJob): Promise<void> {
  const acct = ctx.accounts[job.fileIndex % ctx.accounts.length]!;
  const time = PROWLER_TIME(job.fileIndex);
  let p = sink.write(`${PROWLER_HEADER}\n`);
  if (p) await p;
  const counts = perCheck(ctx, job.rows);
  // RISK always has some prose (quoted: it holds `;`); the byte budget lengthens it and the remediation text.
  const riskLen = PROWLER_MIN_RISK + Math.round(job.fill * 0.6);
  const remLen = Math.max(0, job.fill - Math.round(job.fill * 0.6));
  for (let k = 0; k < ctx.checks.length; k++) {
    const n = counts[k]!;
    if (!n) continue;
    const c = ctx.checks[k]!;
    const risk = cell(c.risk.slice(0, riskLen), ';');
    const rem = cell(c.remediation.slice(0, remLen), ';');
    for (let j = 0; j < n; j++) {
      p = sink.write(prowlerRow(c, j, acct, ctx.regions[j % ctx.regions.length]!, time, job.rng, risk, rem));
      if (p) await p;
    }
  }
}

/** A valid extra row for a Prowler CSV of a generated workspace (bench: "append one row"). */
export function extraProwlerRow(seed: number, n: number): string {
  const r = new Rng(seed, `extra:${n}`);
  const c: Check = {
    id: 's3_bucket_default_encryption', service: SERVICES[0]!, serviceKey: 's3_bucket', title: 'Ensure bucket resources have default encryption', condText: 'default encryption',
    severity: 'medium', manual: false, failRate: 1, compliance: 'SOC2: cc_6_1', complianceObj: {}, salt: 77 + n, risk: '', remediation: '', category: 'encryption',
  };
  return prowlerRow(c, 1_000_000 + n, '999900000000', 'eu-west-1', PROWLER_TIME(0), r, 'Appended by the benchmark', '');
}

const MDM_CHECKS = ['disk-encryption', 'screen-lock', 'os-current', 'firewall-enabled', 'edr-running', 'auto-update'];
const PLATFORMS = ['macOS 15.1', 'macOS 14.7', 'Windows 11 23H2', 'Windows 11 24H2', 'Ubuntu 24.04'];

async function writeGenericCsv(sink: Sink, ctx: SourceContext, job: FileJob): Promise<void> {
  const r = job.rng;
  const notes = (j: number) => (job.fill > 0 ? cell(longText(r, job.fill).slice((j * 7) % 5), ',') : '');
  const base = job.fileIndex * 10_000_000;
  if (ctx.kind === 'mdm') {
    let p = sink.write('Device ID,Serial Number,Owner,Platform,Check,Result,Checked At,Notes\n');
    if (p) await p;
    for (let j = 0; j < job.rows; j++) {
      const d = base + Math.floor(j / MDM_CHECKS.length);
      const roll = r.next();
      const result = roll < 0.85 ? 'Compliant' : roll < 0.97 ? 'Non-compliant' : 'Unknown';
      const at = `2026-11-26T${String(d % 24).padStart(2, '0')}:${String(d % 60).padStart(2, '0')}:${String((d * 7) % 60).padStart(2, '0')}Z`;
      p = sink.write(`dev-${hex8(mix32(d, ctx.index))},C02${hex8(mix32(d, 99)).toUpperCase()},${personName(d)},${PLATFORMS[d % PLATFORMS.length]},${MDM_CHECKS[j % MDM_CHECKS.length]},${result},${at},${notes(j)}\n`);
      if (p) await p;
    }
    return;
  }
  let p = sink.write('Login,Display Name,Department,Status,MFA Enrolled,Last Login,Notes\n');
  if (p) await p;
  const depts = ['Engineering', 'Sales', 'Finance', 'Support', 'Operations', 'People', 'Legal', 'Marketing'];
  for (let j = 0; j < job.rows; j++) {
    const u = base + j;
    const roll = r.next();
    const status = roll < 0.93 ? 'ACTIVE' : roll < 0.98 ? 'DEPROVISIONED' : 'SUSPENDED';
    const mfa = status === 'DEPROVISIONED' ? '' : r.next() < 0.96 ? 'TRUE' : 'FALSE';
    p = sink.write(`user${u}@corp.example,${personName(u)},${depts[u % depts.length]},${status},${mfa},2026-11-${String(1 + (u % 26)).padStart(2, '0')}T0${u % 10}:00:00Z,${notes(j)}\n`);
    if (p) await p;
  }
}

async function writeOcsf(sink: Sink, ctx: SourceContext, job: FileJob): Promise<void> {
  const acct = ctx.accounts[job.fileIndex % ctx.accounts.length]!;
  const epoch = 1795745703 + job.fileIndex * 3600; // 2026-11-27T02:15:03Z
  const counts = perCheck(ctx, job.rows);
  const riskLen = Math.round(job.fill * 0.6);
  const remLen = Math.max(0, job.fill - riskLen);
  const r = job.rng;
  let p = sink.write('[');
  if (p) await p;
  let first = true;
  for (let k = 0; k < ctx.checks.length; k++) {
    const n = counts[k]!;
    const c = ctx.checks[k]!;
    for (let j = 0; j < n; j++) {
      const region = ctx.regions[j % ctx.regions.length]!;
      const name = c.service.name(j, c.salt);
      const uid = c.service.arn(acct, region, name);
      let status = 'PASS';
      let muted = false;
      if (c.manual) status = 'MANUAL';
      else if (r.next() < c.failRate) {
        status = 'FAIL';
        muted = r.next() < 0.04;
      }
      const detail = status === 'FAIL' ? `${c.service.noun} ${name} does not have ${c.condText}.` : `${c.service.noun} ${name} has ${c.condText}.`;
      const finding = {
        message: detail,
        metadata: { event_code: c.id, product: { name: 'Prowler', uid: 'prowler', vendor_name: 'Prowler', version: '5.4.1' }, profiles: ['cloud', 'datetime'], tenant_uid: '', version: '1.4.0' },
        severity_id: 1 + SEVERITIES.indexOf(c.severity),
        severity: c.severity[0]!.toUpperCase() + c.severity.slice(1),
        status: muted ? 'Suppressed' : 'New',
        status_code: status,
        status_detail: detail,
        status_id: muted ? 3 : 1,
        unmapped: { related_url: `https://docs.example.com/aws/${c.service.svc}`, categories: c.category ? [c.category] : [], depends_on: [], related_to: [], additional_urls: [], notes: '', compliance: c.complianceObj, muted },
        activity_name: 'Create',
        activity_id: 1,
        finding_info: { created_time: epoch, created_time_dt: new Date(epoch * 1000).toISOString().slice(0, 19), desc: c.title, product_uid: 'prowler', title: c.title, types: ['Software and Configuration Checks'], uid: `prowler-aws-${c.id}-${acct}-${region}-${name}` },
        resources: [{ cloud_partition: 'aws', region, data: { details: '', metadata: { arn: uid, name } }, group: { name: c.service.svc }, labels: [], name, type: c.service.type, uid }],
        category_name: 'Findings',
        category_uid: 2,
        class_name: 'Detection Finding',
        class_uid: 2004,
        cloud: { account: { name: `org-member-${acct.slice(-3)}`, type: 'AWS Account', type_id: 10, uid: acct, labels: [] }, org: { name: '', uid: '' }, provider: 'aws', region },
        remediation: { desc: c.remediation.slice(0, remLen), references: [`https://hub.example.com/check/${c.id}`] },
        risk_details: c.risk.slice(0, riskLen),
        time: epoch,
        time_dt: new Date(epoch * 1000).toISOString().slice(0, 19),
        type_uid: 200401,
        type_name: 'Detection Finding: Create',
      };
      p = sink.write(`${first ? '\n' : ',\n'}${JSON.stringify(finding)}`);
      first = false;
      if (p) await p;
    }
  }
  p = sink.write('\n]\n');
  if (p) await p;
}

const KSV = Array.from({ length: 40 }, (_, i) => i + 1);
const PACKAGES = ['libssl3', 'libc6', 'zlib1g', 'openssl', 'curl', 'libcurl4', 'busybox', 'musl', 'libxml2', 'libexpat1', 'python3.11', 'perl-base', 'lodash', 'express', 'jackson-databind', 'log4j-core', 'golang.org/x/net', 'requests', 'urllib3', 'nghttp2'];
const TRIVY_SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];

async function writeTrivyK8s(sink: Sink, ctx: SourceContext, job: FileJob): Promise<void> {
  const r = job.rng;
  const cvePool = Array.from({ length: 3000 }, (_, i) => {
    const h = mix32(i, 0xc0e);
    return { id: `CVE-20${19 + (h % 7)}-${1000 + (h % 48000)}`, sev: TRIVY_SEVERITIES[[0, 1, 1, 2, 2, 2, 3, 3, 3, 4][(h >>> 8) % 10]!]!, pkg: PACKAGES[(h >>> 12) % PACKAGES.length]! };
  });
  let p = sink.write(`{"ClusterName":"prod-${ctx.regions[job.fileIndex % ctx.regions.length]}-${job.fileIndex + 1}","Resources":[`);
  if (p) await p;
  let left = job.rows;
  let n = 0;
  while (left > 0) {
    const ns = `team-${(n % 23) + 1}`;
    const kind = ['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob'][n % 4]!;
    const name = `svc-${hex8(mix32(n, ctx.index)).slice(0, 6)}`;
    let res: Record<string, unknown>;
    if ((n === 0 && left > 1) || r.next() < 0.01) {
      res = { Namespace: ns, Kind: kind, Name: name, Error: `failed to scan image registry.example.com/${name}:1.${n % 9}: unable to pull image` };
      left--;
    } else {
      const vulnCount = Math.min(left, r.int(5, 80));
      left -= vulnCount;
      const misCount = Math.min(left, 8);
      left -= misCount;
      const image = `registry.example.com/${ns}/${name}:1.${n % 9}.${n % 31}`;
      const vulns = Array.from({ length: vulnCount }, () => {
        const cve = cvePool[Math.floor(r.next() ** 2 * cvePool.length)]!;
        const fixed = r.next() < 0.7;
        return {
          VulnerabilityID: cve.id,
          PkgName: cve.pkg,
          InstalledVersion: `1.${r.int(0, 9)}.${r.int(0, 30)}-r${r.int(0, 5)}`,
          ...(fixed ? { FixedVersion: `1.${r.int(10, 12)}.0` } : {}),
          Status: fixed ? 'fixed' : 'affected',
          Severity: cve.sev,
          Title: `${cve.pkg}: ${title(r).toLowerCase()} flaw`,
          Description: job.fill > 0 ? longText(r, job.fill, false) : '',
          PrimaryURL: `https://avd.aquasec.com/nvd/${cve.id.toLowerCase()}`,
        };
      });
      const mis = r.sample(KSV, misCount).map((k) => ({
        Type: 'Kubernetes Security Check',
        ID: `KSV${String(k).padStart(3, '0')}`,
        AVDID: `AVD-KSV-${String(k).padStart(4, '0')}`,
        Title: `Workload setting ${k}`,
        Message: `Container of ${kind} '${name}' should set setting ${k}`,
        Severity: TRIVY_SEVERITIES[k % 4]!,
        Status: r.next() < 0.25 ? 'FAIL' : 'PASS',
      }));
      const results: unknown[] = [{ Target: `${image} (debian 12.5)`, Class: 'os-pkgs', Type: 'debian', Vulnerabilities: vulns }];
      if (mis.length) results.push({ Target: `${kind}/${name}`, Class: 'config', Type: 'kubernetes', Misconfigurations: mis });
      res = { Namespace: ns, Kind: kind, Name: name, Results: results };
    }
    p = sink.write(`${n === 0 ? '\n' : ',\n'}${JSON.stringify(res)}`);
    if (p) await p;
    n++;
  }
  p = sink.write('\n]}\n');
  if (p) await p;
}

const WRITERS: Record<Exclude<Format, 'attestation'>, (sink: Sink, ctx: SourceContext, job: FileJob) => Promise<void>> = {
  'prowler-csv': writeProwlerCsv,
  csv: writeGenericCsv,
  'prowler-ocsf': writeOcsf,
  trivy: writeTrivyK8s,
};

const FILE_NAME: Record<Exclude<Format, 'attestation'>, (ctx: SourceContext, i: number) => string> = {
  'prowler-csv': (ctx, i) => `prowler-output-${ctx.accounts[i % ctx.accounts.length]}-2026112702150${i % 10}.csv`,
  csv: (ctx, i) => `${ctx.kind === 'mdm' ? 'devices' : 'users'}-${i + 1}.csv`,
  'prowler-ocsf': (ctx, i) => `prowler-output-${ctx.accounts[i % ctx.accounts.length]}-2026112702150${i % 10}.ocsf.json`,
  trivy: (_ctx, i) => `cluster-${i + 1}.json`,
};

/** Extra characters per row the byte budget may add, by format (how much free text a row of that kind plausibly carries). */
const EXTRA: Record<Format, number> = { 'prowler-csv': 600, 'prowler-ocsf': 800, trivy: 200, csv: 30, attestation: 0 };
/** Largest free text per row (the texts are cut from MAX_FILL-long blocks). */
const FILL_CAP: Record<Format, number> = { 'prowler-csv': MAX_FILL, 'prowler-ocsf': MAX_FILL, trivy: 4000, csv: 2000, attestation: 0 };

function formatCounts(m: number): Record<Format, number> {
  if (m <= 1) return { 'prowler-csv': 1, csv: 0, 'prowler-ocsf': 0, trivy: 0, attestation: 0 };
  if (m === 2) return { 'prowler-csv': 1, csv: 0, 'prowler-ocsf': 0, trivy: 0, attestation: 1 };
  if (m === 3) return { 'prowler-csv': 1, csv: 1, 'prowler-ocsf': 0, trivy: 0, attestation: 1 };
  if (m === 4) return { 'prowler-csv': 1, csv: 1, 'prowler-ocsf': 1, trivy: 0, attestation: 1 };
  const csv = Math.max(1, Math.round(m * 0.2));
  const ocsf = Math.max(1, Math.floor(m / 10));
  const trivy = Math.max(1, Math.floor(m / 10));
  return { 'prowler-csv': m - 1 - csv - ocsf - trivy, csv, 'prowler-ocsf': ocsf, trivy, attestation: 1 };
}

const SOURCE_NAMES: Record<Format, string> = { 'prowler-csv': 'aws-prowler', csv: 'it-export', 'prowler-ocsf': 'aws-prowler-ocsf', trivy: 'k8s-trivy', attestation: 'access-reviews' };
const ATTESTATIONS = 4;

function buildContexts(spec: WorkspaceSpec, universe: Check[]): SourceContext[] {
  const counts = formatCounts(spec.sources);
  const order: Format[] = ['prowler-csv', 'csv', 'prowler-ocsf', 'trivy', 'attestation'];
  const out: SourceContext[] = [];
  let index = 0;
  for (const format of order) {
    for (let k = 0; k < counts[format]; k++) {
      const r = new Rng(spec.seed, `source:${format}:${k}`);
      const id = `${SOURCE_NAMES[format]}-${String(k + 1).padStart(2, '0')}`;
      const prowlerLike = format === 'prowler-csv' || format === 'prowler-ocsf';
      const checks = prowlerLike ? r.sample(universe, r.int(Math.floor(universe.length * 0.5), Math.floor(universe.length * 0.9))) : [];
      const weights = checks.map((_, i) => 1 / (i + 1) ** 0.9);
      const accounts = Array.from({ length: r.int(1, 4) }, () => `${r.int(1000, 9999)}${String(r.int(0, 99_999_999)).padStart(8, '0')}`);
      out.push({
        id,
        format,
        ...(format === 'csv' ? { kind: k % 2 === 0 ? 'mdm' as const : 'idp' as const } : {}),
        index: index++,
        files: format === 'prowler-csv' ? accounts.length : format === 'prowler-ocsf' ? Math.min(2, accounts.length) : format === 'trivy' ? r.int(1, 3) : format === 'attestation' ? ATTESTATIONS : 1,
        checks,
        weights,
        useToolMappings: prowlerLike && k % 2 === 0,
        honorToolSuppressions: prowlerLike && k % 3 === 1,
        accounts,
        regions: r.sample(REGIONS, r.int(2, 6)),
      });
    }
  }
  return out;
}

/** Bytes per row of a source with no free text, measured on a sample. */
async function minRowBytes(ctx: SourceContext, seed: number): Promise<number> {
  if (ctx.format === 'attestation') return 0;
  const rows = 400;
  const empty = new CountSink();
  await WRITERS[ctx.format](empty, ctx, { rows: 0, fill: 0, fileIndex: 0, rng: new Rng(seed, 'estimate') });
  const sink = new CountSink();
  await WRITERS[ctx.format](sink, ctx, { rows, fill: 0, fileIndex: 0, rng: new Rng(seed, 'estimate') });
  return (sink.bytes - empty.bytes) / rows;
}

/** source.yaml of a source; `active` are the service keys that have rows (a rule for an absent service would be reported unused). */
function sourceYaml(ctx: SourceContext, active: Set<string>, map: Map<string, Record<string, string[]>>, ids: Record<string, string[]>, seed: number): string {
  const r = new Rng(seed, `yaml:${ctx.id}`);
  const rule = (check: string, controls: Record<string, string[]>) => [`  - check: ${y(check)}`, `    controls: ${yControls(controls)}`];
  const mapLines = (): string[] => {
    const keys = [...active].sort();
    return keys.flatMap((k) => (map.has(k) ? rule(`${k}_*`, map.get(k)!) : []));
  };
  switch (ctx.format) {
    case 'prowler-csv':
    case 'prowler-ocsf':
      return [
        `# Generated: Prowler ${ctx.format === 'prowler-csv' ? 'CSV' : 'JSON-OCSF'} exports of ${ctx.accounts.length} AWS account(s).`,
        `format: ${ctx.format}`,
        'tool: Prowler',
        `title: ${y(`AWS posture (${ctx.id})`)}`,
        `files: ${y(ctx.format === 'prowler-csv' ? '*.csv' : '*.ocsf.json')}`,
        'maxAge: 7d',
        `useToolMappings: ${ctx.useToolMappings}`,
        `honorToolSuppressions: ${ctx.honorToolSuppressions}`,
        ...(mapLines().length ? ['map:', ...mapLines()] : ['map: []']),
        '',
      ].join('\n');
    case 'csv':
      if (ctx.kind === 'mdm') {
        return [
          '# Generated: MDM device compliance export, one row per device and check.',
          'format: csv',
          'tool: MDM',
          `title: ${y(`Device compliance (${ctx.id})`)}`,
          'files: "*.csv"',
          'fields:',
          '  check: { column: Check }',
          '  result: { column: Result, pass: [Compliant], fail: [Non-compliant] }',
          '  resource: { column: Device ID }',
          '  collectedAt: { column: Checked At }',
          'map:',
          ...MDM_CHECKS.flatMap((c) => rule(c, pickControls(r, ids, { soc2: [1, 1], 'iso27001-2022': [1, 2], 'nist-csf-2.0': [0, 1], [SYNTHETIC_FRAMEWORK]: [1, 2] }))),
          '',
        ].join('\n');
      }
      return [
        '# Generated: identity provider user export; only ACTIVE users are evidence.',
        'format: csv',
        'tool: IdP',
        `title: ${y(`Workforce MFA (${ctx.id})`)}`,
        'files: "*.csv"',
        'collectedAt: 2026-11-27T03:00:00Z',
        'fields:',
        '  check: { value: idp-mfa-enrolled }',
        '  result: { column: MFA Enrolled, pass: ["TRUE"], fail: ["FALSE"] }',
        '  resource: { column: Login }',
        'where:',
        '  - { column: Status, equals: [ACTIVE] }',
        'map:',
        ...rule('idp-mfa-enrolled', pickControls(r, ids, { soc2: [1, 2], 'iso27001-2022': [1, 2], 'nist-csf-2.0': [1, 1], [SYNTHETIC_FRAMEWORK]: [1, 3] })),
        '',
      ].join('\n');
    case 'trivy':
      return [
        '# Generated: trivy k8s --report all, one file per cluster.',
        'format: trivy',
        'tool: Trivy',
        `title: ${y(`Kubernetes workloads (${ctx.id})`)}`,
        'files: "*.json"',
        'collectedAt: 2026-11-27T04:00:00Z',
        'severityThreshold: high',
        'map:',
        ...rule('CVE-*', pickControls(r, ids, { soc2: [1, 1], 'iso27001-2022': [1, 1], 'nist-csf-2.0': [1, 1], [SYNTHETIC_FRAMEWORK]: [1, 2] })),
        ...rule('AVD-KSV-*', pickControls(r, ids, { soc2: [1, 1], 'iso27001-2022': [1, 1], 'nist-csf-2.0': [0, 1], [SYNTHETIC_FRAMEWORK]: [1, 2] })),
        ...rule('scan-error', pickControls(r, ids, { soc2: [1, 1], [SYNTHETIC_FRAMEWORK]: [1, 1] })),
        '',
      ].join('\n');
    case 'attestation':
      return ['# Generated: quarterly privileged access reviews, signed off.', 'format: attestation', 'tool: Quarterly access review', ''].join('\n');
  }
}

async function writeAttestations(dir: string, ids: Record<string, string[]>, seed: number): Promise<GeneratedFile[]> {
  const r = new Rng(seed, 'attestations');
  const ac = ids[SYNTHETIC_FRAMEWORK]!.filter((c) => c.startsWith('AC-2')).slice(0, 2);
  const files: GeneratedFile[] = [];
  const dates = ['2026-01-08', '2026-04-07', '2026-07-06', '2026-10-05'];
  for (let q = 0; q < ATTESTATIONS; q++) {
    const name = `2026-q${q + 1}-access-review.md`;
    const attachments = q === ATTESTATIONS - 1 ? ['attachments/2026-q4-signoff.csv'] : [];
    const text = [
      '---',
      `title: ${y(`Q${q + 1} 2026 privileged access review`)}`,
      `controls: ${yControls({ soc2: ['CC6.2', 'CC6.3'], 'iso27001-2022': ['A.5.18', 'A.8.2'], [SYNTHETIC_FRAMEWORK]: ac })}`,
      `result: ${q === 1 ? 'fail' : 'pass'}`,
      `attestedBy: ${y(`${personName(q + 500)}, Head of Security`)}`,
      `date: ${dates[q]}`,
      'validFor: 90d',
      `attachments: ${yList(attachments)}`,
      '---',
      '',
      paragraph(r, 4),
      '',
    ].join('\n');
    await writeFile(path.join(dir, name), text);
    files.push({ path: `evidence/${path.basename(dir)}/${name}`, rows: 1, bytes: Buffer.byteLength(text) });
  }
  await mkdir(path.join(dir, 'attachments'), { recursive: true });
  const signoff = ['System,Owner,Accounts reviewed,Removed,Decision', ...Array.from({ length: 12 }, (_, i) => `system-${i + 1},${personName(i + 900)},${r.int(3, 40)},${r.int(0, 4)},confirmed`)].join('\n') + '\n';
  await writeFile(path.join(dir, 'attachments/2026-q4-signoff.csv'), signoff);
  return files;
}

// ---------------------------------------------------------------------------
// Content
// ---------------------------------------------------------------------------

const TYPES = ['policy', 'standard', 'procedure'] as const;

function policyText(i: number, r: Rng, ids: Record<string, string[]>): string {
  const type = r.weighted(TYPES, [7, 2, 1]);
  const status = r.weighted(['approved', 'draft', 'retired'], [90, 8, 2]);
  const reviewed = new Date(Date.UTC(2025, 8, 1) + r.int(0, 430) * 86_400_000);
  const effective = new Date(reviewed.getTime() + 7 * 86_400_000);
  const d = (x: Date) => x.toISOString().slice(0, 10);
  const controls = pickControls(r, ids, { soc2: [1, 5], 'iso27001-2022': [1, 7], 'nist-csf-2.0': [1, 5], [SYNTHETIC_FRAMEWORK]: [3, 18] });
  const t = `${title(r)} ${type === 'policy' ? 'Policy' : type === 'standard' ? 'Standard' : 'Procedure'}`;
  const fm = [
    '---',
    `id: POL-${String(i + 1).padStart(4, '0')}`,
    `title: ${y(t)}`,
    `type: ${type}`,
    `owner: ${y(r.pick(ROLES))}`,
    `approver: ${y(r.pick(ROLES))}`,
    `status: ${status}`,
    `version: "${r.int(1, 6)}.${r.int(0, 9)}"`,
    `effective: ${d(effective)}`,
    `lastReviewed: ${d(reviewed)}`,
    'reviewInterval: 12 months',
    `priority: ${r.weighted(['critical', 'high', 'medium', 'low'], [1, 3, 5, 2])}`,
    `summary: ${y(sentence(r))}`,
    `controls: ${yControls(controls)}`,
    `tags: ${yList(r.sample(['cloud', 'identity', 'people', 'vendor', 'data', 'resilience', 'endpoint', 'privacy', 'sdlc'], r.int(1, 3)).sort())}`,
    '---',
  ];
  const body = [
    '', '## Purpose', '', paragraph(r, r.int(2, 4)),
    '', '## Scope', '', paragraph(r, r.int(2, 5)),
    '', '## Policy statements', '', ...Array.from({ length: r.int(5, 12) }, () => `- ${sentence(r)}`),
    '', '## Roles and responsibilities', '', '| Role | Responsibility |', '| --- | --- |', ...r.sample(ROLES, 4).map((role) => `| ${role} | ${sentence(r)} |`),
    '', '## Exceptions', '', paragraph(r, 2),
    '', '## Review', '', paragraph(r, 2), '',
  ];
  return [...fm, ...body].join('\n');
}

function exceptionText(i: number, r: Rng, map: Map<string, Record<string, string[]>>): string | undefined {
  const keys = [...map.keys()];
  const key = keys[i % keys.length];
  if (!key) return undefined;
  const controls = map.get(key)!;
  const fw = Object.keys(controls)[0]!;
  return [
    '---',
    `id: EXC-${String(i + 1).padStart(3, '0')}`,
    `title: ${y(`Accepted ${key.replace(/_/g, ' ')} findings in legacy accounts`)}`,
    `controls: ${yControls({ [fw]: [controls[fw]![0]!] })}`,
    `checks: ${yList([`${key}_*`])}`,
    ...(r.chance(0.5) ? [`resources: ${yList(['arn:aws:*:*:1*'])}`] : []),
    `reason: ${y(sentence(r))}`,
    `approvedBy: ${y(r.pick(ROLES))}`,
    'approved: 2026-09-01',
    `expires: 2027-0${r.int(1, 9)}-15`,
    `owner: ${y(r.pick(ROLES))}`,
    '---',
    '',
    paragraph(r, 2),
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------
// The workspace
// ---------------------------------------------------------------------------

export async function readManifest(dir: string): Promise<Manifest | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dir, MANIFEST), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

export function sameSpec(a: WorkspaceSpec, b: WorkspaceSpec): boolean {
  return a.seed === b.seed && a.policies === b.policies && a.sources === b.sources && a.rows === b.rows && a.sizeMb === b.sizeMb;
}

/**
 * Writes a workspace into `out`. `out` must be missing, empty, or an earlier
 * generated workspace (it has a .generator.json), which is replaced.
 */
export async function generateWorkspace(out: string, spec: WorkspaceSpec, log: (line: string) => void = () => {}): Promise<Manifest> {
  if (!Number.isInteger(spec.seed) || spec.policies < 1 || spec.sources < 1 || spec.rows < 1 || !(spec.sizeMb > 0)) {
    throw new Error(`invalid spec ${JSON.stringify(spec)}: seed must be an integer; policies, sources and rows at least 1; size-mb above 0`);
  }
  if (existsSync(out)) {
    const entries = await readdir(out);
    if (entries.length && !entries.includes(MANIFEST)) throw new Error(`${out} exists and is not a generated workspace (no ${MANIFEST}); choose an empty or new folder`);
    for (const e of entries) if (e !== '.cache') await rm(path.join(out, e), { recursive: true, force: true });
    await rm(path.join(out, '.cache'), { recursive: true, force: true });
  }
  await mkdir(out, { recursive: true });
  // Marks the folder as generated before anything else, so an interrupted run can be replaced.
  await writeFile(path.join(out, MANIFEST), `${JSON.stringify({ generatorVersion: GENERATOR_VERSION, complete: false, spec })}\n`);
  await mkdir(path.join(out, 'content/policies'), { recursive: true });
  await mkdir(path.join(out, 'content/frameworks'), { recursive: true });
  await mkdir(path.join(out, 'content/exceptions'), { recursive: true });

  const ids = await builtInIds();
  const catalog = syntheticCatalog(spec.seed);
  ids[SYNTHETIC_FRAMEWORK] = catalog.ids;
  await writeFile(path.join(out, 'content/frameworks', `${SYNTHETIC_FRAMEWORK}.yaml`), catalog.text);
  await writeFile(
    path.join(out, 'content/portal.yaml'),
    [
      `# Generated by scripts/generate-workspace.ts (seed ${spec.seed}) for the scale benchmark.`,
      `organization: ${y(`Synthetic Org ${spec.seed}`)}`,
      `frameworks: ${yList([...FRAMEWORKS])}`,
      'evidence: { maxAge: 30d }',
      '',
    ].join('\n'),
  );
  const pr = new Rng(spec.seed, 'policies');
  for (let i = 0; i < spec.policies; i++) {
    await writeFile(path.join(out, 'content/policies', `pol-${String(i + 1).padStart(4, '0')}.md`), policyText(i, pr, ids));
  }
  const universe = checkUniverse(spec.seed, ids);
  const map = serviceMap(spec.seed, ids);
  const er = new Rng(spec.seed, 'exceptions');
  const exceptionCount = Math.max(1, Math.floor(spec.policies / 50));
  let exceptions = 0;
  for (let i = 0; i < exceptionCount; i++) {
    const text = exceptionText(i, er, map);
    if (!text) continue;
    await writeFile(path.join(out, 'content/exceptions', `EXC-${String(i + 1).padStart(3, '0')}.md`), text);
    exceptions++;
  }

  // Rows and bytes per source.
  const contexts = buildContexts(spec, universe);
  const data = contexts.filter((c) => c.format !== 'attestation');
  const attRows = contexts.length - data.length ? ATTESTATIONS : 0;
  const dataRows = Math.max(data.reduce((n, c) => n + c.files, 0), spec.rows - attRows);
  const targetBytes = spec.sizeMb * 1024 * 1024;
  const mins = new Map<SourceContext, number>();
  for (const c of data) mins.set(c, await minRowBytes(c, spec.seed));
  const byFormat = (f: Format) => data.filter((c) => c.format === f);
  const avgMin = (f: Format) => {
    const l = byFormat(f);
    return l.length ? l.reduce((n, c) => n + mins.get(c)!, 0) / l.length : 0;
  };
  const share: Partial<Record<Format, number>> = {};
  if (byFormat('prowler-ocsf').length) share['prowler-ocsf'] = 0.01;
  if (byFormat('trivy').length) share.trivy = 0.03;
  const fixed = Object.values(share).reduce((a, b) => a + b, 0);
  if (byFormat('csv').length) {
    // The largest Prowler share whose rows (at their smallest) still fit the byte target; generic CSV rows are
    // narrow and take the other rows. What is left of the budget becomes free text (EXTRA) in every format.
    const avg = targetBytes / dataRows;
    const fixedBytes = Object.entries(share).reduce((n, [f, s]) => n + s * avgMin(f as Format), 0);
    const p = (avg - fixedBytes - (1 - fixed) * avgMin('csv')) / (avgMin('prowler-csv') - avgMin('csv'));
    share['prowler-csv'] = Math.min(Math.max(p, 0.05), 1 - fixed - 0.05);
    share.csv = 1 - fixed - share['prowler-csv'];
  } else share['prowler-csv'] = 1 - fixed;
  const formats = Object.keys(share) as Format[];
  const formatRows = apportion(dataRows, formats.map((f) => share[f]!));
  const rowsOf = new Map<SourceContext, number>();
  formats.forEach((f, i) => {
    const list = byFormat(f);
    const wr = new Rng(spec.seed, `rows:${f}`);
    const parts = apportion(formatRows[i]!, list.map(() => 0.5 + wr.next()));
    list.forEach((c, k) => rowsOf.set(c, Math.max(c.files, parts[k]!)));
  });
  const fixedSum = data.reduce((n, c) => n + rowsOf.get(c)! * mins.get(c)!, 0);
  const extraSum = data.reduce((n, c) => n + rowsOf.get(c)! * EXTRA[c.format], 0);
  const x = extraSum > 0 ? Math.max(0, (targetBytes - fixedSum) / extraSum) : 0;

  const sources: GeneratedSource[] = [];
  let planned = 0;
  let written = 0;
  for (const ctx of contexts) {
    const dir = path.join(out, 'evidence', ctx.id);
    await mkdir(dir, { recursive: true });
    const rows = rowsOf.get(ctx) ?? 0;
    const fileRows = apportion(rows, Array.from({ length: ctx.files }, (_, i) => 1 + (i % 3)));
    const active = new Set<string>();
    if (ctx.checks.length) for (const n of fileRows) perCheck(ctx, n).forEach((k, i) => k > 0 && active.add(ctx.checks[i]!.serviceKey));
    await writeFile(path.join(dir, 'source.yaml'), sourceYaml(ctx, active, map, ids, spec.seed));
    if (ctx.format === 'attestation') {
      const files = await writeAttestations(dir, ids, spec.seed);
      sources.push({ id: ctx.id, format: ctx.format, files });
      continue;
    }
    const target = rows * (mins.get(ctx)! + x * EXTRA[ctx.format]);
    planned += target;
    // Carry what earlier sources missed (quoting, rounding) into this one.
    const fill = Math.min(FILL_CAP[ctx.format], Math.max(0, Math.round((planned - written) / rows - mins.get(ctx)!)));
    const files: GeneratedFile[] = [];
    const writer = WRITERS[ctx.format];
    for (let i = 0; i < ctx.files; i++) {
      const rel = `evidence/${ctx.id}/${FILE_NAME[ctx.format](ctx, i)}`;
      const job: FileJob = { rows: fileRows[i]!, fill, fileIndex: i, rng: new Rng(spec.seed, `${ctx.id}:${i}`) };
      const bytes = await writeStreamed(path.join(out, rel), (sink) => writer(sink, ctx, job));
      written += bytes;
      files.push({ path: rel, rows: job.rows, bytes });
    }
    log(`  ${ctx.id} (${ctx.format}): ${rows.toLocaleString('en-US')} rows, ${(files.reduce((n, f) => n + f.bytes, 0) / 1048576).toFixed(1)} MiB in ${files.length} file(s)`);
    sources.push({ id: ctx.id, format: ctx.format, files });
  }
  const all = sources.flatMap((s) => s.files);
  const manifest: Manifest = {
    generatorVersion: GENERATOR_VERSION,
    complete: true,
    spec,
    policies: spec.policies,
    exceptions,
    controls: Object.fromEntries(FRAMEWORKS.map((fw) => [fw, ids[fw]!.length])),
    sources,
    rows: all.reduce((n, f) => n + f.rows, 0),
    bytes: all.reduce((n, f) => n + f.bytes, 0),
  };
  await writeFile(path.join(out, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
