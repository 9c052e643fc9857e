/**
 * What the composition root (main.ts) builds: everything a command or the long-running bot works with.
 * Its own module so that the bot, the scheduler and the CLI name the type without importing the root.
 */
import type { CommandHandler } from './commands/types.ts';
import type { Config } from './config.ts';
import type { Env } from './env.ts';
import type { HttpClient } from './feeds/http/fetch.ts';
import type { Metrics } from './ops/metrics.ts';
import type { Pipeline } from './pipeline.ts';
import type { Store } from './store/store.ts';
import type { TopicCatalog } from './topics/catalog.ts';

export interface App {
  config: Config;
  env: Env;
  store: Store;
  http: HttpClient;
  pipeline: Pipeline;
  /** This app's Prometheus registry (`/metrics`); the pipeline counts into it. */
  metrics: Metrics;
  /** Config and chat topics; every change swaps `pipeline.topics.index`. */
  catalog: TopicCatalog;
  /** The `/watch` command layer every chat listener (and the CLI) answers through. */
  commands: CommandHandler;
  /** The stored feed of each `config.feeds` entry, by index (a moved feed's entry names its old URL). */
  configFeedIds: number[];
  close(): Promise<void>;
}
