/**
 * Query parameters that say nothing about which page a link names: one list for the links we store and show
 * (feeds/normalize.ts `canonicalUrl`) and for the URL keys that tell two reports are one page (stories/fingerprint.ts).
 * Names are compared lowercased.
 */

/** Parameters that only track the click: campaign tags, ad-click ids, mail-list and analytics ids. */
const TRACKING_PARAMS = new Set([
  'fbclid', 'gclid', 'gclsrc', 'dclid', 'gbraid', 'wbraid', 'msclkid', 'yclid', 'twclid', 'ttclid', 'li_fat_id',
  'mc_cid', 'mc_eid', 'igshid', 'igsh', '_hsenc', '_hsmi', 'hsctatracking', 'mkt_tok', 'oly_anon_id', 'oly_enc_id',
  'vero_id', 'vero_conv', '__s', 'rb_clickid', 's_cid', 'spm', 'ref_src', 'ref_url', 'cmpid', 'ncid', 'sr_share',
  'at_medium', 'at_campaign', 'ito', 'xtor', 'wt_mc', 'wt.mc_id', 'smid', 'ocid', 'ftag', 'taid',
]);
const TRACKING_PREFIXES = ['utm_', 'pk_', 'mtm_', 'piwik_', 'matomo_', 'hmb_', 'ns_'];

/**
 * Parameters that name where a link was found (`?ref=rss`, `?from=homepage`, `?feed=…`). They are ignored when
 * deciding whether two links are one page (URL keys: an outlet's RSS link and its homepage link to one article
 * must meet), but kept in the links we store and show, because on some sites they select what the page serves
 * (WordPress answers `?feed=rss2` with a feed, `from` pages through lists): removing them could change the link.
 */
const SOURCE_TAGS = new Set(['ref', 'rss', 'feed', 'from']);

/** `lower`: the parameter's name, lowercased. */
export function isTrackingParam(lower: string): boolean {
  return TRACKING_PARAMS.has(lower) || TRACKING_PREFIXES.some((p) => lower.startsWith(p));
}

/** Tracking parameters and source tags: what a URL key leaves out. `lower`: the name, lowercased. */
export function isIgnoredInUrlKey(lower: string): boolean {
  return SOURCE_TAGS.has(lower) || isTrackingParam(lower);
}
