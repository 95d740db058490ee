import { decodeBase64, encodeBase64 } from '../protocol/base64.ts';
import { randomBytes, toHex } from '../crypto/random.ts';

/**
 * Grant tokens: opaque to callers, here a base64 envelope naming the grant (AWS's tokens are
 * opaque too; their format is not documented). Every CreateGrant call returns a fresh token.
 */
export function newGrantToken(keyArn: string, grantId: string): string {
  const body = JSON.stringify({ v: 1, k: keyArn, g: grantId, n: toHex(randomBytes(16)) });
  return encodeBase64(new TextEncoder().encode(body));
}

/** The grant a token names, or undefined when the string is not a grant token of this lab. */
export function decodeGrantToken(token: string): { keyArn: string; grantId: string } | undefined {
  try {
    const bytes = decodeBase64(token);
    if (!bytes) return undefined;
    const body = JSON.parse(new TextDecoder().decode(bytes)) as { v?: number; k?: unknown; g?: unknown };
    if (body.v !== 1 || typeof body.k !== 'string' || typeof body.g !== 'string') return undefined;
    return { keyArn: body.k, grantId: body.g };
  } catch {
    return undefined;
  }
}
