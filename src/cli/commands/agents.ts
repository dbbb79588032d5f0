// `agentlocator agents list | check FILE | status ID STATUS | import FILE`: the agent directory
// from the command line, against the configured store (what every server instance routes with).
import { loadConfig, type Config } from '../../config.js';
import { readDirectoryFile } from '../../routing/directory-file.js';
import { DirectoryError, toSnapshot } from '../../routing/directory-schema.js';
import { describeDirectory } from '../../routing/directory-view.js';
import { DAYS } from '../../routing/hours.js';
import { AGENT_STATUSES, type AgentStatus } from '../../store/directory-store.js';
import { openStore } from '../../store/open-store.js';
import type { Store } from '../../store/store.js';
import { UsageError } from '../target.js';
import { parse } from './common.js';

export const AGENTS_HELP = `agentlocator agents <subcommand>

  list [--json]             every agent: departments, live status, and whether they can take a
                            call right now or why not (AGENTS_FILE, when set, is synced first)
  check FILE                validate a directory file (YAML or JSON): exit 0 valid, 1 invalid
  status ID available|away|offline
                            set an agent's live status (until AGENTS_FILE changes that agent)
  import FILE               replace the store-managed directory with FILE (only without AGENTS_FILE)

Uses DATABASE_URL (PostgreSQL) or SQLite at DATA_DIR/agentlocator.sqlite, like the server.`;

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

async function withStore<T>(config: Config, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function printProblems(file: string, err: unknown): number {
  if (!(err instanceof DirectoryError)) throw err;
  console.log(`${file}: invalid`);
  for (const p of err.problems) console.log(`  ${p}`);
  return 1;
}

async function check(file: string): Promise<number> {
  try {
    const dir = await readDirectoryFile(file);
    const departments = Object.keys(dir.departments).length;
    console.log(
      `${file}: ok (${departments} departments, ${dir.agents.length} agents, timezone ${dir.timezone})`,
    );
    return 0;
  } catch (err) {
    return printProblems(file, err);
  }
}

async function importFile(file: string): Promise<number> {
  const config = loadConfig();
  if (config.agentsFile) {
    console.error(
      `agentlocator: AGENTS_FILE is set (${config.agentsFile}): that file is the directory; edit it instead`,
    );
    return 1;
  }
  let snapshot;
  try {
    snapshot = toSnapshot(await readDirectoryFile(file));
  } catch (err) {
    return printProblems(file, err);
  }
  const changes = await withStore(config, (store) => store.replaceDirectory(snapshot, 'store', new Date()));
  console.log(
    `imported ${file}: ${count(snapshot.departments.length, 'department')}, ${count(snapshot.agents.length, 'agent')} ` +
      `(added ${changes.added.length}, changed ${changes.changed.length}, removed ${changes.removed.length})`,
  );
  return 0;
}

async function setStatus(id: string, status: string): Promise<number> {
  if (!AGENT_STATUSES.includes(status as AgentStatus))
    throw new UsageError(`status must be ${AGENT_STATUSES.join(', ')} (got "${status}")`);
  const config = loadConfig();
  const known = await withStore(config, (store) =>
    store.setAgentStatus(id, status as AgentStatus, new Date()),
  );
  if (!known) {
    console.error(`agentlocator: no agent "${id}" in the directory (agentlocator agents list shows them)`);
    return 1;
  }
  console.log(`${id} is now ${status}`);
  return 0;
}

async function list(json: boolean): Promise<number> {
  const config = loadConfig();
  return withStore(config, async (store) => {
    if (config.agentsFile) {
      try {
        await store.replaceDirectory(
          toSnapshot(await readDirectoryFile(config.agentsFile)),
          'file',
          new Date(),
        );
      } catch (err) {
        if (!(err instanceof DirectoryError)) throw err;
        console.error(
          `warning: AGENTS_FILE ${config.agentsFile} is invalid; servers keep the directory below:`,
        );
        for (const p of err.problems) console.error(`  ${p}`);
      }
    }
    const view = await describeDirectory(store);
    const { localTime } = view;
    const rows = view.agents;
    if (json) {
      console.log(JSON.stringify(view));
      return 0;
    }
    const from =
      view.source === 'file' ? `AGENTS_FILE ${config.agentsFile ?? '(last synced file)'}` : 'the store';
    const clock = `${String(Math.floor(localTime.minute / 60)).padStart(2, '0')}:${String(localTime.minute % 60).padStart(2, '0')}`;
    console.log(
      `Directory from ${from}; ${view.timezone}, now ${DAYS[localTime.weekday]} ${localTime.date} ${clock}`,
    );
    if (rows.length === 0) console.log('No agents: every transfer goes to voicemail.');
    for (const d of view.departments)
      console.log(
        `  department ${d.id}: ${d.strategy}, ${d.ringSeconds} s per ring, hours ${d.hoursText}: ${d.now}`,
      );
    for (const r of rows) {
      const now = r.eligibleNow ? 'can take a call now' : `not now: ${r.whyNot}`;
      console.log(
        `  ${r.id} (${r.name}) in ${r.departments.join(', ')}: ${r.status}, ${r.liveCalls}/${r.maxCalls} calls; ${now}`,
      );
    }
    return 0;
  });
}

export async function agentsCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    help: { type: 'boolean', short: 'h', default: false },
    json: { type: 'boolean', default: false },
  });
  const [sub, ...rest] = positionals;
  if (values.help) {
    console.log(AGENTS_HELP);
    return 0;
  }
  if (sub === undefined) throw new UsageError('agents needs a subcommand: list, check, status or import');
  const arity = (n: number, usage: string) => {
    if (rest.length !== n) throw new UsageError(`usage: agentlocator agents ${usage}`);
  };
  switch (sub) {
    case 'list':
      arity(0, 'list [--json]');
      return list(values.json);
    case 'check':
      arity(1, 'check FILE');
      return check(rest[0]!);
    case 'status':
      arity(2, 'status ID available|away|offline');
      return setStatus(rest[0]!, rest[1]!);
    case 'import':
      arity(1, 'import FILE');
      return importFile(rest[0]!);
    default:
      throw new UsageError(`unknown agents subcommand "${sub}" (list, check, status, import)`);
  }
}
