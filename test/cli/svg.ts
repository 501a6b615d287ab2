import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** One element of a parsed SVG: its tag, attributes and children (document order). */
export interface SvgElement {
  tag: string;
  attrs: Record<string, string>;
  children: SvgElement[];
  text: string;
}

/** Parses an SVG document (it must be well-formed XML) into elements. */
export function parseSvg(svg: string): SvgElement {
  const valid = XMLValidator.validate(svg);
  if (valid !== true) throw new Error(`not well-formed XML: ${valid.err.msg} at line ${valid.err.line}`);
  const parsed = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    preserveOrder: true,
    parseAttributeValue: false,
    trimValues: false,
  }).parse(svg) as unknown[];
  const root = parsed.map(toElement).find((e) => e?.tag === 'svg');
  if (!root) throw new Error('no <svg> root element');
  return root;
}

function toElement(node: unknown): SvgElement | undefined {
  const n = node as Record<string, unknown>;
  const tag = Object.keys(n).find((k) => k !== ':@' && k !== '#text');
  if (!tag || tag.startsWith('?')) return undefined;
  const raw = (n[tag] as unknown[]) ?? [];
  const children = raw.map(toElement).filter((e): e is SvgElement => !!e);
  const text = raw
    .map((c) => (c as { '#text'?: unknown })['#text'])
    .filter((t) => t !== undefined)
    .join('');
  return { tag, attrs: (n[':@'] as Record<string, string>) ?? {}, children, text };
}

/** Every element under `root` (depth first) matching the predicate. */
export function findAll(root: SvgElement, match: (e: SvgElement) => boolean): SvgElement[] {
  const out: SvgElement[] = [];
  const walk = (e: SvgElement) => {
    if (match(e)) out.push(e);
    e.children.forEach(walk);
  };
  walk(root);
  return out;
}

export const hasClass = (e: SvgElement, cls: string) => (e.attrs.class ?? '').split(/\s+/).includes(cls);

/** The text content of an element and its descendants. */
export function textOf(e: SvgElement): string {
  return e.text + e.children.map(textOf).join('');
}
