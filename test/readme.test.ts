import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../src/cli.ts";
import { packageRoot } from "../src/paths.ts";

/*
 * The README's command table is what most users read instead of --help: every command --help
 * lists must be in it, nothing else, and every option it names must exist on that command.
 */

const readme = readFileSync(join(packageRoot, "README.md"), "utf8");
const section = readme.slice(readme.indexOf("## Commands"), readme.indexOf("\n## ", readme.indexOf("## Commands") + 1));
const rows = section
  .split("\n")
  .filter((l) => l.startsWith("| `"))
  .map((l) => l.split(/(?<!\\)\|/).map((c) => c.trim()))
  .map(([, first = "", rest = ""]) => ({ first, rest }));

const spans = (s: string) => [...s.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
const optionsIn = (s: string) => [...s.matchAll(/(?<![\w-])--[a-z][a-z-]*/g)].map((m) => m[0]);
const flagsOf = (cmd: Command) => cmd.options.flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined));

describe("README command table", async () => {
  const program = await buildProgram();
  const top = new Map(program.commands.map((c) => [c.name(), c]));
  const globals = [...flagsOf(program), "--help", "-h"];

  // Each row: its commands (a vendor row lists subcommands after the first) and the options it names.
  const documented = rows.map(({ first, rest }) => {
    const commands: Command[] = [];
    let parent: Command | undefined;
    for (const span of spans(first)) {
      const [word = "", second] = span.split(/\s+/);
      const cmd = top.get(word) ?? parent?.commands.find((c) => c.name() === word);
      if (cmd === undefined) throw new Error(`README names a command --help does not list: ${span}`);
      if (cmd.commands.length > 0 && second !== undefined) {
        parent = cmd;
        const sub = cmd.commands.find((c) => c.name() === second);
        if (sub === undefined) throw new Error(`README names a subcommand --help does not list: ${span}`);
        commands.push(sub);
      } else commands.push(cmd);
    }
    return { commands, options: optionsIn(`${first} ${rest}`) };
  });

  it("lists every command and subcommand of --help, and no other", () => {
    const inHelp = program.commands.flatMap((c) => (c.commands.length ? c.commands.map((s) => `${c.name()} ${s.name()}`) : [c.name()])).sort();
    const inReadme = documented
      .flatMap((d) => d.commands)
      .map((c) => (c.parent && c.parent !== program ? `${c.parent.name()} ${c.name()}` : c.name()))
      .sort();
    expect(inReadme).toEqual(inHelp);
  });

  it("names only options the command has", () => {
    for (const { commands, options } of documented) {
      const known = new Set([...globals, ...commands.flatMap(flagsOf)]);
      for (const o of options) expect(known.has(o), `${commands.map((c) => c.name()).join("/")}: ${o}`).toBe(true);
    }
  });

  it("names only options the judging commands have in its common options", () => {
    const common = section.slice(section.indexOf("Common options"));
    const check = top.get("check")!;
    for (const o of optionsIn(common.slice(0, common.indexOf("\n\n")))) expect([...globals, ...flagsOf(check)], o).toContain(o);
  });
});
