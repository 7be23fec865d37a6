import type { Collection, Store } from '@pushsync/platform';
import { TEMPLATE_DISPLAY_DEFAULTS, type StoredTemplate, type Template, type TemplateDisplay } from './template';

/** Templates on the Store port. Every filter names the tenant app (DECISIONS D1): no query crosses apps. */
export class TemplateRepository {
  private constructor(private readonly templates: Collection<StoredTemplate>) {}

  public static async open(store: Store): Promise<TemplateRepository> {
    return new TemplateRepository(
      await store.collection<StoredTemplate>({
        name: 'templates',
        indexes: [
          // find/update/delete by name; the unique key that makes a name unique per app (3036).
          { name: 'app_name', fields: { workspaceId: 1, appId: 1, name: 1 }, unique: true },
          // list: newest first (mps.md §5), and the per-app count of the 1000 limit.
          { name: 'app_created', fields: { workspaceId: 1, appId: 1, createdAt: -1 } },
        ],
      }),
    );
  }

  /** Throws DuplicateKeyError when the app already has a template of that name. */
  public insert(template: Template): Promise<void> {
    return this.templates.insertOne(template);
  }

  public async find(workspaceId: string, appId: string, name: string): Promise<Template | null> {
    const stored = await this.templates.findOne({ workspaceId, appId, name });
    return stored && withDisplayDefaults(stored);
  }

  public count(workspaceId: string, appId: string): Promise<number> {
    return this.templates.count({ workspaceId, appId });
  }

  /** One page, newest first (ties broken by id so pages never overlap). */
  public async page(workspaceId: string, appId: string, skip: number, limit: number): Promise<Template[]> {
    const stored = await this.templates.find({ workspaceId, appId }, { sort: { createdAt: -1, _id: -1 }, skip, limit });
    return stored.map(withDisplayDefaults);
  }

  /** Replaces the editable fields; null when the app has no template of that name. */
  public async update(
    workspaceId: string,
    appId: string,
    name: string,
    changes: Pick<Template, 'title' | 'content' | 'uri' | 'description' | 'updatedAt' | keyof TemplateDisplay>,
  ): Promise<Template | null> {
    const updated = await this.templates.findOneAndUpdate({ workspaceId, appId, name }, { $set: { ...changes } });
    return updated && withDisplayDefaults(updated);
  }

  /** Returns how many were deleted (0 or 1). */
  public delete(workspaceId: string, appId: string, name: string): Promise<number> {
    return this.templates.deleteOne({ workspaceId, appId, name });
  }

  public deleteById(workspaceId: string, appId: string, id: string): Promise<number> {
    return this.templates.deleteOne({ _id: id, workspaceId, appId });
  }
}

/** A template stored before the display fields existed reads with their defaults (never written back). */
function withDisplayDefaults(stored: StoredTemplate): Template {
  return { ...TEMPLATE_DISPLAY_DEFAULTS, ...stored };
}
