/*
 * Rule remediations are written in Markdown: `enabled: false` is code. Formats that render markup
 * show such spans as code (HTML <code>, Markdown as written); escaping the backticks instead would
 * print them literally. Only text from the policy's METADATA goes through here: messages quote
 * user input and stay escaped whole.
 */

export interface Segment {
  code: boolean;
  text: string;
}

/**
 * Splits text into plain and code segments the CommonMark way: a run of n backticks opens a span
 * that the next run of exactly n closes; a run with no closing partner is literal text.
 */
export function codeSpans(s: string): Segment[] {
  const out: Segment[] = [];
  let plain = "";
  let i = 0;
  while (i < s.length) {
    if (s[i] !== "`") {
      plain += s[i++];
      continue;
    }
    let n = 0;
    while (s[i + n] === "`") n++;
    const fence = "`".repeat(n);
    let close = -1;
    for (let j = s.indexOf(fence, i + n); j >= 0; j = s.indexOf(fence, j + 1)) {
      let run = 0;
      while (s[j + run] === "`") run++;
      if (run === n && s[j - 1] !== "`") {
        close = j;
        break;
      }
      j += run - 1;
    }
    if (close < 0) {
      plain += fence;
      i += n;
      continue;
    }
    if (plain !== "") out.push({ code: false, text: plain });
    plain = "";
    let body = s.slice(i + n, close).replace(/\r\n|\r|\n/g, " ");
    // CommonMark strips one space each side when both are there and the span is not all spaces.
    if (/^ .* $/s.test(body) && body.trim() !== "") body = body.slice(1, -1);
    out.push({ code: true, text: body });
    i = close + n;
  }
  if (plain !== "") out.push({ code: false, text: plain });
  return out;
}

/** HTML with code spans as <code>, every segment escaped by `escape`. */
export function htmlWithCode(s: string, escape: (t: string) => string): string {
  return codeSpans(s)
    .map((seg) => (seg.code ? `<code>${escape(seg.text)}</code>` : escape(seg.text)))
    .join("");
}

/**
 * Markdown with code spans kept as code (fenced with enough backticks, `|` escaped for table
 * cells, as GitHub requires even inside code) and the rest escaped by `escape`.
 */
export function markdownWithCode(s: string, escape: (t: string) => string): string {
  return codeSpans(s)
    .map((seg) => {
      if (!seg.code) return escape(seg.text);
      const longest = Math.max(0, ...(seg.text.match(/`+/g) ?? []).map((r) => r.length));
      const fence = "`".repeat(longest + 1);
      const pad = seg.text.startsWith("`") || seg.text.endsWith("`") ? " " : "";
      return `${fence}${pad}${seg.text.replaceAll("|", "\\|")}${pad}${fence}`;
    })
    .join("");
}
