import { describe, expect, it } from 'vitest';
import { maskSecrets } from '../../src/core/evidence/secrets.ts';

describe('maskSecrets', () => {
  it.each([
    ['AKIAIOSFODNN7EXAMPLE', 'AWS access key id'],
    ['key ghp_0123456789abcdefghijABCDEFGHIJ012345 leaked', 'GitHub token'],
    ['xoxb-123456789012-abcdefghijkl', 'Slack token'],
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----', 'private key'],
    ['postgres://admin:hunter22@db.internal:5432/x', 'password in a URL'],
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'JSON web token'],
  ])('masks %s', (text, kind) => {
    const r = maskSecrets(text);
    expect(r.found).toContain(kind);
    expect(r.text).not.toContain(text.replace(/^key | leaked$/g, ''));
    expect(r.text).toMatch(/masked/);
  });

  it('leaves ordinary evidence alone', () => {
    for (const t of ['arn:aws:s3:::nw-support-uploads-tmp', 'i-0legacyfw01', 'https://example.com/path', 'user@example.com', 'S3 bucket has no public access block']) {
      expect(maskSecrets(t)).toEqual({ text: t, found: [] });
    }
  });
});
