/**
 * The scenario loader's one engine hook (src/kms/scenario/): values the API always generates but a
 * declarative scenario pins, so that policies, scripts and SDK credentials can name them.
 *
 * - CreateKey: a fixed key ID (a UUID, or `mrk-…` for a multi-Region key).
 * - iam:CreateAccessKey: a fixed access key ID and secret access key.
 *
 * Not part of the API: the options are attached to one CallerContext object (a WeakMap entry) that
 * only in-process code holding this module can create. No input member and no wire request can
 * reach them; a call made with any other caller object generates IDs as AWS does.
 */
import { Err } from '../errors.ts';
import { KEY_ID_PATTERN, MRK_ID_PATTERN } from '../model/identifiers.ts';
import type { CallerContext } from '../world/principal.ts';

export interface SeedOptions {
  /** CreateKey's key ID. */
  readonly keyId?: string;
  /** iam:CreateAccessKey's credentials. */
  readonly accessKey?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

const pending = new WeakMap<CallerContext, SeedOptions>();

/** A copy of `caller` whose calls use `options` instead of generated values. */
export function seededCaller(caller: CallerContext, options: SeedOptions): CallerContext {
  const copy = { ...caller };
  pending.set(copy, options);
  return copy;
}

/** The seed options of this exact caller object, if the scenario loader made it. */
export const seedOptionsOf = (caller: CallerContext): SeedOptions | undefined => pending.get(caller);

/**
 * CreateKey's seeded key ID, checked: the form must match MultiRegion and no key of the account and
 * Region may have it. Undefined when the caller carries none (the ID is generated).
 */
export function seededKeyId(
  caller: CallerContext,
  multiRegion: boolean,
  exists: (keyId: string) => boolean,
): string | undefined {
  const keyId = pending.get(caller)?.keyId;
  if (keyId === undefined) return undefined;
  if (!(multiRegion ? MRK_ID_PATTERN : KEY_ID_PATTERN).test(keyId))
    throw Err.Validation(
      `Key ID ${keyId} is not a valid ${multiRegion ? 'multi-Region (mrk-…)' : 'single-Region (UUID)'} key ID.`,
    );
  if (exists(keyId)) throw Err.AlreadyExists(`A key with ID ${keyId} already exists.`);
  return keyId;
}
