import { randomBytes } from 'node:crypto';
import { DuplicateKeyError } from '@pushsync/platform';
import {
  DEFAULT_TEMPLATE_PAGE_SIZE,
  MAX_TEMPLATE_CONTENT,
  MAX_TEMPLATE_DESCRIPTION,
  MAX_TEMPLATE_PAGE_SIZE,
  MAX_TEMPLATE_TITLE,
  MAX_TEMPLATE_URI,
  MAX_TEMPLATES_PER_APP,
  TEMPLATE_NAME,
  type Template,
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

/** The field rules in their order (title, content, uri, description); returns the fields as stored. */
export function checkTemplateFields(fields: Partial<TemplateFields>): Pick<Template, 'title' | 'content' | 'uri' | 'description'> {
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
  return { title, content, uri, description };
}

/**
 * The template use cases (mps.md §5, DECISIONS D4): create, list newest first, get, update
 * (replaces title, content, uri and description; the name is the identifier and never changes)
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
