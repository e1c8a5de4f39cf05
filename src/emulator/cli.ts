#!/usr/bin/env node
// `bitrix24-emulator`: runs the emulated portal until Ctrl+C, for the demo and for trying flows without a portal.
//   node dist/emulator/cli.js --port 8095 --host 127.0.0.1 --secret <s> --user-id 1 --burst 50 --drain 2 [--no-limit]
//     [--client-id <id> --client-secret <secret> [--redirect-uri <url>]]

import { parseArgs } from 'node:util';
import { Bitrix24Emulator } from './emulator';
import { EmulatorOptions } from './emulator-options';

const USAGE = `Usage: bitrix24-emulator [options]
  --host <host>       interface to listen on (default 127.0.0.1)
  --port <port>       port (default 8095; 0 picks a free one)
  --secret <secret>   webhook secret (default: random)
  --user-id <id>      webhook user id (default 1)
  --burst <n>         rate limit burst (default 50)
  --drain <n>         rate limit drain per second (default 2)
  --no-limit          no rate limit
  --scopes <list>     comma-separated scopes (default bizproc)
  --client-id <id>    OAuth application client id (with --client-secret: switches OAuth on)
  --client-secret <s> OAuth application client secret
  --redirect-uri <url> the application's registered handler: the authorisation page redirects only to its
                      host (without it: only to this machine), and activities and robots must have their
                      HANDLER on that host
  --application-token <token>  the installed application's token (default: random)
  --help              this text
`;

/** Turns command-line arguments into emulator options; throws with a readable message on bad input. */
export function optionsFromArgs(args: string[]): EmulatorOptions | 'help' {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      secret: { type: 'string' },
      'user-id': { type: 'string' },
      burst: { type: 'string' },
      drain: { type: 'string' },
      'no-limit': { type: 'boolean' },
      scopes: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      'redirect-uri': { type: 'string' },
      'application-token': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return 'help';
  const burst = numberArg(values.burst, '--burst') ?? 50;
  const drainPerSecond = numberArg(values.drain, '--drain') ?? 2;
  const clientId = values['client-id'];
  const clientSecret = values['client-secret'];
  // One without the other is a typo, not a choice: an application needs both.
  if ((clientId === undefined) !== (clientSecret === undefined)) throw new Error('--client-id and --client-secret go together');
  const redirectUri = values['redirect-uri'];
  if (redirectUri !== undefined && clientId === undefined) throw new Error('--redirect-uri needs --client-id and --client-secret');
  return {
    host: values.host ?? '127.0.0.1',
    port: numberArg(values.port, '--port') ?? 8095,
    webhookSecret: values.secret,
    userId: numberArg(values['user-id'], '--user-id'),
    rateLimit: values['no-limit'] ? false : { burst, drainPerSecond },
    scopes: values.scopes === undefined ? undefined : values.scopes.split(',').map((scope) => scope.trim()).filter(Boolean),
    oauth: clientId === undefined || clientSecret === undefined ? undefined : { clientId, clientSecret, ...(redirectUri === undefined ? {} : { redirectUri }) },
    applicationToken: values['application-token'],
  };
}

function numberArg(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed)) throw new Error(`${name} needs a number, got "${value}"`);
  return parsed;
}

async function main(): Promise<void> {
  let options: EmulatorOptions | 'help';
  try {
    options = optionsFromArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const emulator = new Bitrix24Emulator(options);
  await emulator.start();
  // The webhook URL holds the secret; printing it on the user's own console is the point of this command.
  process.stdout.write(
    `Bitrix24 emulator running\n` +
      `  Webhook URL: ${emulator.webhookUrl()}\n` +
      `  Log page:    ${emulator.url}/\n` +
      `  New token:   POST ${emulator.url}/emulator/api/workflows\n` +
      // The client secret is not printed: the user typed it, and consoles end up in CI logs and screenshots.
      (options.oauth === undefined
        ? ''
        : `  OAuth app:   ${options.oauth.clientId}\n` +
          `  Authorize:   ${emulator.url}/oauth/authorize/?client_id=${encodeURIComponent(options.oauth.clientId)}` +
          `&redirect_uri=<handler-url>\n` +
          `  Token URL:   ${emulator.url}/oauth/token/\n` +
          `  REST:        ${emulator.url}/rest/<method>?auth=<access token>\n`) +
      `  App token:   ${emulator.applicationToken} (for the portal node's Application token)\n` +
      `  Activity:    POST ${emulator.url}/emulator/api/activities {"handlerUrl": "..."}\n` +
      `Press Ctrl+C to stop.\n`,
  );
  const stop = (): void => {
    emulator.stop().then(
      () => process.stdout.write('Bitrix24 emulator stopped\n'),
      (error: Error) => {
        process.stderr.write(`${error.message}\n`);
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error: Error) => {
    process.stderr.write(`bitrix24-emulator: ${error.message}\n`);
    process.exitCode = 1;
  });
}
