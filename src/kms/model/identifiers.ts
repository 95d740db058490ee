import { Err } from '../errors.ts';
import { isKnownRegion } from '../world/regions.ts';

/** Key IDs, ARNs and alias names, and the errors AWS gives for each malformed form. */
export const KEY_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const MRK_ID_PATTERN = /^mrk-[0-9a-f]{32}$/;

export const isKeyId = (s: string): boolean => KEY_ID_PATTERN.test(s) || MRK_ID_PATTERN.test(s);

export const keyArn = (region: string, accountId: string, keyId: string): string =>
  `arn:aws:kms:${region}:${accountId}:key/${keyId}`;
export const aliasArn = (region: string, accountId: string, aliasName: string): string =>
  `arn:aws:kms:${region}:${accountId}:${aliasName}`;

export interface ParsedArn {
  readonly region: string;
  readonly accountId: string;
  readonly resourceType: 'key' | 'alias';
  /** Key ID, or the alias name including `alias/`. */
  readonly resource: string;
}

const ARN_PATTERN = /^arn:aws:kms:([^:]*):([^:]*):(key|alias)\/(.+)$/;

/** Parses a KMS key or alias ARN; anything else is an InvalidArnException as AWS reports it. */
export function parseKmsArn(arn: string): ParsedArn {
  const m = ARN_PATTERN.exec(arn);
  if (!m) throw Err.InvalidArn(`Invalid arn ${arn}`);
  const [, region, accountId, type, rest] = m as unknown as [string, string, string, 'key' | 'alias', string];
  if (!isKnownRegion(region)) throw Err.InvalidArn(`Invalid arn ${region}`);
  if (!/^\d{12}$/.test(accountId)) throw Err.InvalidArn(`Invalid arn ${arn}`);
  return { region, accountId, resourceType: type, resource: type === 'alias' ? `alias/${rest}` : rest };
}

export const isArn = (s: string): boolean => s.startsWith('arn:');
