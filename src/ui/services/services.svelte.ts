/**
 * The Services panel's state (issue 9): which service tab is open, the services' resources as the
 * KMS worker reports them, and the outcome of the last service call the panel made. Every action
 * is a real service call (`lab.service('s3', 'PutObject', …)`): the service then calls KMS on the
 * acting principal's behalf, so its KMS calls show in the world view, the trail and the call log.
 */
import type { CallResult, KeySummary, KmsErrorInfo, Lab, ServiceResourceView } from '../lab.svelte.ts';

/** The panel's tabs: one per service, by API prefix. */
export const SERVICE_TABS = [
  { id: 's3', label: 'S3', title: 'Amazon S3' },
  { id: 'ec2', label: 'EBS', title: 'Amazon EBS' },
  { id: 'rds', label: 'RDS', title: 'Amazon RDS' },
  { id: 'redshift', label: 'Redshift', title: 'Amazon Redshift' },
  { id: 'ssm', label: 'SSM', title: 'Parameter Store' },
  { id: 'secretsmanager', label: 'Secrets Mgr', title: 'AWS Secrets Manager' },
] as const;
export type ServiceTab = (typeof SERVICE_TABS)[number]['id'];

/** Which tab is open; the service chips of the world view open theirs. */
export const servicesNav = $state<{ tab: ServiceTab }>({ tab: 's3' });

/** Opens a service's tab and brings the panel into view. */
export function showService(tab: ServiceTab): void {
  servicesNav.tab = tab;
  document.getElementById('services-panel')?.scrollIntoView({ behavior: 'smooth', block: 'start' });
}

/** The last call the panel made, for the result box. */
export interface ServiceOutcome {
  readonly service: string;
  readonly operation: string;
  readonly ok: boolean;
  readonly output?: Record<string, unknown>;
  readonly error?: KmsErrorInfo;
}

type Kind = ServiceResourceView['kind'];
export type ViewOf<K extends Kind> = Extract<ServiceResourceView, { kind: K }>;

export class ServicesState {
  /** Resources of every account and Region, oldest first. */
  resources = $state.raw<readonly ServiceResourceView[]>([]);
  last = $state.raw<ServiceOutcome | null>(null);
  busy = $state(false);
  /** The lab, read when used (the panel's prop). */
  readonly #lab: () => Lab;
  #loading: Promise<void> | null = null;
  #again = false;

  constructor(lab: () => Lab) {
    this.#lab = lab;
  }

  /** Resources of one kind in the acting account (and the current Region, except S3 buckets and objects). */
  mine<K extends Kind>(kind: K): ViewOf<K>[] {
    const lab = this.#lab();
    return this.resources.filter(
      (r): r is ViewOf<K> =>
        r.kind === kind &&
        r.accountId === lab.accountId &&
        (kind.startsWith('s3:') || r.region === lab.region),
    );
  }

  /** Reloads the resources; calls during a load coalesce into one more. */
  load(): Promise<void> {
    if (this.#loading) {
      this.#again = true;
      return this.#loading;
    }
    this.#loading = (async () => {
      try {
        do {
          this.#again = false;
          this.resources = await this.#lab().serviceResources();
        } while (this.#again);
      } catch {
        // The worker is (re)opening a workspace: the next refresh loads them.
      } finally {
        this.#loading = null;
      }
    })();
    return this.#loading;
  }

  /** One service call as the acting principal; its outcome shows in the result box. */
  async run(
    service: string,
    operation: string,
    input: Record<string, unknown>,
    options: { readonly region?: string } = {},
  ): Promise<CallResult> {
    this.busy = true;
    try {
      const r = await this.#lab().service(service, operation, input, options);
      this.last = r.ok
        ? { service, operation, ok: true, output: r.output }
        : { service, operation, ok: false, error: r.error };
      await this.load();
      return r;
    } finally {
      this.busy = false;
    }
  }
}

/** Keys a service can encrypt with: the acting account's symmetric encryption keys in the Region. */
export function encryptionKeys(lab: Lab): KeySummary[] {
  return lab.regionKeys.filter(
    (k) =>
      k.keyManager === 'CUSTOMER' &&
      k.keySpec === 'SYMMETRIC_DEFAULT' &&
      k.keyUsage === 'ENCRYPT_DECRYPT' &&
      k.state !== 'PendingDeletion' &&
      k.state !== 'PendingReplicaDeletion',
  );
}

/** `arn:aws:kms:…:key/1234abcd-…` or an alias → how the panel names it. */
export function keyName(lab: Lab, ref: string | undefined, fallback = '—'): string {
  if (!ref) return fallback;
  if (ref.startsWith('alias/')) return ref;
  const k = lab.keyByArn(ref);
  if (k) return k.aliases[0] ?? `key/${k.keyId.slice(0, 8)}…`;
  const id = /key\/([0-9a-f-]+)$/.exec(ref)?.[1];
  return id ? `key/${id.slice(0, 8)}…` : ref;
}

/** Stands in for a value that markup wraps (`<b>…</b>`), so the message around it stays one text. */
export const SLOT = '\u0000';

/** A message filled with {@link SLOT} for one parameter → its text before and after that value. */
export function aroundSlot(text: string): [string, string] {
  const i = text.indexOf(SLOT);
  return i < 0 ? [text, ''] : [text.slice(0, i), text.slice(i + SLOT.length)];
}

export function bytes(n: number): string {
  return n < 1024
    ? `${n} B`
    : n < 1024 * 1024
      ? `${(n / 1024).toFixed(1)} KB`
      : `${(n / 1048576).toFixed(1)} MB`;
}
