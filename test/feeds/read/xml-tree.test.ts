/**
 * xml-tree.ts must build exactly the tree xml2js builds (rss-parser's reader, which it stands in
 * for), or decline. Checked key for key (JSON text, so key order counts) against xml2js itself,
 * on hand-made cases and on every XML file of the shared corpora as parse.ts prepares them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import Parser from 'rss-parser';
import { CORPORA, corpusFiles } from '../../../bench/corpus.ts';
import { decodeFeed } from '../../../src/feeds/read/decode.ts';
import { repairXml, splitProlog } from '../../../src/feeds/read/repair.ts';
import { MAX_ELEMENT_TEXT, buildXmlTree, type XmlTreeOptions } from '../../../src/feeds/read/xml-tree.ts';

type XmlCallback = (error: Error | null, tree: unknown) => void;

/** rss-parser's own xml2js reader: the first answer wins (it answers at the root's close, and may complain later). */
function viaXml2js(xml: string, options: XmlTreeOptions = {}): { tree?: unknown; error?: Error } {
  const rssParser = new Parser({
    xml2js: {
      tagNameProcessors: options.tagName ? [options.tagName] : undefined,
      attrNameProcessors: options.attrName ? [options.attrName] : undefined,
    },
  });
  const parser = (rssParser as unknown as { xmlParser: { parseString(xml: string, callback: XmlCallback): void } }).xmlParser;
  let answer: { tree?: unknown; error?: Error } | undefined;
  try {
    parser.parseString(xml, (error, tree) => {
      answer ??= error ? { error } : { tree };
    });
  } catch (error) {
    answer ??= { error: error as Error };
  }
  return answer!;
}

function expectSameTree(xml: string, options?: XmlTreeOptions): void {
  const ours = buildXmlTree(xml, options);
  expect(ours, xml).toBeDefined();
  const theirs = viaXml2js(xml, options);
  expect(theirs.error).toBeUndefined();
  expect(JSON.stringify(ours)).toBe(JSON.stringify(theirs.tree));
}

function expectDeclinedAndSaxFails(xml: string): void {
  expect(buildXmlTree(xml), xml).toBeUndefined();
  expect(viaXml2js(xml).error, xml).toBeInstanceOf(Error);
}

describe('buildXmlTree', () => {
  it('builds xml2js trees: text, attributes, repeated children, empty and whitespace elements', () => {
    expectSameTree('<rss version="2.0"><channel><title>A &amp; B</title><item><title>One</title><link>http://x/1</link></item><item><title/><guid isPermaLink=\'false\'>2</guid></item><empty></empty><ws>  \n </ws></channel></rss>');
  });

  it('keeps CDATA text even when it is only whitespace, and mixed content in xml2js key order', () => {
    expectSameTree('<feed><a><![CDATA[ ]]></a><b x="1">text <i>in</i> between <i>twice</i> end</b><c><![CDATA[<p>html & more</p>]]> tail</c></feed>');
  });

  it('decodes character references and the five entities in text and attributes as sax does', () => {
    expectSameTree('<r a="&quot;q&quot; &#65;&#x42;&#X43;"><t>&lt;p&gt; &apos;&#0065;&#x1F600;&#233;</t></r>');
  });

  it('skips comments, processing instructions and whitespace around the root, and stops at its close', () => {
    expectSameTree('<?xml version="1.0"?>\n<!-- c -->\n<?xml-stylesheet href="s.xsl"?>\n<r>\n<!-- inside --><a>1<?pi x?>2</a>\n</r>\n<!-- after -->\ntrailing text xml2js never reads');
  });

  it('renames elements and attributes with the given processors, matching close tags by their written names', () => {
    const lower = (name: string) => name.toLowerCase();
    expectSameTree('<CHANNEL HREF="h"><ITEM><TITLE>T</TITLE></ITEM><Item/></CHANNEL>', { tagName: lower, attrName: lower });
    const strip = (name: string) => name.replace(/^rss:/, '');
    expectSameTree('<rdf:RDF xmlns:rss="u"><rss:channel><rss:title>x</rss:title></rss:channel></rdf:RDF>', { tagName: strip });
  });

  it('keeps the first of two attributes with one name, like sax', () => {
    expectSameTree('<r a="1" a="2" b="3"/>');
  });

  it('keeps elements whose names are Object.prototype keys as plain children', () => {
    expectSameTree('<r><constructor>c</constructor><__proto__>p</__proto__><toString/></r>');
  });

  it('declines what sax rejects, so xml2js reports it with its position', () => {
    for (const xml of [
      '<r><a></b></r>', // mismatched close tag
      '<r><a>', // unclosed
      'text<r/>', // text before the root
      '<r a=1/>', // unquoted attribute
      '<r a/>', // attribute without a value
      '<r a="1"b="2"/>', // no whitespace between attributes
      '<r>&bogus;</r>', // an entity nobody declares
      '<r>a & b</r>', // a bare ampersand
      '<r>&#0;</r>', // a character XML forbids
      '<r>&#xD800;</r>',
      '<r a="&bogus;"/>',
      '<r><!-- a -- b --></r>', // `--` inside a comment
      '<r>1 < 2</r>', // an unescaped <
    ]) {
      expectDeclinedAndSaxFails(xml);
    }
  });

  it('declines what it does not read itself: non-ASCII names, DOCTYPEs, names that are xml2js keys, HTML entities', () => {
    // sax knows HTML's entities; repair.ts turns them into character references before either reads the text.
    for (const xml of ['<r><заголовок>x</заголовок></r>', '<!DOCTYPE r><r/>', '<r><_>x</_></r>', '<r>&nbsp;</r>', '<r>&AMP;</r>', '<r></ r>']) {
      expect(buildXmlTree(xml), xml).toBeUndefined();
    }
  });
});

