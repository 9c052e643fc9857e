import type { Platform } from '../platform.ts';
import { createConsoleSink } from './adapter.ts';

/** The terminal: always there, the default when no chat credentials are set. */
export const consolePlatform: Platform = {
  name: 'console',
  enabled: () => true,
  createSink: async ({ config, stdout }) => createConsoleSink({ format: config.console.format, out: stdout }),
};
