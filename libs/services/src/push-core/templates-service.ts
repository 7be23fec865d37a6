import type {
  CreateTemplateRequest,
  DeleteTemplateReply,
  DeleteTemplateRequest,
  GetTemplateRequest,
  ListTemplatesReply,
  ListTemplatesRequest,
  Template as TemplateMessage,
  TemplateReply,
  UpdateTemplateRequest,
} from '@pushsync/contracts';
import { DEFAULT_TEMPLATE_PAGE_SIZE, type Template, type TemplateFields, type Templates } from '@pushsync/templates';

/** The PushCore template RPCs, delegating to the templates domain (whose errors travel whole). */
export function templateRpcs(templates: () => Templates) {
  const app = (request: { appId: string; workspaceId: string }) => ({ appId: request.appId, workspaceId: request.workspaceId });
  return {
    CreateTemplate: async (request: CreateTemplateRequest): Promise<TemplateReply> => ({
      template: toMessage(await templates().create(app(request), { name: request.name, ...fieldsOf(request) })),
    }),
    ListTemplates: async (request: ListTemplatesRequest): Promise<ListTemplatesReply> => {
      const page = await templates().list(app(request), request.page || 1, request.pageSize || DEFAULT_TEMPLATE_PAGE_SIZE);
      return { templates: page.templates.map(toMessage), total: page.total, page: page.page, pageSize: page.pageSize };
    },
    GetTemplate: async (request: GetTemplateRequest): Promise<TemplateReply> => ({ template: toMessage(await templates().get(app(request), request.name)) }),
    UpdateTemplate: async (request: UpdateTemplateRequest): Promise<TemplateReply> => ({
      template: toMessage(await templates().update(app(request), request.name, fieldsOf(request))),
    }),
    DeleteTemplate: async (request: DeleteTemplateRequest): Promise<DeleteTemplateReply> => {
      await templates().delete(app(request), request.name);
      return { name: request.name };
    },
  };
}

/** The wire's '' for "none" is what the domain reads as absent, so the fields pass as they are. */
function fieldsOf(request: CreateTemplateRequest | UpdateTemplateRequest): TemplateFields {
  const { title, content, uri, description, displayType, style, action, iconUrl, imageUrl } = request;
  return { title, content, uri, description, displayType, style, action, iconUrl, imageUrl };
}

function toMessage(template: Template): TemplateMessage {
  return {
    name: template.name,
    title: template.title,
    content: template.content,
    uri: template.uri,
    description: template.description ?? '',
    displayType: template.displayType,
    style: template.style,
    action: template.action,
    iconUrl: template.iconUrl ?? '',
    imageUrl: template.imageUrl ?? '',
    createdAt: template.createdAt,
    updatedAt: template.updatedAt,
  };
}
