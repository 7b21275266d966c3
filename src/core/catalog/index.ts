/**
 * The control index: every known framework (built-in and custom catalogs),
 * which of them are in scope, and id lookup with "did you mean".
 */
import type { Catalog, CatalogControl } from '../schemas/catalog.ts';
import { isSp80053DisplayId, sp80053Id } from '../oscal/ids.ts';
import { closest, compareIds } from '../util/suggest.ts';

/** `framework::control`, the one key for a control everywhere in the core. */
export function controlKey(framework: string, id: string): string {
  return `${framework}::${id}`;
}

export function splitControlKey(key: string): { framework: string; id: string } {
  const i = key.indexOf('::');
  return { framework: key.slice(0, i), id: key.slice(i + 2) };
}

export interface ControlRef extends CatalogControl {
  key: string;
  framework: string;
}

/** Loose form of a control id for forgiving lookups: case and spaces do not matter. */
function loose(id: string): string {
  return id.replace(/\s+/g, '').toUpperCase();
}

/** In SP 800-53-style catalogs (every id like `AC-2` or `AC-2(1)`), `ac-2.1`, `AC-02(01)` and `ac-2_1` mean `AC-2(1)` too. */
function looseSp80053(id: string): string {
  return sp80053Id(id) ?? loose(id);
}

export class ControlIndex {
  readonly catalogs: ReadonlyMap<string, Catalog>;
  readonly scope: readonly string[];
  private readonly byFramework = new Map<string, Map<string, ControlRef>>();
  private readonly looseIds = new Map<string, Map<string, ControlRef>>();
  private readonly looseKeys = new Map<string, (id: string) => string>();

  constructor(catalogs: Iterable<Catalog>, scope: readonly string[]) {
    const map = new Map<string, Catalog>();
    for (const c of catalogs) map.set(c.id, c);
    this.catalogs = map;
    this.scope = scope.filter((s) => map.has(s));
    for (const c of map.values()) {
      const exact = new Map<string, ControlRef>();
      const lo = new Map<string, ControlRef>();
      const key = c.controls.every((ctl) => isSp80053DisplayId(ctl.id)) ? looseSp80053 : loose;
      this.looseKeys.set(c.id, key);
      for (const ctl of c.controls) {
        const ref: ControlRef = { ...ctl, key: controlKey(c.id, ctl.id), framework: c.id };
        exact.set(ctl.id, ref);
        if (!lo.has(key(ctl.id))) lo.set(key(ctl.id), ref);
      }
      this.byFramework.set(c.id, exact);
      this.looseIds.set(c.id, lo);
    }
  }

  hasFramework(id: string): boolean {
    return this.catalogs.has(id);
  }

  frameworkIds(): string[] {
    return [...this.catalogs.keys()].sort();
  }

  /** Finds a control by id (exact, else ignoring case and spaces; SP 800-53 ids also in their OSCAL and zero-padded forms). */
  resolve(framework: string, id: string): ControlRef | undefined {
    return this.byFramework.get(framework)?.get(id) ?? this.looseIds.get(framework)?.get((this.looseKeys.get(framework) ?? loose)(id));
  }

  suggestFramework(id: string): string | undefined {
    return closest(id, this.catalogs.keys());
  }

  suggestControl(framework: string, id: string): string | undefined {
    const ids = this.byFramework.get(framework);
    return ids ? closest(id, ids.keys()) : undefined;
  }

  inScope(key: string): boolean {
    const i = key.indexOf('::');
    return this.scope.includes(key.slice(0, i));
  }

  /** Controls of a framework in catalog order... sorted naturally for stable output. */
  controls(framework: string): ControlRef[] {
    return [...(this.byFramework.get(framework)?.values() ?? [])].sort((a, b) => compareIds(a.id, b.id));
  }
}
