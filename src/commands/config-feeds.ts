import type { Config } from '../config.ts';
import type { ConfigFeeds } from './types.ts';

/** The `feeds[i]` entries of the config file with the stored feed each one is (`feedIds[i]`): removing one is refused. */
export function configFeedsOf(config: Pick<Config, 'file' | 'feeds'>, feedIds: readonly number[]): ConfigFeeds {
  return { file: config.file, entries: config.feeds.map((f, i) => ({ url: f.url, id: feedIds[i]! })) };
}
