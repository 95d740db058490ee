/**
 * A small simulated IAM API: users, roles, inline and managed identity policies, access keys, tags.
 * Called through the engine like KMS operations, named `iam:<Action>`:
 *
 * ```ts
 * await kms.send('iam:CreateUser', { UserName: 'Alice' });
 * await kms.send('iam:PutUserPolicy', { UserName: 'Alice', PolicyName: 'kms', PolicyDocument });
 * const alice = await kms.callerFor('arn:aws:iam::111122223333:user/Alice');
 * ```
 * Inputs and outputs follow `@aws-sdk/client-iam` (PascalCase members, Date timestamps). Every call
 * is authorized like IAM: root users of their own account may do anything; users and roles need an
 * identity policy allowing `iam:<Action>`. Calls act in the caller's account and are logged in
 * CloudTrail with `eventSource: iam.amazonaws.com`. Errors: NoSuchEntityException,
 * EntityAlreadyExistsException, MalformedPolicyDocumentException, LimitExceededException.
 */
import { parsePolicy } from '../access/policyGrammar.ts';
import { randomBytes, toHex } from '../crypto/random.ts';
import { KmsError } from '../errors.ts';
import type { Tag } from '../model/key.ts';
import type { CallContext } from '../operations/context.ts';
import { seedOptionsOf } from '../operations/seedOptions.ts';
import type { OperationFamily, OperationSpec } from '../operations/registry.ts';
import { S } from '../operations/shape.ts';
import {
  policyArn,
  roleArn,
  userArn,
  type IamManagedPolicyRecord,
  type IamRoleRecord,
  type IamUserRecord,
} from './model.ts';

const name = S.str(1, 64, '^[\\w+=,.@-]+$');
const policyName = S.str(1, 128, '^[\\w+=,.@-]+$');
const path = S.str(1, 512, '^/(.*/)?$');
const document = S.str(1, 131072);
const iamTags = {
  type: 'list',
  member: {
    type: 'structure',
    members: { Key: S.str(1, 128), Value: S.str(0, 256) },
    required: ['Key', 'Value'],
  },
  max: 50,
} as const;

const noSuchEntity = (m: string) => new KmsError('NoSuchEntityException', m);
const alreadyExists = (m: string) => new KmsError('EntityAlreadyExistsException', m);

