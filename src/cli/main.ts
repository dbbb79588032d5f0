#!/usr/bin/env node
// The `agentlocator` command: serve | doctor <url> | call <url> | twiml <url> | migrate | agents | api-key.
// Exit status: 0 healthy, 1 unhealthy (a check failed, a Twilio error), 2 usage, 78 configuration.
import { ConfigError } from '../config.js';
import { agentsCommand, AGENTS_HELP } from './commands/agents.js';
import { apiKeyCommand, API_KEY_HELP } from './commands/api-key.js';
import { callCommand, CALL_HELP } from './commands/call.js';
import { doctorCommand, DOCTOR_HELP } from './commands/doctor.js';
import { migrateCommand, MIGRATE_HELP } from './commands/migrate.js';
import { runServe } from './commands/serve.js';
import { twimlCommand, TWIML_HELP } from './commands/twiml.js';
import { UsageError } from './target.js';

const USAGE = `agentlocator <command> [options]

Commands:
  serve               run the server (the same as npm start; configured from the environment)
  doctor <url>        check a deployment for every cause of a silent call
  call <url>          place one emulated Twilio call and print its timeline
  twiml <url>         print the TwiML a signed incoming call gets
  migrate             create or update the database schema
  agents …            the agent directory: list (who can take a call now), check FILE, status ID …
  api-key             create, list or revoke API keys (Authorization: Bearer …)

<url> is the public base URL (https://ai-crm.example.com), or a local one (http://127.0.0.1:5000).
Run agentlocator <command> --help for a command's options.`;

const HELP: Record<string, string> = {
  doctor: DOCTOR_HELP,
  call: CALL_HELP,
  twiml: TWIML_HELP,
  migrate: MIGRATE_HELP,
  agents: AGENTS_HELP,
  'api-key': API_KEY_HELP,
  serve: 'agentlocator serve\n\nRuns the server; see the README for its environment variables.',
};

async function main(argv: string[]): Promise<number | undefined> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      if (rest.includes('--help') || rest.includes('-h')) {
        console.log(HELP.serve);
        return 0;
      }
      if (rest.length > 0) throw new UsageError(`serve takes no arguments (got ${rest.join(' ')})`);
      await runServe();
      return undefined; // runs until a signal
    case 'doctor':
      return doctorCommand(rest);
    case 'call':
      return callCommand(rest);
    case 'twiml':
      return twimlCommand(rest);
    case 'migrate':
      return migrateCommand(rest);
    case 'agents':
      return agentsCommand(rest);
    case 'api-key':
      return apiKeyCommand(rest);
    case 'help':
      console.log((rest[0] && HELP[rest[0]]) ?? USAGE);
      return 0;
    case undefined:
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`agentlocator: ${err.message}\n(agentlocator --help lists the commands and options)`);
      process.exitCode = 2;
    } else if (err instanceof ConfigError) {
      console.error(`agentlocator: ${err.message}`);
      process.exitCode = 78;
    } else {
      console.error('agentlocator failed:', err instanceof Error ? err.message : err);
      process.exitCode = 1;
    }
  },
);
