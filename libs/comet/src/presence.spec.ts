import { InProcessKeyValue } from '@pushsync/platform';
import { Presence, type PresenceEntry } from './presence';

const APP = 'ws-1_app-1';

function entry(overrides: Partial<PresenceEntry>): PresenceEntry {
  return { node: 'node-a', connectionId: 'c1', platform: 'ANDROID', appVersion: '1.0', userId: null, since: 1000, ...overrides };
}

describe('Presence platform index', () => {
  let keyValue: InProcessKeyValue;
  let presence: Presence;

  beforeEach(async () => {
    keyValue = new InProcessKeyValue();
    presence = await Presence.open(keyValue, 60_000, 'presence-spec');
  });

  afterEach(() => keyValue.close());

  it('lists the connected devices of one platform with their node, whatever characters the node id holds', async () => {
    await presence.put(APP, 'tok-1', entry({ node: 'host.example.com-1', connectionId: 'c1' }));
    await presence.put(APP, 'tok-2', entry({ node: 'node-b', connectionId: 'c2' }));
    await presence.put(APP, 'tok-3', entry({ node: 'node-b', connectionId: 'c3', platform: 'WEB' }));
    await presence.put('ws-1_other', 'tok-4', entry({ connectionId: 'c4' }));

    const android = await presence.connectedOf(APP, 'ANDROID');
    expect(android.sort((a, b) => a.token.localeCompare(b.token))).toEqual([
      { token: 'tok-1', node: 'host.example.com-1' },
      { token: 'tok-2', node: 'node-b' },
    ]);
    expect(await presence.connectedOf(APP, 'WEB')).toEqual([{ token: 'tok-3', node: 'node-b' }]);
  });

  it('names the current node of a device that moved while its old index entry lives on', async () => {
    await presence.put(APP, 'tok-1', entry({ node: 'node-a', connectionId: 'c1' }));
    await presence.put(APP, 'tok-1', entry({ node: 'node-b', connectionId: 'c2' }));
    await presence.remove(APP, 'tok-1', null, 'c1');

    expect(await presence.connectedOf(APP, 'ANDROID')).toEqual([{ token: 'tok-1', node: 'node-b' }]);
  });

  it('removes the index entry with the device entry, only while they name the closing connection', async () => {
    await presence.put(APP, 'tok-1', entry({ connectionId: 'c1' }));
    await presence.remove(APP, 'tok-1', null, 'other-connection');
    expect(await presence.connectedOf(APP, 'ANDROID')).toHaveLength(1);

    await presence.remove(APP, 'tok-1', null, 'c1');
    expect(await presence.connectedOf(APP, 'ANDROID')).toEqual([]);
  });

  it('maps each bound connected device to its user, user ids of any character included', async () => {
    await presence.put(APP, 'tok-1', entry({ connectionId: 'c1', userId: 'alice@example.com' }));
    await presence.put(APP, 'tok-2', entry({ connectionId: 'c2', userId: '用户 2' }));
    await presence.put(APP, 'tok-3', entry({ connectionId: 'c3' }));

    expect(await presence.boundUsersOf(APP)).toEqual(
      new Map([
        ['tok-1', 'alice@example.com'],
        ['tok-2', '用户 2'],
      ]),
    );
  });
});
