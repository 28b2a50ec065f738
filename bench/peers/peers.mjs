// Peers of the kkpol benchmark: the same generated policy and queries,
// decided by Casbin (RBAC with a role hierarchy and deny-override) or Cedar
// (wasm). kkpbench runs it once per engine and policy size:
//
//   node peers.mjs --engine casbin|cedar-policy|cedar-attr --dir DIR --cap SECONDS --compare N
//
// DIR contains members.tsv (id, roles, grants, revokes) and queries.tsv (id,
// permission, kkpol's decision) written by kkpbench. The first N queries are
// compared with kkpol's answers, and any difference fails the run (exit 1).
// Then the queries are decided in a loop for at most SECONDS, and a JSON
// report goes to stdout. KKP_NODE_MODULES names the folder where
// `make bench-deps` installed the packages.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The presets of policies/presets.kkp, expanded: a role's own grants, and
// its parent. The comparison with kkpol's decisions catches any drift.
const PRESETS = {
  sales_representative: { parent: null, grants: ['chats', 'calls', 'leads', 'live_sessions'] },
  sales_manager: {
    parent: 'sales_representative',
    grants: ['analytics', 'reports', 'recorded_sessions', 'view_team'],
  },
  administrator: {
    parent: null,
    grants: [
      'chats', 'calls', 'leads',
      'organization_settings', 'widget_settings', 'chatbot_settings', 'ai_agents',
      'integrations', 'call_settings',
      'view_team', 'create_team_members', 'update_team_members', 'delete_team_members',
      'billing', 'analytics', 'reports',
    ],
  },
  support_agent: { parent: null, grants: ['chats', 'live_sessions', 'leads'] },
};

function parseArgs(argv) {
  const args = { engine: null, dir: null, cap: 20, compare: 10000 };
  for (let i = 2; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in args) || i + 1 >= argv.length) {
      throw new Error(`invalid argument '${argv[i]}'; see the usage at the top of peers.mjs`);
    }
    args[key] = key === 'cap' || key === 'compare' ? Number(argv[i + 1]) : argv[i + 1];
  }
  if (!args.engine || !args.dir) throw new Error('--engine and --dir are required');
  return args;
}

function readMembers(dir) {
  const split = (field) => (field ? field.split(',') : []);
  return readFileSync(join(dir, 'members.tsv'), 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const [id, roles, grants, revokes] = line.split('\t');
      return { id, roles: split(roles), grants: split(grants), revokes: split(revokes) };
    });
}

function readQueries(dir) {
  return readFileSync(join(dir, 'queries.tsv'), 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const [id, permission, expected] = line.split('\t');
      return { id, permission, allow: expected === 'allow' };
    });
}

const CASBIN_MODEL = `
[request_definition]
r = sub, act

[policy_definition]
p = sub, act, eft

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = r.act == p.act && g(r.sub, p.sub)
`;

async function loadCasbin(require, members) {
  const casbin = require('casbin');
  const lines = [];
  for (const [role, def] of Object.entries(PRESETS)) {
    for (const perm of def.grants) lines.push(`p, role:${role}, ${perm}, allow`);
    if (def.parent) lines.push(`g, role:${role}, role:${def.parent}`);
  }
  for (const m of members) {
    for (const role of m.roles) lines.push(`g, ${m.id}, role:${role}`);
    for (const perm of m.grants) lines.push(`p, ${m.id}, ${perm}, allow`);
    for (const perm of m.revokes) lines.push(`p, ${m.id}, ${perm}, deny`);
  }
  const model = casbin.newModelFromString(CASBIN_MODEL);
  const enforcer = await casbin.newEnforcer(model, new casbin.StringAdapter(lines.join('\n')));
  return {
    version: require('casbin/package.json').version,
    decide: (q) => enforcer.enforceSync(q.id, q.permission),
  };
}

function cedarString(s) {
  return JSON.stringify(s);
}

