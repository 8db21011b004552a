/**
 * A small, strict XML reader for reading the JUnit report back: elements, attributes, text, the five
 * named entities and numeric references, comments and the prolog. It throws on anything malformed
 * (an unclosed or mismatched tag, a bare "&" or "<", text after the root), so a test that parses a
 * report also proves the report is well-formed.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_:][\w:.-]*/;

function decode(text: string, where: number): string {
  return text.replace(/&([^;]*);|&/g, (match, ref: string | undefined) => {
    if (ref === undefined) throw new Error(`bare & near offset ${where}`);
    const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
    if (ref in named) return named[ref]!;
    const num = /^#(x[0-9a-fA-F]+|\d+)$/.exec(ref);
    if (num) return String.fromCodePoint(num[1]!.startsWith("x") ? parseInt(num[1]!.slice(1), 16) : Number(num[1]));
    throw new Error(`unknown entity &${match}; near offset ${where}`);
  });
}

export function parseXml(source: string): XmlElement {
  let i = 0;
  const skipMisc = (): void => {
    for (;;) {
      const ws = /^\s*/.exec(source.slice(i))![0].length;
      i += ws;
      if (source.startsWith("<?", i)) i = source.indexOf("?>", i) + 2;
      else if (source.startsWith("<!--", i)) i = source.indexOf("-->", i) + 3;
      else return;
      if (i < 2) throw new Error("unterminated prolog or comment");
    }
  };

  const element = (): XmlElement => {
    if (source[i] !== "<") throw new Error(`expected "<" at offset ${i}`);
    i++;
    const name = NAME.exec(source.slice(i))?.[0];
    if (!name) throw new Error(`expected an element name at offset ${i}`);
    i += name.length;
    const attrs: Record<string, string> = {};
    for (;;) {
      i += /^\s*/.exec(source.slice(i))![0].length;
      if (source.startsWith("/>", i)) {
        i += 2;
        return { name, attrs, children: [], text: "" };
      }
      if (source[i] === ">") {
        i++;
        break;
      }
      const attr = /^([A-Za-z_:][\w:.-]*)\s*=\s*"([^"<]*)"/.exec(source.slice(i));
      if (!attr) throw new Error(`malformed attribute in <${name}> at offset ${i}`);
      const [whole, key = "", value = ""] = attr;
      if (Object.hasOwn(attrs, key)) throw new Error(`repeated attribute ${key} in <${name}>`);
      attrs[key] = decode(value, i);
      i += whole.length;
    }
    const children: XmlElement[] = [];
    let text = "";
    for (;;) {
      if (i >= source.length) throw new Error(`<${name}> is never closed`);
      if (source.startsWith("</", i)) {
        const close = /^<\/([A-Za-z_:][\w:.-]*)\s*>/.exec(source.slice(i));
        if (!close || close[1] !== name) throw new Error(`</${close?.[1] ?? "?"}> does not close <${name}> at offset ${i}`);
        i += close[0].length;
        return { name, attrs, children, text };
      }
      if (source.startsWith("<!--", i)) {
        i = source.indexOf("-->", i) + 3;
        continue;
      }
      if (source[i] === "<") {
        children.push(element());
        continue;
      }
      const end = source.indexOf("<", i);
      const raw = source.slice(i, end === -1 ? source.length : end);
      if (raw.includes(">") && /]]>/.test(raw)) throw new Error("]]> in text");
      text += decode(raw, i);
      i += raw.length;
    }
  };

  skipMisc();
  const root = element();
  skipMisc();
  if (i !== source.length) throw new Error(`unexpected content after the root element at offset ${i}`);
  return root;
}

export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}
