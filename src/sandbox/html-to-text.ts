/**
 * HTML as readable text for a model: tags dropped, scripts, styles and comments removed, block
 * elements on lines of their own, list items marked, links followed by their URL, entities decoded
 * and whitespace collapsed (kept inside <pre>). One forward scan with `indexOf`-style searches that
 * never look back — time linear in the page, whatever it holds; no regular expression sees the page
 * except single-character-class ones, which cannot backtrack. Not a full HTML parser: broken markup
 * reads worse, never slower.
 */

/** Elements whose content is never text. */
const skippedElements = new Set(['script', 'style', 'noscript', 'template', 'svg', 'math', 'iframe', 'object', 'canvas']);

/** Elements that start and end a line. */
const blockElements = new Set([
  'address', 'article', 'aside', 'blockquote', 'body', 'caption', 'details', 'dd', 'dialog', 'div', 'dl', 'dt', 'fieldset', 'figcaption', 'figure',
  'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'html', 'legend', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'summary',
  'table', 'tbody', 'thead', 'tfoot', 'title', 'tr', 'ul',
]);

const namedEntities: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', ndash: '–', mdash: '—', hellip: '…', copy: '©', reg: '®', trade: '™',
  laquo: '«', raquo: '»', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', bull: '•', middot: '·', euro: '€', pound: '£', times: '×', deg: '°',
};

/**
 * Decodes character references: the common named ones and every numeric one; others stay as written.
 *
 * @example
 * decodeEntities('Fish &amp; chips &#8212; &#x41;') // → 'Fish & chips — A'
 */
export function decodeEntities(text: string): string {
  let result = '';
  let position = 0;
  for (;;) {
    const ampersand = text.indexOf('&', position);
    if (ampersand === -1) return result + text.slice(position);
    result += text.slice(position, ampersand);
    // Only the next few characters are searched, so that a page of `&` without `;` stays linear.
    const window = text.slice(ampersand + 1, ampersand + 33).indexOf(';');
    const semicolon = window === -1 ? -1 : ampersand + 1 + window;
    const name = semicolon === -1 ? undefined : text.slice(ampersand + 1, semicolon);
    const decoded = name === undefined ? undefined : decodeReference(name);
    if (decoded === undefined) {
      result += '&';
      position = ampersand + 1;
    } else {
      result += decoded;
      position = semicolon + 1;
    }
  }
}

