import { Err } from '../errors.ts';
import type { Tag } from '../model/key.ts';

/** At most 50 user tags per key; `aws:` is AWS's own prefix. */
export const MAX_TAGS_PER_KEY = 50;

export function checkNewTags(tags: readonly Tag[]): void {
  if (tags.some((t) => t.TagKey.startsWith('aws:'))) throw Err.Tag('Tags beginning with aws: are reserved');
  if (new Set(tags.map((t) => t.TagKey)).size !== tags.length) throw Err.Tag('Duplicate tag keys');
}

/** Merges tags, replacing the values of existing keys, and enforces the per-key limit. */
export function mergeTags(existing: readonly Tag[], added: readonly Tag[]): Tag[] {
  checkNewTags(added);
  const byKey = new Map(existing.map((t) => [t.TagKey, t.TagValue]));
  for (const t of added) byKey.set(t.TagKey, t.TagValue);
  if (byKey.size > MAX_TAGS_PER_KEY) throw Err.Tag('Too many tags');
  return [...byKey].map(([TagKey, TagValue]) => ({ TagKey, TagValue }));
}
