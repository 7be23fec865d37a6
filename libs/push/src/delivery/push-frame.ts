import { createFrame, encodeFrame } from '@pushsync/protocol';
import type { PushMessage } from '../messages/push-message';

/**
 * The self-built channel's frame for a message (DECISIONS D6): the fields of the message and,
 * in the extension parameters, the system keys of mps.md §3.9 the server sets.
 */
export function pushFrameOf(message: PushMessage, channel: string): Uint8Array {
  const rendered = message.message;
  const systemKeys: Record<string, string> = {
    notifyType: rendered.notifyType ?? 'notify',
    action: String(rendered.action),
    silent: rendered.silent ? '1' : '0',
    pushType: message.type,
    templateCode: rendered.templateName,
    channel,
    taskId: message.taskId,
  };
  return encodeFrame(
    createFrame('pushMessage', {
      msgId: message._id,
      taskId: message.taskId,
      title: rendered.title,
      content: rendered.content,
      uri: rendered.uri,
      action: String(rendered.action),
      style: rendered.style,
      silent: rendered.silent,
      extParams: { ...rendered.extParams, ...systemKeys },
      imageUrl: rendered.imageUrls.defaultUrl ?? '',
      iconUrl: rendered.iconUrls.defaultUrl ?? '',
      expireAtMs: message.expireAt,
    }),
  );
}

export function revokeFrameOf(messageId: string): Uint8Array {
  return encodeFrame(createFrame('revoke', { msgId: messageId }));
}
