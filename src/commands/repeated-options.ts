import { type Command, InvalidArgumentError, type Option } from "commander";

/**
 * A value option given twice (`check --manifest A --manifest B`) is refused, never settled by
 * keeping the last one: judging only B and passing while A is blocked is a silent pass. No
 * command takes a list through a repeated option, so the rule is the same for all of them.
 */
export function refuseRepeatedOptions(cmd: Command): void {
  for (const option of cmd.options as readonly Option[]) {
    if (!option.required && !option.optional) continue;
    if (option.variadic) continue;
    const parse = option.parseArg;
    let seen = false;
    option.parseArg = <T>(value: string, previous: T): T => {
      if (seen) {
        throw new InvalidArgumentError(
          `${option.long ?? option.flags} was given more than once; give it once (run the command once per value to judge several)`,
        );
      }
      seen = true;
      return (parse ? parse(value, previous) : value) as T;
    };
  }
  for (const sub of cmd.commands) refuseRepeatedOptions(sub);
}