function decodeReference(name: string): string | undefined {
  if (name.startsWith('#')) {
    const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
    if (!Number.isInteger(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return undefined;
    return String.fromCodePoint(code);
  }
  return Object.hasOwn(namedEntities, name) ? namedEntities[name] : undefined;
}

/** Lower-cases ASCII letters only, so that lengths and offsets stay the same. */
function lowerAscii(character: string): string {
  const code = character.charCodeAt(0);
  return code >= 65 && code <= 90 ? String.fromCharCode(code + 32) : character;
}

/** `haystack.indexOf(needle, from)` ignoring ASCII case; `needle` is lower-case and short. */
function indexOfIgnoringCase(haystack: string, needle: string, from: number): number {
  const last = haystack.length - needle.length;
  for (let start = from; start <= last; start++) {
    let index = 0;
    while (index < needle.length && lowerAscii(haystack[start + index] ?? '') === needle[index]) index++;
    if (index === needle.length) return start;
  }
  return -1;
}

function isNameCharacter(character: string | undefined): boolean {
  return character !== undefined && /[A-Za-z0-9:_-]/.test(character);
}

interface Tag {
  name: string;
  closing: boolean;
  /** The text between the name and the closing `>`. */
  attributes: string;
  /** Index just past the tag's `>`. */
  end: number;
}

/** Reads the tag at `start` (a `<`), or undefined when what follows is not a tag. Quoted `>` do not end it. */
function readTag(html: string, start: number): Tag | undefined {
  let position = start + 1;
  const closing = html[position] === '/';
  if (closing) position++;
  if (!/[A-Za-z]/.test(html[position] ?? '')) return undefined;
  const nameStart = position;
  while (isNameCharacter(html[position])) position++;
  const name = html.slice(nameStart, position).toLowerCase();
  const attributesStart = position;
  let quote: string | undefined;
  for (; position < html.length; position++) {
    const character = html[position];
    if (quote !== undefined) {
      if (character === quote) quote = undefined;
    } else if (character === '"' || character === "'") {
      quote = character;
    } else if (character === '>') {
      return { name, closing, attributes: html.slice(attributesStart, position), end: position + 1 };
    }
  }
  return { name, closing, attributes: html.slice(attributesStart), end: html.length };
}

/** The value of one attribute in a tag's attribute text. */
function attributeValue(attributes: string, wanted: string): string | undefined {
  let position = 0;
  while (position < attributes.length) {
    while (position < attributes.length && !isNameCharacter(attributes[position])) position++;
    const nameStart = position;
    while (isNameCharacter(attributes[position])) position++;
    const name = attributes.slice(nameStart, position).toLowerCase();
    while (attributes[position] === ' ' || attributes[position] === '\n' || attributes[position] === '\t' || attributes[position] === '\r') position++;
    if (attributes[position] !== '=') {
      if (name === wanted) return '';
      continue;
    }
    position++;
    while (attributes[position] === ' ' || attributes[position] === '\n' || attributes[position] === '\t' || attributes[position] === '\r') position++;
    const quote = attributes[position];
    let value: string;
    if (quote === '"' || quote === "'") {
      const close = attributes.indexOf(quote, position + 1);
      const end = close === -1 ? attributes.length : close;
      value = attributes.slice(position + 1, end);
      position = end + 1;
    } else {
      const valueStart = position;
      while (position < attributes.length && !/[\s>]/.test(attributes[position] ?? '')) position++;
      value = attributes.slice(valueStart, position);
    }
    if (name === wanted) return decodeEntities(value);
  }
  return undefined;
}

/** Builds the text line by line: soft whitespace collapses, blank lines never pile up. */
class TextBuilder {
  private readonly lines: string[] = [];
  private current = '';

  text(raw: string, preformatted: boolean): void {
    if (preformatted) {
      const parts = raw.split('\n');
      parts.forEach((part, index) => {
        if (index > 0) this.lineBreak();
        this.current += part;
      });
      return;
    }
    const collapsed = raw.replace(/\s+/g, ' ');
    if (collapsed === ' ' && (this.current === '' || this.current.endsWith(' '))) return;
    this.current += this.current === '' || this.current.endsWith(' ') ? collapsed.replace(/^ /, '') : collapsed;
  }

  lineBreak(): void {
    this.lines.push(this.current.trimEnd());
    this.current = '';
  }

  /** Ends the current line, if any, and leaves one blank line. */
  block(): void {
    if (this.current.trim() !== '') this.lineBreak();
    this.current = '';
    if (this.lines.length > 0 && this.lines.at(-1) !== '') this.lines.push('');
  }

  toString(): string {
    if (this.current.trim() !== '') this.lineBreak();
    const result: string[] = [];
    for (const line of this.lines) {
      const trimmed = line.trim() === '' ? '' : line;
      if (trimmed === '' && (result.length === 0 || result.at(-1) === '')) continue;
      result.push(trimmed);
    }
    while (result.at(-1) === '') result.pop();
    return result.join('\n');
  }
}

/** A link's target as an absolute http(s) URL, or undefined for anchors, scripts and junk. */
function linkTarget(href: string | undefined, baseUrl: string | undefined): string | undefined {
  if (href === undefined || href === '' || href.startsWith('#')) return undefined;
  try {
    const url = new URL(href, baseUrl);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The readable text of an HTML page; `baseUrl` resolves relative links.
 *
 * @example
 * htmlToText('<h1>Hi</h1><p>See <a href="/docs">the docs</a>.<script>x()</script></p>', 'https://example.com/')
 * // → 'Hi\n\nSee the docs (https://example.com/docs).'
 */
export function htmlToText(html: string, baseUrl?: string): string {
  const output = new TextBuilder();
  let position = 0;
  let preformatted = 0;
  let link: { target: string; textStart: boolean } | undefined;
  while (position < html.length) {
    const open = html.indexOf('<', position);
    const textEnd = open === -1 ? html.length : open;
    if (textEnd > position) {
      output.text(decodeEntities(html.slice(position, textEnd)), preformatted > 0);
      if (link !== undefined) link.textStart = true;
    }
    if (open === -1) break;
    if (html.startsWith('<!--', open)) {
      const close = html.indexOf('-->', open + 4);
      position = close === -1 ? html.length : close + 3;
      continue;
    }
    if (html[open + 1] === '!' || html[open + 1] === '?') {
      const close = html.indexOf('>', open + 2);
      position = close === -1 ? html.length : close + 1;
      continue;
    }
    const tag = readTag(html, open);
    if (tag === undefined) {
      output.text('<', preformatted > 0);
      position = open + 1;
      continue;
    }
    position = tag.end;
    if (!tag.closing && skippedElements.has(tag.name)) {
      const close = indexOfIgnoringCase(html, `</${tag.name}`, position);
      const closeEnd = close === -1 ? -1 : html.indexOf('>', close);
      position = closeEnd === -1 ? html.length : closeEnd + 1;
      continue;
    }
    if (tag.name === 'br') {
      output.lineBreak();
    } else if (tag.name === 'li') {
      if (!tag.closing) {
        output.block();
        output.text('- ', true);
      }
    } else if (tag.name === 'td' || tag.name === 'th') {
      if (!tag.closing) output.text(' ', false);
    } else if (tag.name === 'a') {
      if (!tag.closing) {
        const target = linkTarget(attributeValue(tag.attributes, 'href'), baseUrl);
        link = target === undefined ? undefined : { target, textStart: false };
      } else if (link !== undefined) {
        if (link.textStart) output.text(` (${link.target})`, false);
        link = undefined;
      }
    } else if (blockElements.has(tag.name)) {
      output.block();
      if (tag.name === 'pre') preformatted = Math.max(0, preformatted + (tag.closing ? -1 : 1));
    }
  }
  return output.toString();
}
