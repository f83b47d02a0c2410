import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/*
 * What the CI step scripts share: talking to the Actions runner through the files it names in the
 * environment. Every function takes the environment explicitly, so tests run them without a runner.
 */

export type Env = Readonly<Record<string, string | undefined>>;

/** A step output (`steps.<id>.outputs.<name>`); values are single-line by construction. */
export function setOutput(env: Env, name: string, value: string): void {
  if (/[\r\n]/.test(value)) throw new Error(`step output ${name} must be one line`);
  if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, `${name}=${value}\n`);
}

/** Markdown for the job's summary page: seen even where the token may not comment (forked PRs). */
export function appendSummary(env: Env, markdown: string): void {
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, markdown.endsWith("\n") ? markdown : `${markdown}\n`);
}

/** A workflow command's data, escaped the way the runner unescapes it. */
export function escapeCommand(s: string): string {
  return s.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

export function warning(message: string): string {
  return `::warning title=vendorgate::${escapeCommand(message)}\n`;
}

/** Whether the runner can decrypt `secure:` config: a passphrase, or a file holding one, was given. */
export function canDecrypt(env: Env): boolean {
  return Boolean(env.PULUMI_CONFIG_PASSPHRASE) || Boolean(env.PULUMI_CONFIG_PASSPHRASE_FILE);
}

/**
 * The vendorgate CLI a checkout carries, as node arguments: its own bin when the checkout is
 * vendorgate, else the installed dependency's; undefined when it has neither (a base that
 * predates vendorgate).
 */
export function vendorgateCli(dir: string): string[] | undefined {
  const own = join(dir, "bin", "vendorgate.js");
  try {
    if (existsSync(own) && (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string }).name === "vendorgate") return [own];
  } catch {
    // no readable package.json: not vendorgate itself
  }
  const dependency = join(dir, "node_modules", "vendorgate", "bin", "vendorgate.js");
  return existsSync(dependency) ? [dependency] : undefined;
}
