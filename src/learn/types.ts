/**
 * Lessons and challenges as data (issue 10). A lesson is a start world (a scenario file), optional
 * setup the scenario format cannot express (a CloudHSM cluster, a disabled key, a ticking clock),
 * steps whose checks read the world, a hint ladder, a solution script and a par. Text is English here;
 * translations overlay it from `locales/<locale>/lessons/<lesson>.json` (see ./text.ts).
 */
import type {
  AliasRecord,
  CallTrace,
  CloudTrailRecord,
  ClusterView,
  CustomKeyStoreView,
  IdentityRecord,
  KeyView,
  Scenario,
} from '../kms/index.ts';

/** Parts of KMS, as the lessons and challenges tag them. */
export const KMS_AREAS = [
  'symmetric',
  'envelope-encryption',
  'encryption-context',
  'asymmetric',
  'key-types',
  'key-policies',
  'iam',
  'grants',
  'rotation',
  'key-states',
  'import',
  'cloudhsm',
  'multi-region',
  'cloudtrail',
  'services',
  'cross-account',
  'cli-sdk',
] as const;
export type KmsArea = (typeof KMS_AREAS)[number];

/** Exam domains: SCS-C03's six, and SAA-C03's "Design Secure Architectures". */
export const EXAM_DOMAINS = [
  'SCS: Identity and Access Management',
  'SCS: Data Protection',
  'SCS: Detection',
  'SCS: Incident Response',
  'SCS: Infrastructure Security',
  'SCS: Security Foundations and Governance',
  'SAA: Design Secure Architectures',
] as const;
export type ExamDomain = (typeof EXAM_DOMAINS)[number];

export interface Tags {
  readonly areas: readonly KmsArea[];
  readonly domains: readonly ExamDomain[];
}

/** A read-only picture of the world that checks read. Plain data: safe to clone to a worker. */
export interface WorldView {
  /** Simulated time, epoch ms. */
  readonly now: number;
  readonly keys: readonly KeyView[];
  readonly aliases: readonly AliasRecord[];
  readonly identities: readonly IdentityRecord[];
  readonly clusters: readonly ClusterView[];
  readonly customKeyStores: readonly CustomKeyStoreView[];
  /** AWS service resources (`s3:bucket`, `ec2:volume`, `ssm:parameter`, …) without stored bodies. */
  readonly resources: readonly {
    arn: string;
    kind: string;
    accountId: string;
    region: string;
    data: unknown;
  }[];
  /** CloudTrail records made since the lesson started (the start world's setup is left out). */
  readonly trail: readonly CloudTrailRecord[];
  /** Call traces since the lesson started, including lab controls (not in CloudTrail). */
  readonly calls: readonly CallTrace[];
}

/**
 * A goal over the world. `describe` is what the learner sees as the goal, and it must say exactly what
 * `test` checks (a shown goal that differs from the checked one is the classic complaint).
 */
export interface Check {
  readonly describe: string;
  /** True when met; a string says what is still missing. */
  readonly test: (world: WorldView) => boolean | string;
}

/** One rung of the hint ladder: a nudge, the concept, then the exact call. */
export interface Hint {
  readonly level: 'nudge' | 'concept' | 'call';
  readonly text: string;
}

export interface Step {
  /** Stable within the lesson (progress and translations refer to it). */
  readonly id: string;
  /** Markdown prose. */
  readonly text: string;
  readonly check: Check;
  readonly hints: readonly Hint[];
}

export interface Lesson {
  /** Kebab-case, stable: URLs, progress and translations use it. */
  readonly id: string;
  readonly title: string;
  /** One paragraph shown before the first step. */
  readonly intro: string;
  readonly tags: Tags;
  /** The start world: a scenario file (docs/scenario-format.md), loaded through the API. */
  readonly world: Scenario;
  /**
   * Setup the scenario format cannot say, as a script in the solution environment (./runtime.ts),
   * run after the scenario; its calls are part of the start world, not of the learner's work.
   */
  readonly setup?: string;
  readonly steps: readonly Step[];
  /** A script body for the solution environment (./runtime.ts), the same the scratchpad runs. */
  readonly solution: string;
  /** API calls the solution makes (AWS APIs; lab controls and clock moves do not count). */
  readonly par: number;
  /** Minutes a learner needs, roughly. */
  readonly minutes: number;
}
