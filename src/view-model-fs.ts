/** Reads the view model that `npm run build` computed for this Astro build. */
import { readFileSync } from 'node:fs';
import { loadViewModel, type StoredViewModel, type ViewModel } from './core/view/view-model.ts';

export function readViewModel(file = process.env.COMPLIANCE_VIEW_MODEL): ViewModel {
  if (!file) {
    throw new Error('COMPLIANCE_VIEW_MODEL is not set: build the portal with `npm run build`, which computes the model first.');
  }
  return loadViewModel(JSON.parse(readFileSync(file, 'utf8')) as StoredViewModel);
}