const files = existsSync(CORPORA) ? corpusFiles().filter((f) => !/\.(json|opml)$/i.test(f.name)) : [];

describe('buildXmlTree on the shared corpora', () => {
  it('builds the tree xml2js builds for every file it reads, and declines only what sax rejects', () => {
    expect(files.length).toBeGreaterThan(4800);
    let read = 0;
    for (const file of files) {
      const text = decodeFeed(readFileSync(file.path), file.contentType).text.replace(/^\ufeff/, '');
      const { rootName, body } = splitProlog(text);
      if (!rootName) continue;
      const xml = repairXml(body);
      const ours = buildXmlTree(xml);
      const theirs = viaXml2js(xml);
      if (ours === undefined) {
        expect(theirs.error, `${file.name}: declined, but sax reads it`).toBeInstanceOf(Error);
        continue;
      }
      read++;
      expect(theirs.error?.message, `${file.name}: read, but sax rejects it`).toBeUndefined();
      expect(JSON.stringify(ours), file.name).toBe(JSON.stringify(theirs.tree));
    }
    expect(read).toBeGreaterThan(4800);
  });
});

describe('buildXmlTree: the text of an element is kept up to MAX_ELEMENT_TEXT (issue 17)', () => {
  it.each([
    ['escaped markup', '&lt;p&gt;Shells &amp; rockets.&lt;/p&gt;'],
    ['plain text', 'North Korea shipped shells. '],
    ['CDATA', '<![CDATA[<p>Shells & rockets.</p>]]>'],
  ])('%s', (_what, piece) => {
    const text = piece.repeat(Math.ceil((3 * MAX_ELEMENT_TEXT) / piece.length));
    const tree = buildXmlTree(`<rss><channel><item><description>${text}</description><title>after</title></item></channel></rss>`) as unknown as { rss: { channel: Array<{ item: Array<Record<string, unknown[]>> }> } };
    const item = tree.rss.channel[0]!.item[0]!;
    const node = item.description![0] as string | { _: string };
    const description = typeof node === 'string' ? node : node._;
    expect(description.length).toBeLessThanOrEqual(MAX_ELEMENT_TEXT);
    // The raw text is cut before decoding: entities make the decoded text shorter than the limit.
    expect(description.length).toBeGreaterThan(MAX_ELEMENT_TEXT / 2);
    expect(description).not.toMatch(/&[a-z#0-9]*$/);
    expect(item.title).toEqual(['after']);
  });
});