/** IAM-style unique IDs: a 4-letter type prefix and 17 upper-case alphanumerics. */
const uniqueId = (prefix: string) =>
  prefix + Array.from(randomBytes(17), (b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[b % 32]).join('');

const MAX_INLINE_USER_BYTES = 2048;
const MAX_INLINE_ROLE_BYTES = 10240;
const MAX_MANAGED_BYTES = 6144;

function checkIdentityPolicy(doc: string, limit: number, kind: 'identity' | 'trust' = 'identity') {
  if (doc.replace(/\s/g, '').length > limit)
    throw new KmsError(
      'LimitExceededException',
      `Cannot exceed quota for PolicySize: ${limit}`, // IAM's text
    );
  // Trust policies name principals; identity policies must not.
  parsePolicy(doc, kind === 'trust' ? 'key' : 'identity');
}

function user(ctx: CallContext, userName: string): IamUserRecord {
  const u = ctx.tx
    .allIdentities()
    .find((i) => i.kind === 'user' && i.accountId === ctx.accountId && i.name === userName);
  if (!u || u.kind !== 'user') throw noSuchEntity(`The user with name ${userName} cannot be found.`);
  return u;
}

function role(ctx: CallContext, roleName: string): IamRoleRecord {
  const r = ctx.tx
    .allIdentities()
    .find((i) => i.kind === 'role' && i.accountId === ctx.accountId && i.name === roleName);
  if (!r || r.kind !== 'role') throw noSuchEntity(`The role with name ${roleName} cannot be found.`);
  return r;
}

function managed(ctx: CallContext, arn: string): IamManagedPolicyRecord {
  const p = ctx.tx.identity(arn);
  if (!p || p.kind !== 'policy') throw noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
  return p;
}

const tagsIn = (tags: { Key: string; Value: string }[] | undefined): Tag[] =>
  (tags ?? []).map((t) => ({ TagKey: t.Key, TagValue: t.Value }));
const tagsOut = (tags: readonly Tag[]) => tags.map((t) => ({ Key: t.TagKey, Value: t.TagValue }));

const userOut = (u: IamUserRecord) => ({
  Path: u.path,
  UserName: u.name,
  UserId: u.id,
  Arn: u.arn,
  CreateDate: new Date(u.createdAt),
  ...(u.tags.length ? { Tags: tagsOut(u.tags) } : {}),
});
const roleOut = (r: IamRoleRecord) => ({
  Path: r.path,
  RoleName: r.name,
  RoleId: r.id,
  Arn: r.arn,
  CreateDate: new Date(r.createdAt),
  AssumeRolePolicyDocument: encodeURIComponent(r.assumeRolePolicyDocument),
  Description: r.description,
  ...(r.tags.length ? { Tags: tagsOut(r.tags) } : {}),
});
const policyOut = (p: IamManagedPolicyRecord) => ({
  PolicyName: p.name,
  PolicyId: p.id,
  Arn: p.arn,
  Path: p.path,
  DefaultVersionId: 'v1',
  AttachmentCount: 0,
  IsAttachable: true,
  CreateDate: new Date(p.createdAt),
  UpdateDate: new Date(p.updatedAt),
  Description: p.description,
});

/** An IAM operation: key-less, authorized on identity policies, resource = the entity's ARN. */
function iam(
  spec: Omit<OperationSpec, 'name' | 'action' | 'readOnly' | 'mutates' | 'eventSource' | 'resource'> & {
    name: string;
    mutates: boolean;
    resource?: (ctx: CallContext) => string;
  },
): OperationSpec {
  return {
    ...spec,
    name: `iam:${spec.name}`,
    action: `iam:${spec.name}`,
    readOnly: !spec.mutates,
    eventSource: 'iam.amazonaws.com',
    resource: spec.resource ?? ((ctx) => `arn:aws:iam::${ctx.accountId}:*`),
  };
}

const userResource = (ctx: CallContext) => userArn(ctx.accountId, ctx.input.UserName as string);
const roleResource = (ctx: CallContext) => roleArn(ctx.accountId, ctx.input.RoleName as string);

/** Inline policy operations for users and roles. */
function inlinePolicyOps(kind: 'User' | 'Role'): OperationSpec[] {
  const find = (ctx: CallContext) =>
    kind === 'User' ? user(ctx, ctx.input.UserName) : role(ctx, ctx.input.RoleName);
  const nameMember = kind === 'User' ? 'UserName' : 'RoleName';
  const resource = kind === 'User' ? userResource : roleResource;
  const limit = kind === 'User' ? MAX_INLINE_USER_BYTES : MAX_INLINE_ROLE_BYTES;
  return [
    iam({
      name: `Put${kind}Policy`,
      mutates: true,
      resource,
      input: S.struct({ [nameMember]: name, PolicyName: policyName, PolicyDocument: document }, [
        nameMember,
        'PolicyName',
        'PolicyDocument',
      ]),
      validate: (input) => checkIdentityPolicy(input.PolicyDocument as string, limit),
      handler(ctx) {
        const e = find(ctx);
        ctx.tx.putIdentity({
          ...e,
          inlinePolicies: { ...e.inlinePolicies, [ctx.input.PolicyName]: ctx.input.PolicyDocument },
        });
        return {};
      },
    }),
    iam({
      name: `Get${kind}Policy`,
      mutates: false,
      resource,
      input: S.struct({ [nameMember]: name, PolicyName: policyName }, [nameMember, 'PolicyName']),
      handler(ctx) {
        const e = find(ctx);
        const doc = e.inlinePolicies[ctx.input.PolicyName];
        if (doc === undefined)
          throw noSuchEntity(
            `The ${kind.toLowerCase()} policy with name ${ctx.input.PolicyName} cannot be found.`,
          );
        return {
          [nameMember]: e.name,
          PolicyName: ctx.input.PolicyName,
          PolicyDocument: encodeURIComponent(doc),
        };
      },
    }),
    iam({
      name: `Delete${kind}Policy`,
      mutates: true,
      resource,
      input: S.struct({ [nameMember]: name, PolicyName: policyName }, [nameMember, 'PolicyName']),
      handler(ctx) {
        const e = find(ctx);
        if (!(ctx.input.PolicyName in e.inlinePolicies))
          throw noSuchEntity(
            `The ${kind.toLowerCase()} policy with name ${ctx.input.PolicyName} cannot be found.`,
          );
        const inlinePolicies = { ...e.inlinePolicies };
        delete inlinePolicies[ctx.input.PolicyName];
        ctx.tx.putIdentity({ ...e, inlinePolicies });
        return {};
      },
    }),
    iam({
      name: `List${kind}Policies`,
      mutates: false,
      resource,
      input: S.struct({ [nameMember]: name, Marker: S.str(1, 320), MaxItems: S.int(1, 1000) }, [nameMember]),
      handler: (ctx) => ({ PolicyNames: Object.keys(find(ctx).inlinePolicies).sort(), IsTruncated: false }),
    }),
    iam({
      name: `Attach${kind}Policy`,
      mutates: true,
      resource,
      input: S.struct({ [nameMember]: name, PolicyArn: S.str(20, 2048) }, [nameMember, 'PolicyArn']),
      handler(ctx) {
        const e = find(ctx);
        managed(ctx, ctx.input.PolicyArn);
        if (!e.attachedPolicies.includes(ctx.input.PolicyArn))
          ctx.tx.putIdentity({ ...e, attachedPolicies: [...e.attachedPolicies, ctx.input.PolicyArn] });
        return {};
      },
    }),
    iam({
      name: `Detach${kind}Policy`,
      mutates: true,
      resource,
      input: S.struct({ [nameMember]: name, PolicyArn: S.str(20, 2048) }, [nameMember, 'PolicyArn']),
      handler(ctx) {
        const e = find(ctx);
        if (!e.attachedPolicies.includes(ctx.input.PolicyArn))
          throw noSuchEntity(`Policy ${ctx.input.PolicyArn} was not found.`);
        ctx.tx.putIdentity({
          ...e,
          attachedPolicies: e.attachedPolicies.filter((a) => a !== ctx.input.PolicyArn),
        });
        return {};
      },
    }),
    iam({
      name: `Tag${kind}`,
      mutates: true,
      resource,
      input: S.struct({ [nameMember]: name, Tags: iamTags }, [nameMember, 'Tags']),
      handler(ctx) {
        const e = find(ctx);
        const next = new Map(e.tags.map((t) => [t.TagKey, t.TagValue]));
        for (const t of tagsIn(ctx.input.Tags)) next.set(t.TagKey, t.TagValue);
        ctx.tx.putIdentity({ ...e, tags: [...next].map(([TagKey, TagValue]) => ({ TagKey, TagValue })) });
        return {};
      },
    }),
  ];
}

export const iamOperations: OperationFamily = [
  iam({
    name: 'CreateUser',
    mutates: true,
    resource: userResource,
    input: S.struct({ UserName: name, Path: path, Tags: iamTags }, ['UserName']),
    handler(ctx) {
      const i = ctx.input;
      if (
        ctx.tx
          .allIdentities()
          .some(
            (x) =>
              x.kind === 'user' &&
              x.accountId === ctx.accountId &&
              x.name.toLowerCase() === i.UserName.toLowerCase(),
          )
      )
        throw alreadyExists(`User with name ${i.UserName} already exists.`);
      const u: IamUserRecord = {
        kind: 'user',
        arn: userArn(ctx.accountId, i.UserName, i.Path ?? '/'),
        accountId: ctx.accountId,
        name: i.UserName,
        path: i.Path ?? '/',
        id: uniqueId('AIDA'),
        createdAt: ctx.now,
        inlinePolicies: {},
        attachedPolicies: [],
        tags: tagsIn(i.Tags),
        accessKeys: [],
      };
      ctx.tx.putIdentity(u);
      return { User: userOut(u) };
    },
    trailResponse: (out) => out,
  }),
  iam({
    name: 'GetUser',
    mutates: false,
    resource: userResource,
    input: S.struct({ UserName: name }, ['UserName']),
    handler: (ctx) => ({ User: userOut(user(ctx, ctx.input.UserName)) }),
  }),
  iam({
    name: 'ListUsers',
    mutates: false,
    input: S.struct({ PathPrefix: path, Marker: S.str(1, 320), MaxItems: S.int(1, 1000) }),
    handler: (ctx) => ({
      Users: ctx.tx
        .allIdentities()
        .filter((i): i is IamUserRecord => i.kind === 'user' && i.accountId === ctx.accountId)
        .map(userOut),
      IsTruncated: false,
    }),
  }),
  iam({
    name: 'DeleteUser',
    mutates: true,
    resource: userResource,
    input: S.struct({ UserName: name }, ['UserName']),
    handler(ctx) {
      const u = user(ctx, ctx.input.UserName);
      if (Object.keys(u.inlinePolicies).length || u.attachedPolicies.length || u.accessKeys.length)
        throw new KmsError('DeleteConflictException', 'Cannot delete entity, must delete policies first.');
      ctx.tx.deleteIdentity(u.arn);
      return {};
    },
  }),
  iam({
    name: 'CreateRole',
    mutates: true,
    resource: roleResource,
    input: S.struct(
      {
        RoleName: name,
        Path: path,
        AssumeRolePolicyDocument: document,
        Description: S.str(0, 1000),
        Tags: iamTags,
      },
      ['RoleName', 'AssumeRolePolicyDocument'],
    ),
    validate: (input) => checkIdentityPolicy(input.AssumeRolePolicyDocument as string, 2048, 'trust'),
    handler(ctx) {
      const i = ctx.input;
      if (
        ctx.tx
          .allIdentities()
          .some(
            (x) =>
              x.kind === 'role' &&
              x.accountId === ctx.accountId &&
              x.name.toLowerCase() === i.RoleName.toLowerCase(),
          )
      )
        throw alreadyExists(`Role with name ${i.RoleName} already exists.`);
      const r: IamRoleRecord = {
        kind: 'role',
        arn: roleArn(ctx.accountId, i.RoleName, i.Path ?? '/'),
        accountId: ctx.accountId,
        name: i.RoleName,
        path: i.Path ?? '/',
        id: uniqueId('AROA'),
        createdAt: ctx.now,
        assumeRolePolicyDocument: i.AssumeRolePolicyDocument,
        description: i.Description ?? '',
        inlinePolicies: {},
        attachedPolicies: [],
        tags: tagsIn(i.Tags),
      };
      ctx.tx.putIdentity(r);
      return { Role: roleOut(r) };
    },
    trailResponse: (out) => out,
  }),
  iam({
    name: 'GetRole',
    mutates: false,
    resource: roleResource,
    input: S.struct({ RoleName: name }, ['RoleName']),
    handler: (ctx) => ({ Role: roleOut(role(ctx, ctx.input.RoleName)) }),
  }),
  iam({
    name: 'ListRoles',
    mutates: false,
    input: S.struct({ PathPrefix: path, Marker: S.str(1, 320), MaxItems: S.int(1, 1000) }),
    handler: (ctx) => ({
      Roles: ctx.tx
        .allIdentities()
        .filter((i): i is IamRoleRecord => i.kind === 'role' && i.accountId === ctx.accountId)
        .map(roleOut),
      IsTruncated: false,
    }),
  }),
  iam({
    name: 'DeleteRole',
    mutates: true,
    resource: roleResource,
    input: S.struct({ RoleName: name }, ['RoleName']),
    handler(ctx) {
      const r = role(ctx, ctx.input.RoleName);
      if (Object.keys(r.inlinePolicies).length || r.attachedPolicies.length)
        throw new KmsError('DeleteConflictException', 'Cannot delete entity, must delete policies first.');
      ctx.tx.deleteIdentity(r.arn);
      return {};
    },
  }),
  iam({
    name: 'CreatePolicy',
    mutates: true,
    resource: (ctx) => policyArn(ctx.accountId, ctx.input.PolicyName as string),
    input: S.struct(
      { PolicyName: policyName, Path: path, PolicyDocument: document, Description: S.str(0, 1000) },
      ['PolicyName', 'PolicyDocument'],
    ),
    validate: (input) => checkIdentityPolicy(input.PolicyDocument as string, MAX_MANAGED_BYTES),
    handler(ctx) {
      const i = ctx.input;
      const arn = policyArn(ctx.accountId, i.PolicyName, i.Path ?? '/');
      if (ctx.tx.identity(arn))
        throw alreadyExists(
          `A policy called ${i.PolicyName} already exists. Duplicate names are not allowed.`,
        );
      const p: IamManagedPolicyRecord = {
        kind: 'policy',
        arn,
        accountId: ctx.accountId,
        name: i.PolicyName,
        path: i.Path ?? '/',
        id: uniqueId('ANPA'),
        createdAt: ctx.now,
        updatedAt: ctx.now,
        document: i.PolicyDocument,
        description: i.Description ?? '',
      };
      ctx.tx.putIdentity(p);
      return { Policy: policyOut(p) };
    },
    trailResponse: (out) => out,
  }),
  iam({
    name: 'GetPolicy',
    mutates: false,
    resource: (ctx) => ctx.input.PolicyArn as string,
    input: S.struct({ PolicyArn: S.str(20, 2048) }, ['PolicyArn']),
    handler: (ctx) => ({ Policy: policyOut(managed(ctx, ctx.input.PolicyArn)) }),
  }),
  iam({
    name: 'CreateAccessKey',
    mutates: true,
    resource: userResource,
    input: S.struct({ UserName: name }, ['UserName']),
    handler(ctx) {
      const u = user(ctx, ctx.input.UserName);
      if (u.accessKeys.length >= 2)
        throw new KmsError('LimitExceededException', 'Cannot exceed quota for AccessKeysPerUser: 2');
      const seeded = seedOptionsOf(ctx.caller)?.accessKey; // scenario loader only (seedOptions.ts)
      if (
        seeded &&
        ctx.tx
          .allIdentities()
          .some((i) => i.kind === 'user' && i.accessKeys.some((k) => k.accessKeyId === seeded.accessKeyId))
      )
        throw alreadyExists(`Access key ${seeded.accessKeyId} already exists.`);
      const key = {
        accessKeyId: seeded?.accessKeyId ?? uniqueId('AKIA').slice(0, 20),
        secretAccessKey: seeded?.secretAccessKey ?? toHex(randomBytes(20)),
        status: 'Active' as const,
        createdAt: ctx.now,
      };
      ctx.tx.putIdentity({ ...u, accessKeys: [...u.accessKeys, key] });
      return {
        AccessKey: {
          UserName: u.name,
          AccessKeyId: key.accessKeyId,
          Status: key.status,
          SecretAccessKey: key.secretAccessKey,
          CreateDate: new Date(key.createdAt),
        },
      };
    },
  }),
  iam({
    name: 'ListAccessKeys',
    mutates: false,
    resource: userResource,
    input: S.struct({ UserName: name }, ['UserName']),
    handler: (ctx) => ({
      AccessKeyMetadata: user(ctx, ctx.input.UserName).accessKeys.map((k) => ({
        UserName: ctx.input.UserName,
        AccessKeyId: k.accessKeyId,
        Status: k.status,
        CreateDate: new Date(k.createdAt),
      })),
      IsTruncated: false,
    }),
  }),
  iam({
    name: 'DeleteAccessKey',
    mutates: true,
    resource: userResource,
    input: S.struct({ UserName: name, AccessKeyId: S.str(16, 128) }, ['UserName', 'AccessKeyId']),
    handler(ctx) {
      const u = user(ctx, ctx.input.UserName);
      if (!u.accessKeys.some((k) => k.accessKeyId === ctx.input.AccessKeyId))
        throw noSuchEntity(`The Access Key with id ${ctx.input.AccessKeyId} cannot be found.`);
      ctx.tx.putIdentity({
        ...u,
        accessKeys: u.accessKeys.filter((k) => k.accessKeyId !== ctx.input.AccessKeyId),
      });
      return {};
    },
  }),
  ...inlinePolicyOps('User'),
  ...inlinePolicyOps('Role'),
];
