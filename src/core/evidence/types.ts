/**
 * The adapter interface. An adapter knows one export format and nothing about
 * controls: it reads the bytes of one file as a stream and emits normalised
 * records. Mapping, exceptions and accounting happen afterwards, in one place
 * (ingest.ts).
 */
import type { DiagnosticBag } from '../diagnostics/diagnostic.ts';
import type { ControlsMap } from '../schemas/common.ts';
import type { SourceConfig } from '../schemas/source.ts';

/** Normalised result vocabulary (docs/evidence-formats.md). */
export type NormalisedResult = 'pass' | 'fail' | 'error' | 'not-evaluated' | 'excepted-in-tool';

export interface EvidenceRecord {
  /** Check (test, rule) id. */
  check: string;
  result: NormalisedResult;
  /** The tool's own word for the result, e.g. `FAIL`, `alarm`. */
  rawResult?: string;
  resource?: string;
  severity?: string;
  title?: string;
  message?: string;
  /** ISO 8601 collection time of this record, when the export says per record. */
  collectedAt?: string;
  /** 1-based line where the record starts, when the format has lines (CSV). */
  line?: number;
  /** Controls the record names itself (attestations). */
  controls?: ControlsMap;
  /** Framework references the tool itself put on the record (translated later). */
  toolRefs?: { framework: string; control: string }[];
  /** Freshness that replaces the source's maxAge for this record (attestations' validFor), as an ISO instant. */
  freshUntil?: string;
  /**
   * How many results this record stands for (format: summary, pre-aggregated in a warehouse).
   * Every tally counts it `count` times, row accounting included; default 1.
   */
  count?: number;
}

/** What an adapter may learn about the file it reads. */
export interface FileMeta {
  toolVersion?: string;
  /** Collection time found in the file itself (ISO 8601). */
  collectedAt?: string;
  /** Where `collectedAt` came from, e.g. `field generatedAt`. */
  collectedAtFrom?: string;
  /** Extra files this file depends on (attestation attachments), relative to the workspace. */
  attachments?: string[];
}

export interface AdapterContext {
  /** Workspace-relative path of the file, for messages. */
  file: string;
  /** Workspace-relative path of the source folder. */
  sourceDir: string;
  source: SourceConfig;
  diagnostics: DiagnosticBag;
  /** Hand over one normalised record. */
  emit(record: EvidenceRecord): void;
  /** Count a row that a `where:` filter left out. */
  skip(): void;
  meta: FileMeta;
  /** Checks a path (relative to the source folder) exists as a regular file inside it; for attachments. */
  resolveAttachment?(relative: string): Promise<{ ok: true; path: string } | { ok: false; reason: 'missing' | 'outside' }>;
}

export interface EvidenceAdapter {
  /** The `format:` value in source.yaml. */
  format: string;
  /** One line for docs and errors. */
  description: string;
  /** Default file globs when source.yaml has no `files:`. */
  defaultFiles: string[];
  /** Format-specific checks of source.yaml (required fields), reported at `source.yaml`. */
  validateConfig?(source: SourceConfig, report: (field: string, message: string, hint: string) => void): void;
  /** Streams one file: `chunks` are its raw bytes in order. Problems go to ctx.diagnostics; never throw for bad input. */
  read(chunks: AsyncIterable<Uint8Array>, ctx: AdapterContext): Promise<void>;
}
