/**
 * A bad option value or a project set up wrongly (not a file's content, which is an InputError):
 * exit 2 with the message, never a stack trace. It lives at the bottom of the layers because
 * every layer that reads what the user gave can raise it; cli.ts maps it to the exit code.
 */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
