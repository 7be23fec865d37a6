import type { StoredDocument } from '@pushsync/platform';

/** Display type (mps.md §5): shown on the notification bar, or a silent (data-only) push. */
export type TemplateDisplayType = 'NOTIFICATION' | 'SILENT';
export const TEMPLATE_DISPLAY_TYPES: readonly TemplateDisplayType[] = ['NOTIFICATION', 'SILENT'];
/** Display style (mps.md §5, the push API's `pushStyle`): 0 default, 1 big text, 2 rich text (icon and image). */
export type TemplateStyle = 0 | 1 | 2;
export const TEMPLATE_STYLES: readonly TemplateStyle[] = [0, 1, 2];
/** Action upon click (mps.md §5, the push API's `pushAction`): 0 open a web URL, 1 open an intent activity. */
export type TemplateAction = 0 | 1;
export const TEMPLATE_ACTIONS: readonly TemplateAction[] = [0, 1];

/** The console fields a push copies unchanged from its template (only title, content and uri are rendered). */
export interface TemplateDisplay {
  displayType: TemplateDisplayType;
  style: TemplateStyle;
  action: TemplateAction;
  /** Public http(s) JPG/JPEG/PNG URL; null when none. */
  iconUrl: string | null;
  /** Public http(s) JPG/JPEG/PNG URL; null when none. */
  imageUrl: string | null;
}

/** What a template created before the display fields existed lacks; read as TEMPLATE_DISPLAY_DEFAULTS. */
export const TEMPLATE_DISPLAY_DEFAULTS: Readonly<TemplateDisplay> = { displayType: 'NOTIFICATION', style: 0, action: 0, iconUrl: null, imageUrl: null };

/**
 * A message template as stored (mps.md §5, §6.5; DECISIONS D4). Templates created before the
 * display fields existed lack them; the repository reads them as TEMPLATE_DISPLAY_DEFAULTS.
 */
export interface StoredTemplate extends StoredDocument, Partial<TemplateDisplay> {
  /** Random id; the name is the identifier users see. */
  _id: string;
  appId: string;
  workspaceId: string;
  name: string;
  title: string;
  content: string;
  /** Redirection URL (web URL, Android activity or iOS view controller name); '' when none. */
  uri: string;
  description: string | null;
  createdAt: number;
  updatedAt: number;
}

/**
 * A message template with every console field of mps.md §5: what a template push, multiple push
 * or broadcast renders at creation (title, content and uri rendered, the display fields copied).
 * Referenced by `name`, unique per app.
 */
export type Template = StoredTemplate & TemplateDisplay;

/** The fields a user sets, as received (display fields unchecked); every one is checked by `checkTemplateFields`. */
export interface TemplateFields {
  title: string;
  content: string;
  uri?: string;
  description?: string | null;
  /** Absent or '' is NOTIFICATION. */
  displayType?: string;
  /** Absent is 0 (default style). */
  style?: number;
  /** Absent is 0 (open a web URL). */
  action?: number;
  /** Absent, null or '' is none. */
  iconUrl?: string | null;
  /** Absent, null or '' is none. */
  imageUrl?: string | null;
}

/** DECISIONS D4: ≤ 1000 templates per app (3056). */
export const MAX_TEMPLATES_PER_APP = 1000;
/** DECISIONS D4: `[A-Za-z0-9_]{1,200}`, unique per app. */
export const TEMPLATE_NAME = /^[A-Za-z0-9_]{1,200}$/;
/** mps.md §5 and DECISIONS D4: title 1–200 characters (3040). */
export const MAX_TEMPLATE_TITLE = 200;
/** DECISIONS D4: content ≤ 4000 characters (3043); empty is 3039. */
export const MAX_TEMPLATE_CONTENT = 4000;
/** mps.md §5: description 1–200 characters (3041); optional here, see docs/decisions.md. */
export const MAX_TEMPLATE_DESCRIPTION = 200;
/** Not stated by the specs; our bound (3042), see docs/decisions.md. */
export const MAX_TEMPLATE_URI = 2048;
/** Not stated by the specs; our bound for iconUrl and imageUrl (3028), as for uri. */
export const MAX_TEMPLATE_IMAGE_URL = 2048;
/** List paging: page ≥ 1, pageSize 1–500 (default 500 as mps.md §7 writes for query APIs). */
export const DEFAULT_TEMPLATE_PAGE_SIZE = 500;
export const MAX_TEMPLATE_PAGE_SIZE = 500;
