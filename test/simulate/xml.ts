/**
 * A strict little XML reader for parsing JUnit reports back in tests: elements, attributes, text and the
 * five predefined entities plus numeric references. It throws on anything malformed (unbalanced or
 * mismatched tags, a bare "&" or "<", unquoted attributes), so a test that parses a report also checks
 * that it is well-formed.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decode(s: string): string {
  if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(s)) throw new Error(`bare & in ${JSON.stringify(s.slice(0, 40))}`);
  if (s.includes("<")) throw new Error("bare < in text");
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (_, e: string) =>
    e.startsWith("#x") ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith("#") ? String.fromCodePoint(Number(e.slice(1))) : ENTITIES[e]!,
  );
}

export function parseXml(xml: string): XmlElement {
  let i = 0;
  const src = xml.replace(/^<\?xml[^?]*\?>\s*/, "");
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (i < src.length) {
    const lt = src.indexOf("<", i);
    const text = lt === -1 ? src.slice(i) : src.slice(i, lt);
    if (text.length > 0) {
      const top = stack.at(-1);
      if (!top) {
        if (text.trim() !== "") throw new Error("text outside the root element");
      } else top.text += decode(text);
    }
    if (lt === -1) break;
    const gt = src.indexOf(">", lt);
    if (gt === -1) throw new Error("unterminated tag");
    const tag = src.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith("/")) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`</${name}> closes <${open?.name ?? "nothing"}>`);
      if (stack.length === 0) root = open;
      continue;
    }
    const selfClosing = tag.endsWith("/");
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const m = /^([A-Za-z_][\w.-]*)/.exec(body);
    if (!m) throw new Error(`bad tag <${tag}>`);
    const el: XmlElement = { name: m[1]!, attrs: {}, children: [], text: "" };
    let rest = body.slice(m[1]!.length);
    const attr = /^\s+([A-Za-z_][\w.:-]*)="([^"]*)"/;
    let a: RegExpExecArray | null;
    while ((a = attr.exec(rest))) {
      el.attrs[a[1]!] = decode(a[2]!);
      rest = rest.slice(a[0].length);
    }
    if (rest.trim() !== "") throw new Error(`bad attributes in <${tag}>`);
    if (stack.length === 0 && root) throw new Error("two root elements");
    stack.at(-1)?.children.push(el);
    if (selfClosing) {
      if (stack.length === 0) root = el;
    } else stack.push(el);
  }
  if (stack.length > 0 || !root) throw new Error(`unclosed <${stack.at(-1)?.name ?? "root"}>`);
  return root;
}

export function findAll(el: XmlElement, name: string): XmlElement[] {
  return [...(el.name === name ? [el] : []), ...el.children.flatMap((c) => findAll(c, name))];
}
