import { ACCOUNTS, type AccountInfo } from '../../kms/world/accounts.ts';
import { consoleKeyPolicy, type KeyKind } from '../consoleKeyPolicy.ts';
import type { IdentitySummary, KmsErrorInfo, Lab } from '../lab.svelte.ts';
import { kindOf, SPECS_BY_USAGE, specsOf, usagesOf } from './keySpecs.ts';

/** A tag row of the form, as typed (blank keys are left out of the request). */
export interface TagDraft {
  key: string;
  value: string;
}

/** The key the form created last, and the alias it gave it. */
export interface CreatedKey {
  readonly keyId: string;
  readonly alias?: string;
  readonly region: string;
}

/**
 * The console's Create key form as the learner fills it in: key type, usage and spec, origin,
 * Regionality, labels, the administrators and users the generated key policy names, and the
 * policy itself (generated from those choices until the learner edits it). `create` makes the
 * CreateKey call (and CreateAlias, when an alias was given) as the acting principal.
 */
export class CreateKeyDraft {
  usage = $state('ENCRYPT_DECRYPT');
  spec = $state('SYMMETRIC_DEFAULT');
  readonly kind = $derived(kindOf(this.spec));
  origin = $state('AWS_KMS');
  multiRegion = $state(false);
  description = $state('');
  alias = $state('');
  tags = $state<TagDraft[]>([]);
  /** ARNs of the IAM users and roles that administer the key. */
  admins = $state<string[]>([]);
  /** ARNs of the IAM users and roles (and other accounts' roots) that use the key. */
  users = $state<string[]>([]);
  /** The policy text as the learner edited it; null while it follows the choices above. */
  editedPolicy = $state<string | null>(null);
  busy = $state(false);
  error = $state<KmsErrorInfo | null>(null);
  created = $state<CreatedKey | null>(null);

  /** The lab, read when used (the form's prop). */
  readonly #lab: () => Lab;

  readonly account: string;
  /** IAM users and roles of the acting account: the console's administrator and user choices. */
  readonly people: readonly IdentitySummary[];
  readonly otherAccounts: readonly AccountInfo[];
  /** The key policy CreateKey sends. */
  readonly policy: string;

  constructor(lab: () => Lab) {
    this.#lab = lab;
    // Derived here rather than as field initializers: they read the lab, known only now.
    this.account = $derived(lab().accountId);
    this.people = $derived((lab().state?.identities ?? []).filter((i) => i.accountId === this.account));
    this.otherAccounts = $derived(ACCOUNTS.filter((a) => a.id !== this.account));
    // Choices that no longer name anyone (another account acting, a user deleted) stay ticked but
    // out of the policy: they come back if the learner returns.
    const generated = $derived(
      consoleKeyPolicy({
        accountId: this.account,
        kind: this.kind,
        keyUsage: this.usage,
        multiRegion: this.multiRegion,
        administrators: this.admins.filter((a) => this.people.some((p) => p.arn === a)),
        users: this.users.filter(
          (u) =>
            this.people.some((p) => p.arn === u) ||
            this.otherAccounts.some((a) => u === `arn:aws:iam::${a.id}:root`),
        ),
      }),
    );
    this.policy = $derived(this.editedPolicy ?? generated);
  }

  chooseKind(k: KeyKind): void {
    this.usage = usagesOf(k)[0]!;
    this.spec = specsOf(k, this.usage)[0]!;
  }

  /** A new usage keeps the key type when it can (asymmetric ENCRYPT_DECRYPT stays RSA). */
  chooseUsage(): void {
    this.spec = specsOf(this.kind, this.usage)[0] ?? SPECS_BY_USAGE[this.usage]![0]!;
  }

  /** Ticks or unticks `arn` as an administrator. */
  setAdmin(arn: string, on: boolean): void {
    this.admins = toggle(this.admins, arn, on);
  }

  /** Ticks or unticks `arn` as a user. */
  setUser(arn: string, on: boolean): void {
    this.users = toggle(this.users, arn, on);
  }

  addTag(): void {
    this.tags = [...this.tags, { key: '', value: '' }];
  }

  removeTag(i: number): void {
    this.tags = this.tags.filter((_, j) => j !== i);
  }

  /** Creates the key (and its alias) in the current Region; the labels are cleared for the next one. */
  async create(): Promise<void> {
    const lab = this.#lab();
    this.busy = true;
    this.error = null;
    this.created = null;
    try {
      const region = lab.region;
      const tagList = this.tags
        .filter((tag) => tag.key.trim())
        .map((tag) => ({ TagKey: tag.key.trim(), TagValue: tag.value }));
      const r = await lab.call('CreateKey', {
        Description: this.description,
        KeyUsage: this.usage as never,
        KeySpec: this.spec as never,
        Origin: this.origin as never,
        Policy: this.policy,
        ...(tagList.length ? { Tags: tagList } : {}),
        ...(this.multiRegion ? { MultiRegion: true } : {}),
      });
      if (!r.ok) {
        this.error = r.error;
        return;
      }
      const keyId = r.output.KeyMetadata!.KeyId!;
      const name = this.alias.trim();
      if (name) {
        const aliasName = name.startsWith('alias/') ? name : `alias/${name}`;
        const a = await lab.call('CreateAlias', { AliasName: aliasName, TargetKeyId: keyId });
        if (!a.ok) {
          this.error = a.error;
          this.created = { keyId, region };
          return;
        }
        this.created = { keyId, alias: aliasName, region };
      } else this.created = { keyId, region };
      this.description = '';
      this.alias = '';
      this.tags = [];
    } finally {
      this.busy = false;
    }
  }
}

function toggle(list: string[], arn: string, on: boolean): string[] {
  return on ? [...list.filter((x) => x !== arn), arn] : list.filter((x) => x !== arn);
}
