import { TemplateValuesMissingError } from './templates.errors';

/** What rendering reads of a template: the three places placeholders may appear (mps.md §5). */
export interface RenderableTemplate {
  title: string;
  content: string;
  uri: string;
}

export interface RenderedTemplate {
  title: string;
  content: string;
  uri: string;
}

/**
 * A placeholder is `#name#` where name is 1–64 letters (any script), digits or `_`
 * (mps.md §5: "the string between two `#` is the placeholder name").
 *
 * Any `#` that does not open such a pair is literal text and stays as written: `#` alone,
 * `##`, `#a b#` (a space), `https://h/#/home` or `page#top`. Pairs are matched left to right
 * without overlap, so in `#a#b#` only `#a#` is a placeholder and `b#` stays literal. There is
 * no escape: a literal text of the form `#word#` cannot be written in a template.
 */
const PLACEHOLDER = /#([\p{L}\p{N}_]{1,64})#/gu;

function namesIn(text: string): string[] {
  return Array.from(text.matchAll(PLACEHOLDER), (match) => match[1]);
}

/** The distinct placeholder names of a template in order of first appearance (title, content, then uri). */
export function placeholdersOf(template: RenderableTemplate): string[] {
  return [...new Set([...namesIn(template.title), ...namesIn(template.content), ...namesIn(template.uri)])];
}

/**
 * Replaces every `#key#` placeholder in title, content and uri by `values[key]` (DECISIONS D4).
 * Values are inserted literally in one pass: a value containing `#x#` is not expanded again.
 * A placeholder without a value throws TemplateValuesMissingError (3023 TEMPLATEKV_NOT_ENOUGH)
 * naming every missing placeholder; values for names the template does not use are ignored.
 * A template without placeholders renders as itself (broadcast templates need none).
 */
export function renderTemplate(template: RenderableTemplate, values: Readonly<Record<string, string>>): RenderedTemplate {
  const missing = placeholdersOf(template).filter((name) => !Object.prototype.hasOwnProperty.call(values, name) || typeof values[name] !== 'string');
  if (missing.length > 0) throw new TemplateValuesMissingError(missing);
  const fill = (text: string) => text.replace(PLACEHOLDER, (_whole, name: string) => values[name]);
  return { title: fill(template.title), content: fill(template.content), uri: fill(template.uri) };
}
