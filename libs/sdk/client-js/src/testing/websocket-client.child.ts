import { createInterface } from 'node:readline';
import { PushSyncClient } from '../index';

/**
 * TEST FIXTURE run in a child process by websocket.spec.ts, with Node's own WHATWG WebSocket (the
 * global one, --experimental-websocket on Node 20): the SDK exactly as a browser would use it.
 * Prints one JSON line per event; reads commands (bind, background) from stdin.
 */
function print(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function main(): Promise<void> {
  const client = new PushSyncClient();
  await client.initialize({
    endpoint: process.env['PUSHSYNC_ENDPOINT']!,
    appId: 'app',
    workspaceId: 'default',
    clientKey: 'client-key',
    platform: 'WEB',
    reconnect: { baseMs: 20, maxMs: 100 },
  });
  client.on('connected', (event) => print({ type: 'connected', deviceToken: event.deviceToken }));
  client.on('disconnected', (event) => print({ type: 'disconnected', reason: event.reason }));
  client.on('error', (error) => print({ type: 'error', code: error.code, message: error.message }));
  client.registerBiz('WS', (message) => {
    print({ type: 'sync', ids: message.ops.map((op) => op.id), pl: message.ops.map((op) => op.pl) });
    client.reportMsgReceived(message);
  });
  client.onPushMessage((message) => print({ type: 'push', msgId: message.msgId, title: message.title }));
  client.appToForeground();
  for await (const command of createInterface({ input: process.stdin })) {
    if (command === 'bind') print({ type: 'rpc', result: await client.updateUserInfo('web-user', 'web-session') });
    if (command === 'background') {
      await client.appToBackground();
      print({ type: 'background' });
      process.exit(0);
    }
  }
}

main().catch((error: unknown) => {
  print({ type: 'fatal', message: String(error) });
  process.exit(1);
});
