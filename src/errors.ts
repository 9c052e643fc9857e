/**
 * Every failure that reaches a user carries a stable `code`, whether trying again later can help
 * (`retryable`), and a sentence the user can act on (`message`). Internal detail goes in `cause`.
 */
export class AppError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** The message of any thrown value, as one line. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message.replace(/\s+/g, ' ').trim();
  return String(err);
}
