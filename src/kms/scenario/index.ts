/**
 * Scenario files: a small, versioned, declarative description of a world (docs/scenario-format.md).
 *
 * ```ts
 * const kms = await createKms({ store: new MemoryStore() });
 * const applied = await applyScenario(kms, await readFile('scenario.json', 'utf8'));
 * ```
 */
export {
  MAX_SCENARIO_BYTES,
  SCENARIO_VERSION,
  ScenarioError,
  parseScenario,
  type Scenario,
  type ScenarioAccessKey,
  type ScenarioAccount,
  type ScenarioGrant,
  type ScenarioIssue,
  type ScenarioKey,
  type ScenarioManagedPolicy,
  type ScenarioPolicy,
  type ScenarioRole,
  type ScenarioRoleSession,
  type ScenarioTags,
  type ScenarioUser,
} from './format.ts';
export {
  applyScenario,
  defaultTrustPolicy,
  type AppliedScenario,
  type SeededCredential,
  type SeededKey,
} from './apply.ts';
export { exportScenario, type ExportedScenario } from './export.ts';