// Cedar with users in role groups and a permit per role. Overrides are
// either one permit or forbid per member override ('policy'), or user
// attributes tested by two fixed policies ('attr').
function loadCedar(require, members, form) {
  const cedar = require('@cedar-policy/cedar-wasm/nodejs');
  const policies = [];
  for (const [role, def] of Object.entries(PRESETS)) {
    const actions = def.grants.map((p) => `Action::${cedarString(p)}`).join(', ');
    policies.push(`permit(principal in Role::${cedarString(role)}, action in [${actions}], resource);`);
  }
  if (form === 'attr') {
    policies.push('permit(principal, action, resource) when { principal.grants.contains(context.permission) };');
    policies.push('forbid(principal, action, resource) when { principal.revokes.contains(context.permission) };');
  } else {
    for (const m of members) {
      const principalIs = `principal == User::${cedarString(m.id)}`;
      for (const p of m.grants) policies.push(`permit(${principalIs}, action == Action::${cedarString(p)}, resource);`);
      for (const p of m.revokes) policies.push(`forbid(${principalIs}, action == Action::${cedarString(p)}, resource);`);
    }
  }
  const parsed = cedar.preparsePolicySet('bench', { staticPolicies: policies.join('\n') });
  if (parsed.type !== 'success') {
    throw new Error(`Cedar rejected the policy set: ${JSON.stringify(parsed.errors).slice(0, 500)}`);
  }

  const roleEntities = Object.entries(PRESETS).map(([role, def]) => ({
    uid: { type: 'Role', id: role },
    attrs: {},
    parents: def.parent ? [{ type: 'Role', id: def.parent }] : [],
  }));
  // Per request, the application passes the principal and the role entities;
  // they are built once here so that the timing is Cedar's.
  const entitiesOf = new Map();
  for (const m of members) {
    const user = {
      uid: { type: 'User', id: m.id },
      attrs: form === 'attr' ? { grants: m.grants, revokes: m.revokes } : {},
      parents: m.roles.map((role) => ({ type: 'Role', id: role })),
    };
    entitiesOf.set(m.id, [user, ...roleEntities]);
  }
  const resource = { type: 'App', id: 'team' };
  return {
    version: cedar.getCedarVersion(),
    decide: (q) => {
      const answer = cedar.statefulIsAuthorized({
        principal: { type: 'User', id: q.id },
        action: { type: 'Action', id: q.permission },
        resource,
        context: form === 'attr' ? { permission: q.permission } : {},
        preparsedPolicySetId: 'bench',
        entities: entitiesOf.get(q.id) ?? roleEntities,
      });
      if (answer.type !== 'success') {
        throw new Error(`Cedar failed: ${JSON.stringify(answer.errors).slice(0, 500)}`);
      }
      return answer.response.decision === 'allow';
    },
  };
}

async function main() {
  const args = parseArgs(process.argv);
  const modules = process.env.KKP_NODE_MODULES;
  if (!modules) throw new Error('KKP_NODE_MODULES is not set; run through make bench');
  const require = createRequire(join(modules, 'noop.js'));
  const members = readMembers(args.dir);
  const queries = readQueries(args.dir);

  const loadStart = process.hrtime.bigint();
  let engine;
  if (args.engine === 'casbin') engine = await loadCasbin(require, members);
  else if (args.engine === 'cedar-policy') engine = loadCedar(require, members, 'policy');
  else if (args.engine === 'cedar-attr') engine = loadCedar(require, members, 'attr');
  else throw new Error(`unknown engine '${args.engine}'; expected casbin, cedar-policy or cedar-attr`);
  const loadSeconds = Number(process.hrtime.bigint() - loadStart) / 1e9;

  // The comparison stops early only when it would take more than three caps:
  // Cedar with one policy per override needs far longer per decision at
  // 100,000 members. The report gives the number compared.
  const compareLimitNs = BigInt(Math.round(args.cap * 3e9));
  const compareStart = process.hrtime.bigint();
  let compared = 0;
  for (let i = 0; i < Math.min(args.compare, queries.length); i++) {
    if (process.hrtime.bigint() - compareStart > compareLimitNs) break;
    const q = queries[i];
    const allow = engine.decide(q);
    if (allow !== q.allow) {
      console.error(`peers: ${args.engine} returns ${allow ? 'allow' : 'deny'} for ` +
        `'${q.id}' ${q.permission}, but kkpol returns ${q.allow ? 'allow' : 'deny'}`);
      process.exit(1);
    }
    compared++;
  }

  // Timed: the queries in order, round and round, until the cap.
  const capNs = BigInt(Math.round(args.cap * 1e9));
  const start = process.hrtime.bigint();
  let decisions = 0;
  let allows = 0;
  let elapsed = 0n;
  // The clock is read after every decision: it costs well under a
  // microsecond, and a Casbin decision at 100,000 members takes a third of a
  // second, so a coarser check would overrun the cap.
  while (elapsed < capNs) {
    allows += engine.decide(queries[decisions % queries.length]) ? 1 : 0;
    decisions++;
    elapsed = process.hrtime.bigint() - start;
  }
  const seconds = Number(elapsed) / 1e9;
  process.stdout.write(JSON.stringify({
    engine: args.engine,
    version: engine.version,
    members: members.length,
    load_seconds: loadSeconds,
    compared,
    decisions,
    allows,
    seconds,
    decisions_per_second: decisions / seconds,
    ns_per_decision: (seconds * 1e9) / decisions,
  }) + '\n');
}

main().catch((e) => {
  console.error(`peers: error: ${e.message}`);
  process.exit(1);
});
