import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { createTeam, createTenant, createUser, setTeamMembers, type User } from '../accounts/index.js';
import { type ChannelDeps, type ChannelType, createChannel } from '../channels/index.js';
import { postReply, receiveInbound, updateConversation } from '../conversations/index.js';
import { Conflict, type Role, systemActor } from '../core/index.js';
import type { IdentityRef } from '../identity/index.js';
import { createQueue, createSkill, saveRules, setAgentSkills, updateQueue } from '../routing/index.js';
import { createBusinessHours, createCanned, createDispositionCode } from '../workspace/index.js';
import {
  DEMO_BUSINESS_HOURS,
  DEMO_CANNED,
  DEMO_CHANNELS,
  DEMO_CONVERSATIONS,
  DEMO_DISPOSITIONS,
  DEMO_PROFICIENCY,
  DEMO_QUEUES,
  DEMO_SKILLS,
  DEMO_STAFF,
  DEMO_TEAMS,
} from './demo-data.js';
import { withStore } from './store.js';

export const DEMO_SLUG = 'demo';
export const DEMO_OWNER = 'owner@demo.switchboard.test';

/** A demo tenant that looks alive: staff, skills, teams, queues, channels, customers, conversations. */
export async function seedDemo(deps: ChannelDeps, password: string): Promise<{ tenantId: string }> {
  const exists = await deps.db
    .selectFrom('tenants')
    .select('id')
    .where('slug', '=', DEMO_SLUG)
    .executeTakeFirst();
  if (exists)
    throw new Conflict(`the demo tenant is already there (slug "${DEMO_SLUG}"); nothing was changed`);
  const { tenant, owner } = await createTenant(deps, {
    slug: DEMO_SLUG,
    name: '示例科技 Demo Co.',
    owner: { email: DEMO_OWNER, password, displayName: '演示管理员 Demo Owner' },
  });
  const actor = { ...systemActor(tenant.id), userId: owner.id };

  const users = new Map<string, User>();
  for (const s of DEMO_STAFF) {
    const u = await createUser(deps, actor, {
      email: s.email,
      password,
      displayName: s.name,
      role: s.role as Role,
      languages: [...s.languages],
    });
    users.set(s.email.split('@')[0] as string, u);
    users.set(s.email, u);
  }
  const skills = new Map<string, string>();
  for (const s of DEMO_SKILLS) skills.set(s.name, (await createSkill(deps, actor, s)).id);
  for (const [email, levels] of Object.entries(DEMO_PROFICIENCY)) {
    const user = users.get(email);
    if (!user) continue;
    const list = Object.entries(levels).map(([name, proficiency]) => ({
      skillId: skills.get(name) as string,
      proficiency,
    }));
    await setAgentSkills(deps, actor, user.id, list);
  }
  for (const t of DEMO_TEAMS) {
    const team = await createTeam(deps, actor, { name: t.name });
    await setTeamMembers(
      deps,
      actor,
      team.id,
      t.members.map((m) => users.get(m)?.id as string),
    );
  }
  const queues: string[] = [];
  for (const q of DEMO_QUEUES) {
    const created = await createQueue(deps, actor, {
      name: q.name,
      priority: q.priority,
      serviceLevelSeconds: q.serviceLevelSeconds,
      skills: q.skills.map((s) => ({ skillId: skills.get(s) as string })),
    });
    queues.push(created.id);
  }
  // The demo's business rules: VIPs first, refunds to the refund team, English to English speakers.
  const [general, refunds, vip, english] = queues as [string, string, string, string];
  await saveRules(deps, actor, {
    steps: [
      {
        id: 'vip',
        name: 'VIP 客户',
        filter: 'task.tier >= 2',
        queueId: vip,
        timeoutMs: 30_000,
        priorityBoost: 20,
      },
      {
        id: 'refund',
        name: '退款',
        filter: "task.category == 'refund'",
        queueId: refunds,
        timeoutMs: 60_000,
      },
      {
        id: 'english',
        name: 'English',
        filter: "task.language == 'en'",
        queueId: english,
        agentFilter: "'en' in agent.languages",
      },
    ],
    defaultQueueId: general,
  });
  // The agent workspace: wrap-up codes, ready answers, and the office hours of the general queue.
  for (const d of DEMO_DISPOSITIONS) await createDispositionCode(deps, actor, d);
  for (const c of DEMO_CANNED) await createCanned(deps, actor, c);
  const hours = await createBusinessHours(deps, actor, DEMO_BUSINESS_HOURS);
  await updateQueue(deps, actor, general, { businessHoursId: hours.id });
  const channels = new Map<string, string>();
  for (const c of DEMO_CHANNELS) {
    const created = await createChannel(deps, actor, {
      type: c.type as ChannelType,
      name: c.name,
      config: { ...c.config },
    });
    channels.set(c.type, created.id);
  }

  const agents = DEMO_STAFF.filter((s) => s.role === 'agent').map((s) => users.get(s.email) as User);
  let n = 0;
  for (const conv of DEMO_CONVERSATIONS) {
    let conversationId: string | undefined;
    const agent = agents[n % agents.length] as User;
    const agentActor = { tenantId: tenant.id, userId: agent.id, role: 'agent' as const };
    for (const [i, [who, text]] of conv.turns.entries()) {
      if (who === 'c') {
        const got = await receiveInbound(deps, actor, {
          channelType: conv.channel,
          channelId: channels.get(conv.channel),
          identity: conv.customer.identity as IdentityRef,
          displayName: conv.customer.name,
          text,
          idempotencyKey: `demo-${n}-${i}`,
        });
        conversationId = got.conversation.id;
      } else if (conversationId) {
        await postReply(deps, agentActor, conversationId, { text });
      }
    }
    if (conversationId) {
      await updateConversation(deps, actor, conversationId, {
        status: conv.status,
        queueId: queues[conv.customer.tier >= 4 ? 2 : /[a-z]/i.test(conv.customer.name) ? 3 : 0],
        ...(conv.turns.some(([w]) => w === 'a') && { assigneeId: agent.id }),
      });
    }
    n++;
  }
  // The demo's replies are history, already delivered; nothing for the dispatcher to send to fake accounts.
  await deps.db.deleteFrom('deliveries').where('tenant_id', '=', tenant.id).execute();
  await deps.db
    .updateTable('messages')
    .set({ delivery_status: 'delivered' })
    .where('tenant_id', '=', tenant.id)
    .where('direction', '=', 'out')
    .execute();
  return { tenantId: tenant.id };
}

export function registerSeed(program: Command): void {
  program
    .command('seed')
    .description('Fill the database with example data')
    .requiredOption(
      '--demo',
      `a demo tenant ("${DEMO_SLUG}") with staff, queues, skills, channels, customers and conversations`,
    )
    .option('-p, --password <password>', 'password for every demo user (random and printed when omitted)')
    .action(async (opts: { password?: string }) => {
      const password = opts.password ?? randomBytes(9).toString('base64url');
      await withStore((deps) => seedDemo(deps, password));
      process.stdout.write(
        `Demo tenant "${DEMO_SLUG}" created. Sign in as ${DEMO_OWNER} (owner), admin@demo.switchboard.test,\n` +
          `lead.sh@…, wang.fang@… and the others (see switchboard user list -t ${DEMO_SLUG}), all with password: ${password}\n`,
      );
    });
}
