import { Err } from '../errors.ts';
import { aliasArn, isArn, isKeyId, keyArn, parseKmsArn } from '../model/identifiers.ts';
import type { KeyRecord } from '../model/key.ts';
import type { WorldTx } from '../model/world.ts';

/**
 * KeyId resolution as AWS does it: key ID, key ARN, alias name and alias ARN for operations that
 * accept aliases ('A'), key ID and key ARN only otherwise ('K'); each failure with AWS's error.
 */
export function resolveKey(
  tx: WorldTx,
  ref: string,
  forms: 'A' | 'K',
  caller: { accountId: string; region: string },
): KeyRecord {
  if (isArn(ref)) {
    const arn = parseKmsArn(ref);
    if (arn.region !== caller.region) throw Err.NotFound(`Invalid arn ${arn.region}`);
    if (arn.resourceType === 'alias') {
      if (forms === 'K') throw Err.NotFound(`Invalid keyId ${ref}`);
      return viaAlias(tx, arn.resource, arn.accountId, arn.region);
    }
    if (!isKeyId(arn.resource)) throw Err.NotFound(`Invalid keyId '${arn.resource}'`);
    return byId(tx, arn.resource, arn.accountId, arn.region);
  }
  if (ref.startsWith('alias/')) {
    if (forms === 'K') throw Err.NotFound(`Invalid keyId ${ref}`);
    return viaAlias(tx, ref, caller.accountId, caller.region);
  }
  if (!isKeyId(ref)) throw Err.NotFound(`Invalid keyId '${ref}'`);
  return byId(tx, ref, caller.accountId, caller.region);
}

function byId(tx: WorldTx, keyId: string, accountId: string, region: string): KeyRecord {
  const arn = keyArn(region, accountId, keyId);
  const key = tx.key(arn);
  if (!key) throw Err.NotFound(`Key '${arn}' does not exist`);
  return key;
}

function viaAlias(tx: WorldTx, aliasName: string, accountId: string, region: string): KeyRecord {
  const arn = aliasArn(region, accountId, aliasName);
  const alias = tx.alias(arn);
  if (!alias) throw Err.NotFound(`Alias ${arn} is not found.`);
  return byId(tx, alias.targetKeyId, accountId, region);
}
