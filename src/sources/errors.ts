import { UsageError } from "../errors.ts";

/**
 * A backend that does not exist or cannot be read. It ends the command with exit 2 and the
 * reason: an incident command that could not look must never answer as if it found nothing.
 */
export class BackendError extends UsageError {}
