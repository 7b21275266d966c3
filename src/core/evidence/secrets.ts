/**
 * Credentials that tools sometimes copy into findings (a leaked key in a
 * resource name, a token in a message) are masked before anything is shown,
 * and reported as a warning naming the file and row.
 */

/** Patterns of well-known credential formats; each match is masked whole. */
const PATTERNS: { name: string; re: RegExp }[] = [
  { name: 'private key', re: /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----[\s\S]*?(?:-----END (?:[A-Z]+ )?PRIVATE KEY-----|$)/g },
  { name: 'AWS access key id', re: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/g },
  { name: 'AWS secret access key', re: /\baws_secret_access_key\s*[=:]\s*[A-Za-z0-9/+=]{40}\b/gi },
  { name: 'GitHub token', re: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g },
  { name: 'Slack token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g },
  { name: 'Google API key', re: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { name: 'Stripe key', re: /\b(?:sk|rk)_live_[0-9a-zA-Z]{24,}\b/g },
  { name: 'JSON web token', re: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b/g },
  { name: 'password in a URL', re: /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]{3,}@/gi },
];

/** Quick pre-check so that ordinary text costs one regex test. */
const ANY = /PRIVATE KEY|A[KSB]IA|ACCA|aws_secret|gh[pousr]_|github_pat_|xox[abposr]-|AIza|_live_|eyJ|:\/\/[^\s/]*:[^\s/]*@/i;

export interface MaskResult {
  text: string;
  /** Names of the credential kinds found, empty when none. */
  found: string[];
}

/** True when the text may hold a credential (one regex test); false means maskSecrets would change nothing. */
export function mayHoldSecret(text: string): boolean {
  return ANY.test(text);
}

export function maskSecrets(text: string): MaskResult {
  if (!ANY.test(text)) return { text, found: [] };
  const found: string[] = [];
  let out = text;
  for (const { name, re } of PATTERNS) {
    re.lastIndex = 0;
    if (!re.test(out)) continue;
    re.lastIndex = 0;
    found.push(name);
    out = out.replace(re, (m) => (name === 'password in a URL' ? m.replace(/:[^:@/]+@$/, ':[masked]@') : `[masked ${name}]`));
  }
  return { text: out, found };
}
