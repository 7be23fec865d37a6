import { SqliteStore } from '@pushsync/platform';
import { placeholdersOf, renderTemplate } from './render';
import { MAX_TEMPLATES_PER_APP, type StoredTemplate, type Template } from './template';
import { TemplateRepository } from './template.repository';
import { Templates } from './templates';

const APP = { workspaceId: 'ws1', appId: 'app1' };
const OTHER_APP = { workspaceId: 'ws1', appId: 'app2' };
const DISPLAY = { displayType: 'SILENT', style: 2, action: 1, iconUrl: 'https://cdn.example.com/icon.png', imageUrl: 'https://cdn.example.com/banner.jpg' } as const;
const DISPLAY_DEFAULTS = { displayType: 'NOTIFICATION', style: 0, action: 0, iconUrl: null, imageUrl: null } as const;
const VALID = { name: 'welcome_1', title: 'Hi #name#', content: 'You won RMB #money#', uri: 'https://example.com/#/prize?u=#name#', description: 'welcome' };

describe('Templates', () => {
  let store: SqliteStore;
  let repository: TemplateRepository;
  let templates: Templates;
  let now: number;

  beforeEach(async () => {
    store = new SqliteStore(':memory:');
    now = 1_700_000_000_000;
    repository = await TemplateRepository.open(store);
    templates = new Templates(repository, { now: () => now });
  });

  afterEach(() => store.close());

  it('creates, gets, updates and deletes a template of one app', async () => {
    const created = await templates.create(APP, VALID);
    expect(created).toMatchObject({ ...APP, ...VALID, createdAt: now, updatedAt: now });
    expect(await templates.get(APP, 'welcome_1')).toEqual(created);

    now += 1000;
    const updated = await templates.update(APP, 'welcome_1', { title: 'Hello', content: 'Body' });
    expect(updated).toMatchObject({ name: 'welcome_1', title: 'Hello', content: 'Body', uri: '', description: null, createdAt: created.createdAt, updatedAt: now });
    expect(await templates.get(APP, 'welcome_1')).toEqual(updated);

    await templates.delete(APP, 'welcome_1');
    await expect(templates.get(APP, 'welcome_1')).rejects.toMatchObject({ code: 'TEMPLATE_NOT_EXIST', numericCode: 3022, kind: 'not-found' });
  });

  it('stores every console field of mps.md §5, and an update replaces them all', async () => {
    const created = await templates.create(APP, { ...VALID, ...DISPLAY });
    expect(created).toMatchObject({ ...VALID, ...DISPLAY });
    expect(await templates.get(APP, 'welcome_1')).toEqual(created);
    expect((await templates.list(APP)).templates).toEqual([created]);

    const changed = await templates.update(APP, 'welcome_1', { title: 't', content: 'c', displayType: 'NOTIFICATION', style: 1, action: 0, iconUrl: 'http://cdn.example.com/i.PNG', imageUrl: '' });
    expect(changed).toMatchObject({ displayType: 'NOTIFICATION', style: 1, action: 0, iconUrl: 'http://cdn.example.com/i.PNG', imageUrl: null });
    const cleared = await templates.update(APP, 'welcome_1', { title: 't', content: 'c' });
    expect(cleared).toMatchObject(DISPLAY_DEFAULTS);
    expect(await templates.get(APP, 'welcome_1')).toEqual(cleared);
  });

  it('fills in the display defaults when a create omits them: shown on the notification bar, default style, open a web URL', async () => {
    expect(await templates.create(APP, VALID)).toMatchObject(DISPLAY_DEFAULTS);
    expect(await templates.create(APP, { ...VALID, name: 'empty_strings', displayType: '', iconUrl: '', imageUrl: null })).toMatchObject(DISPLAY_DEFAULTS);
  });

  it('reads a template stored before the display fields existed with their defaults', async () => {
    const old: StoredTemplate = { _id: 'old1', ...APP, name: 'old', title: 't', content: 'c', uri: '', description: null, createdAt: now, updatedAt: now };
    await (await store.collection<StoredTemplate>({ name: 'templates' })).insertOne(old);
    expect(await templates.get(APP, 'old')).toEqual({ ...old, ...DISPLAY_DEFAULTS });
    expect((await templates.list(APP)).templates).toEqual([{ ...old, ...DISPLAY_DEFAULTS }]);
  });

  it.each([
    ['a lower-case displayType', 'displayType', { displayType: 'silent' }],
    ['an unknown displayType', 'displayType', { displayType: 'POPUP' }],
    ['style 3', 'style', { style: 3 }],
    ['style -1', 'style', { style: -1 }],
    ['style 1.5', 'style', { style: 1.5 }],
    ['action 2', 'action', { action: 2 }],
    ['an ftp iconUrl', 'iconUrl', { iconUrl: 'ftp://cdn.example.com/i.png' }],
    ['an iconUrl without scheme', 'iconUrl', { iconUrl: 'cdn.example.com/i.png' }],
    ['a GIF iconUrl', 'iconUrl', { iconUrl: 'https://cdn.example.com/i.gif' }],
    ['an iconUrl path ending with /', 'iconUrl', { iconUrl: 'https://cdn.example.com/i.png/' }],
    ['an imageUrl with a space', 'imageUrl', { imageUrl: 'https://cdn.example.com/a b.jpg' }],
    ['an imageUrl of an HTML page', 'imageUrl', { imageUrl: 'https://cdn.example.com/image.jpg.html' }],
    ['an imageUrl of 2049 characters', 'imageUrl', { imageUrl: `https://cdn.example.com/${'i'.repeat(2049 - 'https://cdn.example.com/.jpg'.length)}.jpg` }],
  ])('refuses %s with 3028 naming the field', async (_case, field, invalid) => {
    await expect(templates.create(APP, { ...VALID, ...invalid })).rejects.toMatchObject({ code: 'INVALID_PARAM', numericCode: 3028, kind: 'validation', message: expect.stringContaining(field) });
    await templates.create(APP, VALID);
    await expect(templates.update(APP, VALID.name, { ...VALID, ...invalid })).rejects.toMatchObject({ numericCode: 3028, message: expect.stringContaining(field) });
  });

  it('accepts image URLs loosely: http or https, any case, a query or fragment after the extension, 2048 characters', async () => {
    const longest = `https://cdn.example.com/${'i'.repeat(2048 - 'https://cdn.example.com/.jpg'.length)}.jpg`;
    const created = await templates.create(APP, { ...VALID, iconUrl: 'HTTP://CDN.example.com/Icon.JPEG?v=2#x', imageUrl: longest });
    expect([created.iconUrl, created.imageUrl]).toEqual(['HTTP://CDN.example.com/Icon.JPEG?v=2#x', longest]);
  });

  it('never crosses apps: same name in two apps, and another app sees nothing', async () => {
    await templates.create(APP, VALID);
    await templates.create(OTHER_APP, { ...VALID, title: 'other' });
    expect((await templates.get(OTHER_APP, 'welcome_1')).title).toBe('other');
    await templates.delete(OTHER_APP, 'welcome_1');
    expect((await templates.get(APP, 'welcome_1')).title).toBe(VALID.title);
    await expect(templates.update(OTHER_APP, 'welcome_1', { title: 't', content: 'c' })).rejects.toMatchObject({ numericCode: 3022 });
    await expect(templates.delete(OTHER_APP, 'welcome_1')).rejects.toMatchObject({ numericCode: 3022 });
  });

  it.each([
    ['no name', { ...VALID, name: undefined }, 'TEMPLATE_NAME_NULL', 3037],
    ['an empty name', { ...VALID, name: '' }, 'TEMPLATE_NAME_NULL', 3037],
    ['a name with a dash', { ...VALID, name: 'a-b' }, 'TEMPLATE_NAME_INVALID', 3038],
    ['a name of 201 characters', { ...VALID, name: 'n'.repeat(201) }, 'TEMPLATE_NAME_INVALID', 3038],
    ['no title', { ...VALID, title: undefined }, 'TEMPLATE_TITLE_INVALID', 3040],
    ['a blank title', { ...VALID, title: '  ' }, 'TEMPLATE_TITLE_INVALID', 3040],
    ['a title of 201 characters', { ...VALID, title: '题'.repeat(201) }, 'TEMPLATE_TITLE_INVALID', 3040],
    ['an empty content', { ...VALID, content: '' }, 'TEMPLATE_CONTENT_INVALID', 3039],
    ['a content of 4001 characters', { ...VALID, content: 'c'.repeat(4001) }, 'SINGLE_PUSH_CONTENT_TOO_LONG', 3043],
    ['a uri with a space', { ...VALID, uri: 'https://x/a b' }, 'TEMPLATE_URI_INVALID', 3042],
    ['a uri of 2049 characters', { ...VALID, uri: 'u'.repeat(2049) }, 'TEMPLATE_URI_INVALID', 3042],
    ['a description of 201 characters', { ...VALID, description: 'd'.repeat(201) }, 'TEMPLATE_DESC_INFO_INVALID', 3041],
    ['a blank description', { ...VALID, description: ' ' }, 'TEMPLATE_DESC_INFO_INVALID', 3041],
  ])('refuses %s', async (_case, request, code, numericCode) => {
    await expect(templates.create(APP, request)).rejects.toMatchObject({ code, numericCode, kind: 'validation' });
  });

  it('accepts the limits exactly: name 200, title 200 code points, content 4000, description 200', async () => {
    const created = await templates.create(APP, { name: 'n'.repeat(200), title: '😀'.repeat(200), content: 'c'.repeat(4000), description: 'd'.repeat(200) });
    expect(created.uri).toBe('');
  });

  it('refuses a second template of the same name with 3036', async () => {
    await templates.create(APP, VALID);
    await expect(templates.create(APP, VALID)).rejects.toMatchObject({ code: 'TEMPLATE_ALREADY_EXIST', numericCode: 3036 });
  });

  it('keeps at most 1000 templates per app, even under concurrent creates (3056)', async () => {
    await Promise.all(Array.from({ length: MAX_TEMPLATES_PER_APP - 5 }, (_, i) => repository.insert(template(`t${i}`, i))));
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => templates.create(APP, { ...VALID, name: `race${i}` })));
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeLessThanOrEqual(5);
    expect(await repository.count(APP.workspaceId, APP.appId)).toBeLessThanOrEqual(MAX_TEMPLATES_PER_APP);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'TEMPLATE_NUM_TOO_MUCH', numericCode: 3056 });
    while ((await repository.count(APP.workspaceId, APP.appId)) < MAX_TEMPLATES_PER_APP) await templates.create(APP, { ...VALID, name: `fill${now++}` });
    await expect(templates.create(APP, { ...VALID, name: 'one_more' })).rejects.toMatchObject({ numericCode: 3056 });
    expect((await templates.create(OTHER_APP, VALID)).name).toBe('welcome_1');
  });

  it('lists newest first, paged, with the total', async () => {
    for (let i = 0; i < 5; i++) {
      await templates.create(APP, { ...VALID, name: `t${i}` });
      now += 10;
    }
    const first = await templates.list(APP, 1, 2);
    expect(first).toMatchObject({ total: 5, page: 1, pageSize: 2 });
    expect(first.templates.map((t) => t.name)).toEqual(['t4', 't3']);
    expect((await templates.list(APP, 3, 2)).templates.map((t) => t.name)).toEqual(['t0']);
    expect((await templates.list(APP)).templates).toHaveLength(5);
    await expect(templates.list(APP, 0, 2)).rejects.toMatchObject({ code: 'INVALID_PARAM', numericCode: 3028 });
    await expect(templates.list(APP, 1, 501)).rejects.toMatchObject({ code: 'INVALID_PARAM', numericCode: 3028 });
  });

  it('checks the rules on update too, and answers 3022 for an unknown name', async () => {
    await templates.create(APP, VALID);
    await expect(templates.update(APP, 'welcome_1', { title: '', content: 'c' })).rejects.toMatchObject({ numericCode: 3040 });
    await expect(templates.update(APP, 'nope', { title: 't', content: 'c' })).rejects.toMatchObject({ numericCode: 3022 });
    await expect(templates.update(APP, 'bad-name', { title: 't', content: 'c' })).rejects.toMatchObject({ numericCode: 3038 });
  });

  function template(name: string, i: number): Template {
    return { _id: `seed${i}`, ...APP, name, title: 't', content: 'c', uri: '', description: null, ...DISPLAY_DEFAULTS, createdAt: now - 1_000_000 + i, updatedAt: now };
  }
});

