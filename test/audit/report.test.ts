// The HTML report opened in Debian's Chromium through playwright-core: its key parts are there,
// it behaves, it escapes what it shows, and not one request leaves the page.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runReport } from "../../src/commands/report.ts";
import { packageRoot } from "../../src/paths.ts";

const CHROMIUM = "/usr/bin/chromium";
const NOW = "2026-11-29";
const hasChromium = existsSync(CHROMIUM);
const ci = /^(1|true|yes)$/i.test(process.env.CI ?? "");
// Locally a missing browser skips with a reason; in CI it is a setup fault and must fail.
const skip = !hasChromium && !ci;
if (skip) console.warn(`report.test.ts skipped: ${CHROMIUM} is missing (apt-get install -y chromium); with CI=true this fails instead`);

const example = (f: string) => join(packageRoot, f);
const fixture = (f: string) => join(packageRoot, "test/fixtures/incident", f);

let scratch: string;
let browser: Browser;

async function writeReport(file: string, opts: Record<string, unknown>): Promise<string> {
  await runReport({ registry: example("examples/shop/policy/vendors.yaml"), exceptions: example("examples/shop/policy/exceptions.yaml"), now: NOW, state: false, out: file, ...opts }, () => {}, () => {});
  return file;
}

/**
 * Opens a file and records every request the page makes, the page itself included, twice over:
 * through the request events and through a route that lets only the page through.
 */
async function open(file: string): Promise<{ page: Page; requests: string[]; routed: string[]; dialogs: string[]; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, offline: true });
  const requests: string[] = [];
  const routed: string[] = [];
  const dialogs: string[] = [];
  const errors: string[] = [];
  await context.route("**/*", (route) => {
    routed.push(route.request().url());
    // Only the page itself may load; anything else is recorded and refused.
    return route.request().url() === pathToFileURL(file).href ? route.continue() : route.abort();
  });
  const page = await context.newPage();
  page.on("request", (r) => void requests.push(r.url()));
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  return { page, requests, routed, dialogs, errors };
}

describe.skipIf(skip)("HTML report in Chromium", () => {
  beforeAll(async () => {
    if (!hasChromium) throw new Error(`CI is set but ${CHROMIUM} is missing: scripts/setup.sh must install Debian's chromium`);
    scratch = mkdtempSync(join(tmpdir(), "vendorgate-report-"));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("shows the graph, the matrix, the violations and the assurances, and requests nothing", async () => {
    const file = await writeReport(join(scratch, "report.html"), { manifest: [example("examples/shop/manifests/clean.manifest.yaml"), example("examples/shop/manifests/incident.manifest.yaml")] });
    const { page, requests, routed, dialogs, errors } = await open(file);

    expect(await page.title()).toBe("vendorgate: data flows to vendors, 2026-11-29");
    // One edge per integration (10 sending, 1 switched off), coloured by verdict: the incident
    // manifest's flows are blocked except support-chat, whose one violation EXC-42 waives.
    expect(await page.locator("#graph svg path.edge").count()).toBe(11);
    expect(await page.locator("#graph svg path.edge.blocked").count()).toBe(5);
    expect(await page.locator("#graph svg path.edge.off").count()).toBe(1);
    expect(await page.locator("#graph svg .vendor").count()).toBe(6);
    // A string, not a function: the test is type-checked without the DOM library.
    const blocked = await page.evaluate("getComputedStyle(document.querySelector('#graph svg path.edge.blocked')).stroke");
    // The stylesheet applied (a CSP hash mismatch would have blocked it).
    expect(blocked).toBe("rgb(198, 40, 40)");

    // Vendors by category: every vendor a row; Mixpanel sends email only in the incident flows.
    expect(await page.locator("#matrix tbody tr").count()).toBe(7);
    const mixpanelEmail = page.locator('#matrix tr[data-vendor="mixpanel"] td.sent.blocked[title^="user.contact.email "]');
    expect(await mixpanelEmail.count()).toBe(1);

    const rows = page.locator("#violations tbody tr");
    expect(await rows.count()).toBeGreaterThan(10);
    expect(await page.locator("#violations").textContent()).toContain("Remove the field");
    expect(await page.locator("#assurances").textContent()).toMatch(/Zendesk[\s\S]*SOC 2[\s\S]*2026-12-15[\s\S]*in 16 day\(s\)/);
    expect(await page.locator("#summary").textContent()).toMatch(/5\s*blocked/);

    // Clicking a vendor highlights its flows; the filter narrows the violations.
    await page.locator('#graph .vendor[data-vendor="mixpanel"]').click();
    expect(await page.locator("#graph svg.focused").count()).toBe(1);
    expect(await page.locator("#graph path.edge.lit").count()).toBe(3);
    await page.locator("#filter").fill("VG006");
    expect(await page.locator("#violations tbody tr:visible").count()).toBe(1);
    await page.locator("#filter").fill("");
    await page.locator('#graph .vendor[data-vendor="mixpanel"]').click();
    expect(await page.locator("#graph svg.focused").count()).toBe(0);
    await page.evaluate("document.activeElement && document.activeElement.blur()");

    mkdirSync(join(packageRoot, "test-results"), { recursive: true });
    await page.screenshot({ path: join(packageRoot, "test-results", "report.png"), fullPage: true });

    expect(requests).toEqual([pathToFileURL(file).href]);
    expect(routed).toEqual([pathToFileURL(file).href]);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  }, 60_000);

  it("shows markup from the registry and manifests as text, running and loading nothing", async () => {
    const file = await writeReport(join(scratch, "hostile.html"), { registry: fixture("hostile.registry.yaml"), manifest: [fixture("hostile.manifest.yaml")] });
    const html = readFileSync(file, "utf8");
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<iframe");
    expect(html).not.toContain("<svg onload");
    expect(html.match(/<script>/g)).toHaveLength(1);
    const { page, requests, routed, dialogs, errors } = await open(file);
    await page.locator("#graph .vendor").first().hover();
    await page.locator("#violations td.field").first().hover();
    expect(await page.locator("#matrix").textContent()).toContain('<img src="http://127.0.0.1:9/name.png" onerror="alert(1)">Evil & Co');
    expect(await page.locator("#violations").textContent()).toContain('Field x" onmouseover="alert(4) sends');
    expect(await page.locator("#violations").textContent()).toContain("(</script><script>alert(2)</script>");
    expect(await page.locator("img, iframe").count()).toBe(0);
    expect(requests).toEqual([pathToFileURL(file).href]);
    expect(routed).toEqual([pathToFileURL(file).href]);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  }, 60_000);

  it("uses a harness that does see a request when a page makes one", async () => {
    const file = join(scratch, "control.html");
    writeFileSync(file, '<!doctype html><title>control</title><img src="http://127.0.0.1:9/pixel.png">');
    const { requests, routed } = await open(file);
    expect(requests).toContain("http://127.0.0.1:9/pixel.png");
    expect(routed).toContain("http://127.0.0.1:9/pixel.png");
  });

  it("is byte-identical for the same inputs", async () => {
    const opts = { manifest: [example("examples/shop/manifests/incident.manifest.yaml")] };
    const a = readFileSync(await writeReport(join(scratch, "a.html"), opts), "utf8");
    const b = readFileSync(await writeReport(join(scratch, "b.html"), opts), "utf8");
    expect(a).toBe(b);
  });
});
