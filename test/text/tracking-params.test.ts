import { describe, expect, it } from 'vitest';
import { canonicalUrl } from '../../src/feeds/read/normalize.ts';
import { urlKey } from '../../src/stories/fingerprint.ts';
import { isIgnoredInUrlKey, isTrackingParam } from '../../src/text/tracking-params.ts';

describe('tracking parameters, one list for stored links and URL keys', () => {
  it.each(['utm_source', 'fbclid', 'gclid', 'msclkid', 'mc_eid', 'pk_campaign', 'taid', 'smid'])('%s only tracks the click', (name) => {
    expect(isTrackingParam(name)).toBe(true);
    expect(isIgnoredInUrlKey(name)).toBe(true);
    // Both users of the list drop it.
    expect(canonicalUrl(`https://news.example/a?id=7&${name}=x`)).toBe('https://news.example/a?id=7');
    expect(urlKey(`https://news.example/a?id=7&${name}=x`)).toBe(urlKey('https://news.example/a?id=7'));
  });

  it.each(['ref', 'rss', 'feed', 'from'])('source tag %s is kept in a stored link but ignored in a URL key', (name) => {
    expect(isTrackingParam(name)).toBe(false);
    expect(isIgnoredInUrlKey(name)).toBe(true);
    expect(canonicalUrl(`https://news.example/a?${name}=rss2`)).toBe(`https://news.example/a?${name}=rss2`);
    expect(urlKey(`https://news.example/a?${name}=rss2`)).toBe(urlKey('https://news.example/a'));
  });

  it('keeps parameters that name the page, in both', () => {
    for (const name of ['id', 'p', 'article', 'story_id', 'page']) {
      expect(isIgnoredInUrlKey(name)).toBe(false);
      expect(urlKey(`https://news.example/a?${name}=1`)).not.toBe(urlKey('https://news.example/a'));
    }
    expect(urlKey('https://news.example/a?UTM_Source=x&ID=2')).toBe(urlKey('https://news.example/a?ID=2'));
  });
});
