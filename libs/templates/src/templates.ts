import { randomBytes } from 'node:crypto';
import { DuplicateKeyError } from '@pushsync/platform';
import {
  DEFAULT_TEMPLATE_PAGE_SIZE,
  MAX_TEMPLATE_CONTENT,
  MAX_TEMPLATE_DESCRIPTION,
  MAX_TEMPLATE_IMAGE_URL,
  MAX_TEMPLATE_PAGE_SIZE,
  MAX_TEMPLATE_TITLE,
  MAX_TEMPLATE_URI,
  MAX_TEMPLATES_PER_APP,
  TEMPLATE_ACTIONS,
  TEMPLATE_DISPLAY_DEFAULTS,
  TEMPLATE_DISPLAY_TYPES,
  TEMPLATE_NAME,
  TEMPLATE_STYLES,
  type Template,
  type TemplateDisplay,
  type TemplateFields,
} from './template';
import type { TemplateRepository } from './template.repository';
import { TemplateNotFoundError, TemplateRuleError } from './templates.errors';

export interface TemplateAppRef {
  workspaceId: string;
  appId: string;
}

export interface CreateTemplate extends Partial<TemplateFields> {
  name?: string;
}

export interface TemplatePage {
  templates: Template[];
  total: number;
  page: number;
  pageSize: number;
}

/** Unicode code points (DECISIONS: "characters" always means code points). */
const lengthOf = (text: string) => [...text].length;
// eslint-disable-next-line no-control-regex
const WHITESPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f]/u;

/** The name rules in their order: empty 3037, then format 3038. */
export function checkTemplateName(name: string | undefined): string {
  if (name === undefined || name === '') throw new TemplateRuleError('TEMPLATE_NAME_NULL', 'name is empty');
  if (!TEMPLATE_NAME.test(name)) throw new TemplateRuleError('TEMPLATE_NAME_INVALID', `name ${JSON.stringify(name)} must be 1 to 200 letters, digits or _`);
  return name;
}

type CheckedTemplateFields = Pick<Template, 'title' | 'content' | 'uri' | 'description' | keyof TemplateDisplay>;

/**
 * The field rules in their order (title, content, uri, description, then the display fields
 * displayType, style, action, iconUrl, imageUrl); returns the fields as stored, defaults filled in.
 */
export function checkTemplateFields(fields: Partial<TemplateFields>): CheckedTemplateFields {
  const title = fields.title ?? '';
  if (title.trim() === '' || lengthOf(title) > MAX_TEMPLATE_TITLE) throw new TemplateRuleError('TEMPLATE_TITLE_INVALID', `title must have 1 to ${MAX_TEMPLATE_TITLE} characters (not blank)`);
  const content = fields.content ?? '';
  if (content.trim() === '') throw new TemplateRuleError('TEMPLATE_CONTENT_INVALID', 'content is empty');
  if (lengthOf(content) > MAX_TEMPLATE_CONTENT) throw new TemplateRuleError('SINGLE_PUSH_CONTENT_TOO_LONG', `content has ${lengthOf(content)} characters, more than ${MAX_TEMPLATE_CONTENT}`);
  const uri = fields.uri ?? '';
  if (lengthOf(uri) > MAX_TEMPLATE_URI || WHITESPACE_OR_CONTROL.test(uri)) throw new TemplateRuleError('TEMPLATE_URI_INVALID', `uri must have at most ${MAX_TEMPLATE_URI} characters and no whitespace or control characters`);
  const description = fields.description === undefined || fields.description === null || fields.description === '' ? null : fields.description;
  if (description !== null && (description.trim() === '' || lengthOf(description) > MAX_TEMPLATE_DESCRIPTION)) {
    throw new TemplateRuleError('TEMPLATE_DESC_INFO_INVALID', `description must have 1 to ${MAX_TEMPLATE_DESCRIPTION} characters (not blank) when given`);
  }
  return { title, content, uri, description, ...checkDisplayFields(fields) };
}

/** The display fields of mps.md §5; a value out of its set is 3028 INVALID_PARAM naming the field. */
function checkDisplayFields(fields: Partial<TemplateFields>): TemplateDisplay {
  const displayType = fields.displayType === undefined || fields.displayType === '' ? TEMPLATE_DISPLAY_DEFAULTS.displayType : fields.displayType;
  const style = fields.style ?? TEMPLATE_DISPLAY_DEFAULTS.style;
  const action = fields.action ?? TEMPLATE_DISPLAY_DEFAULTS.action;
  return {
    displayType: oneOf('displayType', displayType, TEMPLATE_DISPLAY_TYPES),
    style: oneOf('style', style, TEMPLATE_STYLES),
    action: oneOf('action', action, TEMPLATE_ACTIONS),
    iconUrl: checkImageUrl('iconUrl', fields.iconUrl),
    imageUrl: checkImageUrl('imageUrl', fields.imageUrl),
  };
}

function oneOf<T extends string | number>(field: string, value: string | number, allowed: readonly T[]): T {
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) throw new TemplateRuleError('INVALID_PARAM', `${field} must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}, not ${JSON.stringify(value)}`);
  return found;
}

