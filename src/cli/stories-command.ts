import { splitArticle } from '../commands/story-split.ts';
import { openStore } from '../store/open.ts';
import { type CliCommand, clockOf } from './command.ts';
import { CONFIG_USAGE, cliLogger, configOption, loadCliConfig, onlyId } from './context.ts';

export const storiesSplitCommand: CliCommand = {
  name: 'stories split',
  summary: 'take a wrongly folded article out of its story into a story of its own',
  usage: `Usage: watchfloor stories split ARTICLE_ID [--config PATH]

A follow-up says why its report joined the story ("joined: same event: Rajin · 6,700 · NIS"). When that
is wrong, split the article off: it becomes the first report of a story of its own, and later reports are
compared with both stories (a running \`watchfloor run\` moves it in its story window at its next cycle).
Alerts already posted stay as they are; the article's own follow-up is not posted again as an alert.

Options:
${CONFIG_USAGE}
  -h, --help          show this help`,
  options: { ...configOption },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const id = onlyId(positionals, 'give one article id, e.g. `watchfloor stories split 42` (a follow-up and `watchfloor preview` show it).');
    const store = await openStore(loadCliConfig(values, io), cliLogger(io));
    try {
      const result = await splitArticle(store, id, clockOf(io)());
      (result.status === 'not_found' ? io.stderr : io.stdout).write(`${result.sentence}\n`);
      return result.status === 'not_found' ? 1 : 0;
    } finally {
      await store.close();
    }
  },
};
