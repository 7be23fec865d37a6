import { renderTemplate, type Template } from '@pushsync/templates';
import type { RenderedMessage } from '../messages/push-message';
import type { DirectContent, PushCommon } from '../push-request';

type MessageOptions = Pick<PushCommon, 'notifyType' | 'classification' | 'extParams' | 'liveActivity' | 'sms'>;

/** A simple push's message: its own fields. */
export function directMessage(content: DirectContent, options: MessageOptions): RenderedMessage {
  return { ...content, ...optionsOf(options), templateName: '' };
}

/**
 * A template push's message (mps.md §5): title, body and URL rendered with the values (3023 when
 * one is missing); display type, style, action and images come from the template; per-target
 * extension parameters (multiple push) add to the request's.
 */
export function templateMessage(template: Template, values: Record<string, string>, options: MessageOptions, targetExtParams: Record<string, string> = {}): RenderedMessage {
  const rendered = renderTemplate(template, values);
  return {
    title: rendered.title,
    content: rendered.content,
    uri: rendered.uri,
    action: template.action,
    style: template.style,
    silent: template.displayType === 'SILENT',
    imageUrls: template.imageUrl ? { defaultUrl: template.imageUrl } : {},
    iconUrls: template.iconUrl ? { defaultUrl: template.iconUrl } : {},
    ...optionsOf({ ...options, extParams: { ...options.extParams, ...targetExtParams } }),
    templateName: template.name,
  };
}

function optionsOf(options: MessageOptions): Pick<RenderedMessage, 'notifyType' | 'classification' | 'extParams' | 'liveActivity' | 'sms'> {
  return { notifyType: options.notifyType, classification: options.classification, extParams: options.extParams, liveActivity: options.liveActivity, sms: options.sms };
}