const IMAGE_PATH = /\.(?:jpe?g|png)$/i;

/**
 * mps.md §5 asks for a public JPG, JPEG or PNG URL. Checked loosely: an http(s) URL whose path
 * ends with .jpg, .jpeg or .png (any case), at most 2048 characters, without whitespace or
 * control characters. Whether it is public, and the image itself, are the vendors' concern.
 */
function checkImageUrl(field: 'iconUrl' | 'imageUrl', value: string | null | undefined): string | null {
  if (value === undefined || value === null || value === '') return null;
  const refuse = (why: string) => new TemplateRuleError('INVALID_PARAM', `${field} ${why}`);
  if (lengthOf(value) > MAX_TEMPLATE_IMAGE_URL) throw refuse(`must have at most ${MAX_TEMPLATE_IMAGE_URL} characters`);
  if (WHITESPACE_OR_CONTROL.test(value)) throw refuse('must have no whitespace or control characters');
  const url = URL.parse(value);
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw refuse(`must be an http or https URL, not ${JSON.stringify(value)}`);
  if (!IMAGE_PATH.test(url.pathname)) throw refuse(`must be a JPG, JPEG or PNG image (a path ending with .jpg, .jpeg or .png), not ${JSON.stringify(value)}`);
  return value;
}

/**
 * The template use cases (mps.md §5, DECISIONS D4): create, list newest first, get, update
 * (replaces every field but the name, which is the identifier and never changes)
 * and delete. Every refusal is a TemplateRuleError carrying the mps.md §3.17 code.
 */
export class Templates {
  public constructor(
    private readonly repository: TemplateRepository,
    private readonly clock: { now(): number } = { now: () => Date.now() },
  ) {}

  public async create(app: TemplateAppRef, request: CreateTemplate): Promise<Template> {
    const name = checkTemplateName(request.name);
    const fields = checkTemplateFields(request);
    if ((await this.repository.count(app.workspaceId, app.appId)) >= MAX_TEMPLATES_PER_APP) throw tooMany();
    const now = this.clock.now();
    const template: Template = { _id: newTemplateId(now), appId: app.appId, workspaceId: app.workspaceId, name, ...fields, createdAt: now, updatedAt: now };
    try {
      await this.repository.insert(template);
    } catch (error) {
      if (error instanceof DuplicateKeyError) throw new TemplateRuleError('TEMPLATE_ALREADY_EXIST', `template ${JSON.stringify(name)} already exists`);
      throw error;
    }
    // Concurrent creates may all pass the count above: count again after inserting and withdraw
    // this one when the app went over the limit, so the limit holds under any interleaving.
    if ((await this.repository.count(app.workspaceId, app.appId)) > MAX_TEMPLATES_PER_APP) {
      await this.repository.deleteById(app.workspaceId, app.appId, template._id);
      throw tooMany();
    }
    return template;
  }

  public async list(app: TemplateAppRef, page = 1, pageSize = DEFAULT_TEMPLATE_PAGE_SIZE): Promise<TemplatePage> {
    if (!Number.isInteger(page) || page < 1) throw new TemplateRuleError('INVALID_PARAM', `page must be an integer ≥ 1, not ${page}`);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_TEMPLATE_PAGE_SIZE) throw new TemplateRuleError('INVALID_PARAM', `pageSize must be an integer from 1 to ${MAX_TEMPLATE_PAGE_SIZE}, not ${pageSize}`);
    const [templates, total] = await Promise.all([this.repository.page(app.workspaceId, app.appId, (page - 1) * pageSize, pageSize), this.repository.count(app.workspaceId, app.appId)]);
    return { templates, total, page, pageSize };
  }

  /** Throws TemplateNotFoundError (3022) when the app has no template of that name. */
  public async get(app: TemplateAppRef, name: string): Promise<Template> {
    const template = await this.repository.find(app.workspaceId, app.appId, checkTemplateName(name));
    if (!template) throw new TemplateNotFoundError(name);
    return template;
  }

  public async update(app: TemplateAppRef, name: string, fields: Partial<TemplateFields>): Promise<Template> {
    checkTemplateName(name);
    const checked = checkTemplateFields(fields);
    const updated = await this.repository.update(app.workspaceId, app.appId, name, { ...checked, updatedAt: this.clock.now() });
    if (!updated) throw new TemplateNotFoundError(name);
    return updated;
  }

  /** Pushes render their template at creation (D4), so deleting one changes no accepted push. */
  public async delete(app: TemplateAppRef, name: string): Promise<void> {
    checkTemplateName(name);
    if ((await this.repository.delete(app.workspaceId, app.appId, name)) === 0) throw new TemplateNotFoundError(name);
  }
}

function tooMany(): TemplateRuleError {
  return new TemplateRuleError('TEMPLATE_NUM_TOO_MUCH', `an app has at most ${MAX_TEMPLATES_PER_APP} templates`);
}

/** Time-ordered then random, so that ids break creation-time ties in the list order. */
function newTemplateId(now: number): string {
  return `${now.toString(36).padStart(9, '0')}${randomBytes(8).toString('hex')}`;
}
