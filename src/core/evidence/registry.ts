/** Every evidence adapter, by `format:` name. Tool formats register here. */
import { attestationAdapter } from './adapters/attestation.ts';
import { csvAdapter } from './adapters/csv.ts';
import { jsonAdapter } from './adapters/json.ts';
import { asffAdapter } from './adapters/asff.ts';
import { awsConfigAdapter } from './adapters/aws-config.ts';
import { powerpipeAdapter } from './adapters/powerpipe.ts';
import { checkovAdapter } from './adapters/checkov.ts';
import { sarifAdapter } from './adapters/sarif.ts';
import { prowlerCsvAdapter } from './adapters/prowler-csv.ts';
import { prowlerJsonAdapter, prowlerOcsfAdapter } from './adapters/prowler-ocsf.ts';
import { trivyAdapter } from './adapters/trivy.ts';
import { kubeBenchAdapter } from './adapters/kube-bench.ts';
import { kubescapeAdapter } from './adapters/kubescape.ts';
import { acknowledgementsAdapter } from './adapters/acknowledgements.ts';
import { summaryAdapter } from './adapters/summary.ts';
import type { EvidenceAdapter } from './types.ts';

const adapters: EvidenceAdapter[] = [csvAdapter, jsonAdapter, attestationAdapter, acknowledgementsAdapter, powerpipeAdapter, asffAdapter, awsConfigAdapter, sarifAdapter, checkovAdapter, prowlerCsvAdapter, prowlerOcsfAdapter, prowlerJsonAdapter, trivyAdapter, kubeBenchAdapter, kubescapeAdapter, summaryAdapter];

export const adapterRegistry: ReadonlyMap<string, EvidenceAdapter> = new Map(adapters.map((a) => [a.format, a]));

export function knownFormats(): string[] {
  return [...adapterRegistry.keys()].sort();
}
