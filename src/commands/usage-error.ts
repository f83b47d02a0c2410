/** A bad option value (not a file's content): exit 2 with the message, like an input error. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
