import type { StoredDocument } from '@pushsync/platform';

/**
 * A message template (mps.md §5, §6.5; DECISIONS D4): the console fields a template push,
 * multiple push or broadcast renders at creation. Referenced by `name`, unique per app.
 */
export interface Template extends StoredDocument {
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

/** The fields a user sets; every one is checked by `checkTemplateFields`. */
export interface TemplateFields {
  title: string;
  content: string;
  uri?: string;
  description?: string | null;
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
/** List paging: page ≥ 1, pageSize 1–500 (default 500 as mps.md §7 writes for query APIs). */
export const DEFAULT_TEMPLATE_PAGE_SIZE = 500;
export const MAX_TEMPLATE_PAGE_SIZE = 500;
