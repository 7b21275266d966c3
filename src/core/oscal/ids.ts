/**
 * Identifiers between our catalogs and OSCAL: deterministic UUIDs, control id
 * forms (`ac-2.1` <-> `AC-2(1)`), framework ids from file names, and the OSCAL
 * ids of controls imported from OSCAL catalogs (kept beside the Catalog object).
 * See docs/oscal.md.
 */
import { createHash } from 'node:crypto';
import type { Catalog } from '../schemas/catalog.ts';

/** Namespace of our OSCAL props (`ns`): status, reasons, policies... that OSCAL has no field for. */
export const OSCAL_PROP_NS = 'urn:policy-portal:oscal';

/** The OSCAL version the documents we write conform to (validated against NIST's 1.2.2 JSON schema). */
export const OSCAL_VERSION = '1.2.2';

const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

/**
 * RFC 9562 version 5 UUID: SHA-1 of a namespace UUID and a name. The same
 * name always gives the same UUID, so the same inputs give the same document.
 */
export function uuidV5(namespace: string, name: string): string {
  const hash = createHash('sha1').update(uuidBytes(namespace)).update(name, 'utf8').digest();
  const b = hash.subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The namespace of every UUID we derive: v5 of our prop namespace in the URL namespace. */
export const PORTAL_UUID_NAMESPACE = uuidV5(URL_NAMESPACE, OSCAL_PROP_NS);

/** A UUID for a stable name, e.g. `observation\0<result uuid>\0okta-mfa`. */
export function stableUuid(...parts: string[]): string {
  return uuidV5(PORTAL_UUID_NAMESPACE, parts.join('\0'));
}

const OSCAL_TOKEN = /^[\p{L}_][\p{L}\p{N}._-]*$/u;

export function isOscalToken(s: string): boolean {
  return OSCAL_TOKEN.test(s);
}

/**
 * The OSCAL form of one of our control ids, for catalogs that do not come from
 * OSCAL: lower case, `(n)` becomes `.n`, other characters become `-`, and a
 * leading `_` when the id would start with a digit (an OSCAL token must start
 * with a letter or `_`). `CC6.1` -> `cc6.1`, `A.5.1` -> `a.5.1`,
 * `AC-2(1)` -> `ac-2.1`, `GV.OC-01` -> `gv.oc-01`, `1.2` -> `_1.2`.
 */
export function oscalToken(displayId: string): string {
  let s = displayId
    .trim()
    .toLowerCase()
    .replace(/\(\s*([\p{L}\p{N}]+)\s*\)/gu, '.$1')
    .replace(/[^\p{L}\p{N}._-]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  if (!/^[\p{L}_]/u.test(s)) s = `_${s}`;
  return s;
}

const SP800_53 = /^\s*([A-Za-z]{2})\s*-\s*0*(\d+)\s*(?:\(\s*0*(\d+)\s*\)|[._]\s*0*(\d+))?\s*$/;

/**
 * Canonical SP 800-53 form of an id written any of the usual ways, or undefined:
 * `ac-2.1`, `AC-2(1)`, `AC-02(01)`, `ac-2_1`, `ac-02.01` -> `AC-2(1)`; `ac-2` -> `AC-2`.
 */
export function sp80053Id(id: string): string | undefined {
  const m = SP800_53.exec(id);
  if (!m) return undefined;
  const enh = m[3] ?? m[4];
  return `${m[1]!.toUpperCase()}-${Number(m[2])}${enh !== undefined ? `(${Number(enh)})` : ''}`;
}

/** Is this control id already in canonical SP 800-53 display form (`AC-2`, `AC-2(1)`)? */
export function isSp80053DisplayId(id: string): boolean {
  return /^[A-Z]{2}-[1-9]\d*(\([1-9]\d*\))?$/.test(id);
}

/** Display form of an OSCAL control id when it follows SP 800-53 (`ac-2.1` -> `AC-2(1)`), else the id unchanged. */
export function displayIdFromOscal(oscalId: string): string {
  return /^[a-z]{2}-\d+(\.\d+)?$/.test(oscalId) ? sp80053Id(oscalId)! : oscalId;
}

/** Normalised stem of a file name or URL, for matching a profile's import to a catalog file: `NIST_SP-800-53_rev5_catalog-min.json` -> `nist-sp-800-53-rev5-catalog`. */
export function catalogNameKey(nameOrUrl: string): string {
  const base = nameOrUrl.split(/[?#]/)[0]!.split(/[\\/]/).pop() ?? '';
  return base
    .replace(/\.(json|xml|ya?ml)$/i, '')
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .replace(/-min$/, '');
}

/** The framework id `catalog:add` proposes for a downloaded file: its normalised stem. */
export function suggestFrameworkId(nameOrUrl: string): string {
  return catalogNameKey(nameOrUrl) || 'oscal-catalog';
}

/** The framework id of a file in content/frameworks/: its name without `.json`. */
export function frameworkIdFromPath(file: string): string {
  return (file.split('/').pop() ?? file).replace(/\.json$/i, '');
}

/** OSCAL ids of one control of an imported catalog. */
export interface OscalControlIds {
  /** The control's `id` in the OSCAL catalog, e.g. `ac-2.1`, `GV.OC-01`, `SP_800_171_03.01.01`. */
  controlId: string;
  /** Id of its `statement` part when it has one, e.g. `ac-2.1_smt`. */
  statementId?: string;
}

// Catalog objects imported from OSCAL -> display id -> OSCAL ids. Kept beside the
// object (the catalog schema has no field for it) so that writers can use the exact ids.
const imported = new WeakMap<Catalog, ReadonlyMap<string, OscalControlIds>>();

export function rememberOscalIds(catalog: Catalog, ids: ReadonlyMap<string, OscalControlIds>): void {
  imported.set(catalog, ids);
}

/** Was this catalog object imported from an OSCAL file? */
export function isImportedFromOscal(catalog: Catalog | undefined): boolean {
  return !!catalog && imported.has(catalog);
}

/**
 * OSCAL ids for a control: the original ids when the catalog came from OSCAL,
 * else `oscalToken` of our id and the NIST convention `<id>_smt` for the statement.
 */
export function oscalIdsFor(catalog: Catalog | undefined, displayId: string): Required<OscalControlIds> {
  const known = catalog ? imported.get(catalog)?.get(displayId) : undefined;
  const controlId = known?.controlId && isOscalToken(known.controlId) ? known.controlId : oscalToken(displayId);
  const statementId = known?.statementId && isOscalToken(known.statementId) ? known.statementId : `${controlId}_smt`;
  return { controlId, statementId };
}