describe('renderTemplate', () => {
  const template = { title: 'Hi #name#', content: 'Congratulations to #name# for winning RMB #money#', uri: 'https://example.com/#/prize?u=#name#&c=#城市#' };

  it('lists the placeholders of title, content and uri once each, in order', () => {
    expect(placeholdersOf(template)).toEqual(['name', 'money', '城市']);
  });

  it('replaces every placeholder in title, content and uri', () => {
    expect(renderTemplate(template, { name: 'Bob', money: '200', 城市: 'Hangzhou', unused: 'x' })).toEqual({
      title: 'Hi Bob',
      content: 'Congratulations to Bob for winning RMB 200',
      uri: 'https://example.com/#/prize?u=Bob&c=Hangzhou',
    });
  });

  it('inserts values literally, without expanding placeholders inside them', () => {
    expect(renderTemplate({ title: '#a#', content: '#b#', uri: '' }, { a: '#b#', b: '$& $1' })).toEqual({ title: '#b#', content: '$& $1', uri: '' });
  });

  it('names every placeholder without a value (3023)', () => {
    expect(() => renderTemplate(template, { name: 'Bob' })).toThrow(expect.objectContaining({ code: 'TEMPLATEKV_NOT_ENOUGH', numericCode: 3023, message: expect.stringContaining('#money#, #城市#') }));
    expect(() => renderTemplate(template, { toString: 'x' } as Record<string, string>)).toThrow(expect.objectContaining({ numericCode: 3023 }));
  });

  it('leaves a # that does not form a placeholder as literal text', () => {
    const literal = { title: '# 1 ## #a b# 50#', content: 'page#top and #a#b#', uri: 'https://h/#/home' };
    expect(placeholdersOf(literal)).toEqual(['a']);
    expect(renderTemplate(literal, { a: 'A' })).toEqual({ title: '# 1 ## #a b# 50#', content: 'page#top and Ab#', uri: 'https://h/#/home' });
  });

  it('renders a template without placeholders as itself', () => {
    expect(renderTemplate({ title: 't', content: 'c', uri: 'u' }, {})).toEqual({ title: 't', content: 'c', uri: 'u' });
  });
});
