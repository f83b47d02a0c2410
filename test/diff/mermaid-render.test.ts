import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { flowchart } from "../../src/diff/mermaid.ts";
import { diffSides } from "../../src/diff/diff.ts";
import { loadSide } from "../../src/diff/load.ts";
import { policyContext } from "../plan/helpers.ts";

/*
 * The flow chart rendered by Mermaid itself, in Debian's Chromium: it must parse, and hostile
 * names must come out as text. Without Chromium (setup installs it where it can) the suite skips
 * locally and fails under CI.
 */

const bundle = join(createRequire(import.meta.url).resolve("mermaid/package.json"), "..", "dist", "mermaid.min.js");
const chromium = "/usr/bin/chromium";

describe.skipIf(!existsSync(chromium) && !process.env.CI)("the flow chart in Mermaid", () => {
  it("parses and renders, and keeps hostile names as text", async () => {
    const { chromium: browserType } = await import("playwright-core");
    const ctx = await policyContext();
    const fixture = (n: string) => join(import.meta.dirname, "fixtures", n);
    const d = diffSides(await loadSide(fixture("base.manifest.yaml"), ctx), await loadSide(fixture("head.manifest.yaml"), ctx));
    const hostile = flowchart([{ integration: "a-b", vendor: "end", status: "added", categories: ["user.name"], addedCategories: ["user.name"], removedCategories: [] }], () => 'Evil" --> x[<b>|pwn|</b>] #1');

    const browser = await browserType.launch({ executablePath: chromium, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
    try {
      const page = await browser.newPage();
      await page.setContent("<html><body></body></html>");
      await page.addScriptTag({ content: readFileSync(bundle, "utf8") });
      const render = (text: string) =>
        page.evaluate(async (t) => {
          // Runs in the page; the project's types know Node, not the DOM.
          const page = globalThis as unknown as {
            mermaid: { initialize(o: object): void; render(id: string, t: string): Promise<{ svg: string }> };
            DOMParser: new () => { parseFromString(s: string, type: string): { querySelectorAll(q: string): ArrayLike<{ textContent: string | null }> } };
          };
          page.mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
          const { svg } = await page.mermaid.render(`g${Math.random().toString(36).slice(2)}`, t);
          return Array.from(new page.DOMParser().parseFromString(svg, "image/svg+xml").querySelectorAll(".edgeLabel, .nodeLabel")).map((e) => e.textContent ?? "");
        }, text);
      const labels = await render(flowchart(d.flows, (k) => k));
      expect(labels).toContain("new: user.behavior.browsing_history");
      expect(labels).toContain("+user.name, -user.contact.email");
      expect(await render(hostile)).toContain('Evil" --> x[<b>|pwn|</b>] #1 (end)');
    } finally {
      await browser.close();
    }
  }, 60_000);
});
