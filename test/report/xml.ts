/**
 * A strict reader for the XML subset the JUnit formatter writes (declaration, elements,
 * attributes, text, character and predefined entity references). Node has no XML parser; this
 * checks well-formedness properly (nesting, quoting, unescaped `<`/`&`, duplicate attributes,
 * characters XML 1.0 forbids) rather than counting tags, and hands back a tree to assert on.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_][\w.-]*/;
const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
// eslint-disable-next-line no-control-regex -- XML 1.0 forbids these characters; finding them is the point
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

function decode(raw: string, where: number): string {
  if (FORBIDDEN.test(raw)) throw new Error(`character not allowed in XML near offset ${where}`);
  return raw.replace(/&([^;]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(";")) throw new Error(`bare & near offset ${where}`);
    if (ref in ENTITIES) return ENTITIES[ref]!;
    const m = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(ref);
    if (m === null) throw new Error(`unknown entity &${ref}; near offset ${where}`);
    return String.fromCodePoint(m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2]!, 10));
  });
}

export function parseXml(doc: string): XmlElement {
  const decl = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/.exec(doc);
  if (decl === null) throw new Error("missing XML declaration");
  let i = decl[0].length;

  const root: XmlElement = { name: "#document", attrs: {}, children: [], text: "" };
  const stack: XmlElement[] = [root];
  while (i < doc.length) {
    const top = stack[stack.length - 1]!;
    if (doc[i] !== "<") {
      const end = doc.indexOf("<", i);
      const raw = doc.slice(i, end === -1 ? doc.length : end);
      if (raw.includes(">")) throw new Error(`unescaped > in text near offset ${i}`);
      const text = decode(raw, i);
      if (stack.length === 1 && text.trim() !== "") throw new Error("text outside the root element");
      top.text += text;
      i += raw.length;
      continue;
    }
    if (doc.startsWith("</", i)) {
      const m = /^<\/([A-Za-z_][\w.-]*)>/.exec(doc.slice(i));
      if (m === null) throw new Error(`malformed end tag near offset ${i}`);
      if (m[1] !== top.name) throw new Error(`</${m[1]}> closes <${top.name}> near offset ${i}`);
      stack.pop();
      i += m[0].length;
      continue;
    }
    i++;
    const name = NAME.exec(doc.slice(i))?.[0];
    if (name === undefined) throw new Error(`malformed start tag near offset ${i}`);
    i += name.length;
    const el: XmlElement = { name, attrs: {}, children: [], text: "" };
    for (;;) {
      const m = /^\s+([A-Za-z_][\w.-]*)="([^"<]*)"/.exec(doc.slice(i));
      if (m === null) break;
      if (m[1]! in el.attrs) throw new Error(`duplicate attribute ${m[1]} near offset ${i}`);
      el.attrs[m[1]!] = decode(m[2]!, i);
      i += m[0].length;
    }
    if (stack.length === 1 && root.children.length > 0) throw new Error("more than one root element");
    top.children.push(el);
    if (doc.startsWith("/>", i)) i += 2;
    else if (doc[i] === ">") {
      i++;
      stack.push(el);
    } else throw new Error(`malformed tag <${name}> near offset ${i}`);
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  const [only] = root.children;
  if (only === undefined) throw new Error("no root element");
  return only;
}

export function descendants(el: XmlElement, name: string): XmlElement[] {
  return el.children.flatMap((c) => [...(c.name === name ? [c] : []), ...descendants(c, name)]);
}
