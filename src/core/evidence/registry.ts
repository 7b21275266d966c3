/** Every evidence adapter, by `format:` name. Tool formats register here. */
import { attestationAdapter } from './adapters/attestation.ts';
import { csvAdapter } from './adapters/csv.ts';
import { jsonAdapter } from './adapters/json.ts';
import type { EvidenceAdapter } from './types.ts';

const adapters: EvidenceAdapter[] = [csvAdapter, jsonAdapter, attestationAdapter];

export const adapterRegistry: ReadonlyMap<string, EvidenceAdapter> = new Map(adapters.map((a) => [a.format, a]));

export function knownFormats(): string[] {
  return [...adapterRegistry.keys()].sort();
}
