/**
 * Every code an AppError may carry: one list, so a code is never spelled two ways and a test or a metric that
 * matches on one names a code that exists. Platform refusals keep the platform's own code in `DeliveryOutcome`.
 */
export type ErrorCode =
  // what the user or operator gave: exit code 2 in the CLI (src/cli/context.ts)
  | 'config' | 'usage' | 'query' | 'topic_config' | 'topic_exists' | 'unknown_topic' | 'not_found' | 'opml'
  // fetching a feed (src/feeds/http/)
  | 'bad_url' | 'refused' | 'dns' | 'network' | 'timeout' | 'tls' | 'http_status' | 'bad_redirect' | 'redirect_loop'
  | 'too_many_redirects' | 'cancelled' | 'too_large' | 'not_modified'
  // reading it (src/feeds/read/)
  | 'bad_encoding' | 'unsupported_encoding' | 'parse' | 'not_a_feed' | 'html_page' | 'feed_unreadable'
  // the store
  | 'storage' | 'closed'
  // the platforms
  | 'slack_auth' | 'slack_unreachable' | 'slack_socket_mode' | 'slack_admin_check' | 'slack_history'
  | 'discord_token' | 'discord_application' | 'discord_guild' | 'discord_unreachable' | 'discord_deploy' | 'discord_webhook_url'
  | 'discord_history';

/**
 * Every failure that reaches a user carries a stable `code`, whether trying again later can help
 * (`retryable`), and a sentence the user can act on (`message`). Internal detail goes in `cause`.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
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
