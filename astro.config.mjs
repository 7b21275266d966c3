// @ts-check
// Integrations and settings only; all data comes from the core through src/site-data.ts.
import { defineConfig } from 'astro/config';

export default defineConfig({
  output: 'static',
  // The build command sets these; plain `astro build` is not the way to build the portal (see README).
  outDir: process.env.COMPLIANCE_SITE_OUT || './dist',
  base: process.env.COMPLIANCE_BASE || '/',
  trailingSlash: 'always',
  build: { format: 'directory', inlineStylesheets: 'never' },
  devToolbar: { enabled: false },
  prefetch: false,
});
