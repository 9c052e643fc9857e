/**
 * Event evidence: what tells one event from another when many reports share a subject.
 *
 * Glossary:
 * - quantity: a number the report states (6,700 · 6천700 · 6,7 тыс. → 6700), written the same way
 *   whatever the script; dates and years are left out (every report of a day shares them).
 * - name: a person, place, organisation, ship or object that marks an event (Rajin, NIS, Angara,
 *   satellite). Known names come from a small multilingual list (`NAMES`); other proper names are
 *   keyed by a transliteration skeleton, so 페스코프, Песков and Peskov meet across scripts.
 * - action: what happened, as a class (sign, ratify, submit, deny, …), read from the headline only:
 *   leads recall earlier steps ("hours after signing a pact", "after the treaty was concluded").
 *
 * Two reports that share the subject but differ in a key number or in the action are different
 * events (cluster.ts vetoes the fold); shared names and numbers count as evidence of one event in
 * any pair of languages.
 */

import { normalizeText, stripMarkup } from './fingerprint.ts';

export interface EventEvidence {
  /** Feature keys: `q:6700` for quantities, `e:nis` for known names, `n:<skeleton>` for other names. */
  features: string[];
  /** A display label per feature key, as this report writes it. */
  labels: Map<string, string>;
  /** Keys of the quantities from KEY_QUANTITY_MIN up, for the number conflict rule. */
  quantities: string[];
  /** The action class of the headline, if any. */
  action: Action | undefined;
  /** Known places, and objects (a treaty, a bridge, a satellite), by id. */
  places: string[];
  objects: string[];
  /** Who speaks (persons and organisations, a spokesman as his office), from the headline, else the lead. */
  speakers: string[];
  /** Places the headline names, North Korea itself included (`home`): where the event happens. */
  titlePlaces: string[];
}

// Only for where a headline's event happens: "Putin arrives in North Korea" vs "… in Vietnam".
const HOME = ['pyongyang', 'north korea', 'n korea', 'пхеньян', 'кндр', 'северн коре', '평양', '북한'];

/**
 * Action classes, most specific first: a report that submits a ratification bill mentions
 * ratification, a denial repeats the claim it denies, so the first class found wins.
 */
const ACTIONS = [
  ['submit', ['submit', 'внес', 'внесен', 'внесл', 'законопроект', '제출']],
  ['ratify', ['ratif', 'ратифиц', '비준']],
  ['deny', ['deni', 'deny', 'dismiss', 'fake', 'rumour', 'rumor', 'groundless', 'фейк', 'опроверг', 'беспочвенн', 'слух', '부인', '반박', '가짜', '소문']],
  ['publish', ['disclos', 'publish', 'reveal', 'опубликова', 'обнародова', '공개']],
  ['warn', ['warn', 'mistake', 'предупред', 'ошибк', '경고', '실수']],
  ['review', ['reconsider', 'review', 'пересмотр', '재검토']],
  ['concern', ['concern', 'обеспокоен', '우려']],
  ['gift', ['gift', 'gave', 'подарил', 'подарок', '선물']],
  ['sign', ['sign', 'agree', 'подписа', 'заключил', 'договорил', '서명', '체결']],
  ['travel', ['arriv', 'leave', 'landed', 'прибыл', 'прилетел', 'улетел', '도착', '떠나']],
  ['welcome', ['welcom', 'ceremon', 'церемони', '환영']],
] as const;
// Verbs such as "sends", "ships", "trains" or "docks" are left out: one event's reports use them
// interchangeably (a cargo ship "seen at Rajin" in one headline, "carrying containers" in another).
export type Action = (typeof ACTIONS)[number][0];

/**
 * Names that mark an event, with their forms in English, Russian and Korean (normalized text;
 * Latin and Cyrillic forms match word prefixes in sequence, Hangul forms anywhere in a word, since
 * particles are glued to the noun). Countries of the subject itself (North Korea, Russia, Ukraine,
 * South Korea) are not here: every report of the subject names them.
 */
type NameKind = 'person' | 'org' | 'place' | 'ship' | 'object';

const NAMES: Array<[id: string, label: string, forms: string[], kind: NameKind, speaksFor?: string]> = [
  ['kim-jong-un', 'Kim Jong Un', ['kim jong un', 'ким чен ын', '김정은'], 'person'],
  ['putin', 'Putin', ['putin', 'путин', '푸틴'], 'person', 'kremlin'],
  ['peskov', 'Peskov', ['peskov', 'песков', '페스코프'], 'person', 'kremlin'],
  ['ushakov', 'Ushakov', ['ushakov', 'ушаков', '우샤코프'], 'person', 'kremlin'],
  ['lavrov', 'Lavrov', ['lavrov', 'лавров', '라브로프'], 'person'],
  ['budanov', 'Budanov', ['budanov', 'буданов', '부다노프'], 'person', 'hur'],
  ['shin-won-sik', 'Shin Won-sik', ['shin won sik', 'шин вон сик', '신원식'], 'person'],
  ['chang-ho-jin', 'Chang Ho-jin', ['chang ho jin', 'чан хо джин', '장호진'], 'person', 'nsc'],
  ['hayashi', 'Hayashi', ['hayashi', 'хаяси', '하야시'], 'person', 'japan'],
  ['nis', 'NIS', ['nis', 'national intelligence service', 'spy agency', 'национальн служб развед', 'южнокорейск развед', 'развед южн коре', '국정원', '국가정보원'], 'org'],
  ['hur', 'HUR', ['hur', 'military intelligence', 'гур', 'главн управлен развед', '정보총국'], 'org'],
  ['jcs', 'JCS', ['jcs', 'joint chiefs', 'объединенн комитет начальник', 'окнш', '합참', '합동참모본부'], 'org'],
  ['kcna', 'KCNA', ['kcna', 'korean central news', 'цтак', '조선중앙통신'], 'org'],
  ['rusi', 'RUSI', ['rusi', 'royal united services', 'королевск объединенн институт', '왕립합동군사연구소'], 'org'],
  ['duma', 'State Duma', ['duma', 'lower house', 'госдум', 'государственн дум', '국가두마', '하원'], 'org'],
  ['un', 'UN', ['united nations', 'оон', 'генеральн ассамбле', '유엔'], 'org'],
  ['nsc', 'National Security Council', ['national security', 'nsc', 'совбез', '국가안전보장회의', '국가안보실'], 'org'],
  ['kremlin', 'Kremlin', ['kremlin', 'кремл', '크렘린'], 'org'],
  ['vladivostok', 'Vladivostok', ['vladivostok', 'владивосток', '블라디보스토크'], 'place'],
  ['kursk', 'Kursk', ['kursk', 'курск', '쿠르스크'], 'place'],
  ['vietnam', 'Vietnam', ['vietnam', 'hanoi', 'вьетнам', 'ханой', '베트남', '하노이'], 'place'],
  ['kim-il-sung-square', 'Kim Il Sung Square', ['kim il sung square', 'площад ким ир сен', '김일성광장'], 'place'],
  ['tumen', 'Tumen River', ['tumen', 'туманн', '두만강'], 'place'],
  ['rajin', 'Rajin', ['rajin', 'najin', 'rason', 'раджин', 'наджин', 'расон', '나진', '라진', '라선', '나선'], 'place'],
  ['vostochny', 'Vostochny', ['vostochny', 'восточн порт', '보스토치니'], 'place'],
  ['dunai', 'Dunai', ['dunai', 'дунай', '두나이'], 'place'],
  ['angara', 'Angara', ['angara', 'ангар', '앙가라'], 'ship'],
  ['aurus', 'Aurus', ['aurus', 'аурус', '아우루스'], 'object'],
  ['china', 'China', ['china', 'chinese', 'zhejiang', 'китай', 'китайск', 'чжэцзян', '중국', '저장성', '中'], 'place'],
  ['japan', 'Japan', ['japan', 'tokyo', 'япони', 'японск', 'токио', '일본', '도쿄', '日'], 'org'],
  ['special-forces', 'special forces', ['special forces', 'спецназ', '특수부대'], 'org'],
  ['navy', 'navy', ['navy', 'naval', 'вмф', 'военно морск', '해군'], 'org'],
  ['satellite', 'satellite', ['satellite', 'спутник', '위성'], 'object'],
  ['submarine', 'submarine', ['submarine', 'подводн лодк', '잠수함'], 'object'],
  ['bridge', 'bridge', ['bridge', 'мост', '다리', '교량'], 'object'],
  ['containers', 'containers', ['container', 'контейнер', '컨테이너'], 'object'],
  ['shipyard', 'shipyard', ['shipyard', 'верф', '조선소'], 'object'],
  ['treaty', 'treaty', ['treaty', 'pact', 'договор$', 'договора$', 'договору$', 'договором$', 'договоре$', '조약'], 'object'],
];

interface CompiledForm {
  id: string;
  words: string[];
  hangul: boolean;
}

const HANGUL = /\p{Script=Hangul}|[\u4e00-\u9fff]/u;
const KINDS = new Map(NAMES.map(([id, , , kind, speaksFor]) => [id, { kind, speaker: kind === 'person' || kind === 'org' ? (speaksFor ?? id) : undefined }]));
const FORMS: CompiledForm[] = NAMES.flatMap(([id, , forms]) =>
  forms.map((form) => ({ id, words: form.split(' '), hangul: HANGUL.test(form) })),
);
const LABELS = new Map(NAMES.map(([id, label]) => [`e:${id}`, label]));
// Forms by the first two characters of their first word: each word of a text tries only these.
const FORMS_BY_HEAD = new Map<string, CompiledForm[]>();
const HANGUL_FORMS = FORMS.filter((form) => form.hangul);
for (const form of FORMS) {
  if (form.hangul) continue;
  const head = form.words[0]!.slice(0, 2);
  const list = FORMS_BY_HEAD.get(head) ?? [];
  list.push(form);
  FORMS_BY_HEAD.set(head, list);
}

const MONTHS =
  /^(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|янв|фев|мар|апр|ма[йя]|июн|июл|авг|сен|окт|ноя|дек)/;
const LATIN_MONTH = /^(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)$/;
const LATIN_MULTIPLIER: Record<string, number> = { thousand: 1e3, million: 1e6, billion: 1e9 };
const CYRILLIC_MULTIPLIER: Array<[string, number]> = [['тыс', 1e3], ['млн', 1e6], ['миллион', 1e6], ['млрд', 1e9], ['миллиард', 1e9]];
// Korean numerals mix digits with place words: 1만2천 = 12,000, 6천700 = 6,700, 300만 = 3,000,000.
const KOREAN_NUMBER = /^(\d+(?:\.\d+)?(?:억|만|천|백)?)+/u;

/**
 * Quantities of a text, as integers (rounded), without dates and years. Reads the raw text, since
 * a decimal comma ("1,5 тыс.") would not survive normalization.
 */
export function quantities(text: string): Array<{ value: number; label: string }> {
  const out: Array<{ value: number; label: string }> = [];
  // Digits with separators, then what follows them (a multiplier, a unit, a month, 년/일).
  const pattern = /(\d+(?:[.,\u00a0\u202f ]\d{3})*(?:[.,]\d+)?)((?:억|만|천|백)?(?:\d+(?:억|만|천|백)?)*)(\s*)([\p{L}.]{0,12})/gu;
  const prepared = text.normalize('NFKC');
  for (const m of prepared.matchAll(pattern)) {
    const before = prepared.slice(Math.max(0, (m.index ?? 0) - 12), m.index).toLowerCase();
    const digits = m[1]!;
    const korean = m[2]!;
    const space = m[3]!;
    const after = m[4]!.toLowerCase();
    let value: number;
    if (korean) {
      const whole = KOREAN_NUMBER.exec(digits.replace(/[,\u00a0\u202f ]/g, '') + korean)?.[0];
      if (!whole) continue;
      value = koreanValue(whole);
    } else {
      value = plainValue(digits);
    }
    if (!Number.isFinite(value)) continue;
    const word = after.replace(/\.$/, '');
    const previous = before.split(/[^\p{L}]+/u).filter(Boolean).pop() ?? '';
    // Dates and years: 19일, 7월, "June 19", "19 июня", "Oct. 18"; 2000년, "2024 года", a bare 2024.
    if (!space && /^(일|월|日|月)/u.test(after)) continue;
    if ((!/[a-z]/.test(word) && MONTHS.test(word)) || (/[a-z]/.test(word) && LATIN_MONTH.test(word))) continue;
    if (LATIN_MONTH.test(previous)) continue;
    if (value >= 1900 && value <= 2100 && /^\d{4}$/.test(digits) && !korean) continue;
    const multiplier = LATIN_MULTIPLIER[word] ?? CYRILLIC_MULTIPLIER.find(([stem]) => word.startsWith(stem))?.[1] ?? 1;
    // Whole after a multiplier (1,5 тыс. → 1500); a bare decimal keeps its decimals (magnitude 6.8).
    const total = Math.round(value * multiplier * 100) / 100;
    if (total === 0) continue;
    out.push({ value: total, label: total.toLocaleString('en-US') });
  }
  return out;
}

function plainValue(digits: string): number {
  // "12,000" and "13 000" group thousands; "1,5" and "2.5" are decimals.
  const grouped = /^\d{1,3}(?:[.,\u00a0\u202f ]\d{3})+$/.test(digits);
  if (grouped) return Number(digits.replace(/[.,\u00a0\u202f ]/g, ''));
  return Number(digits.replace(',', '.'));
}

function koreanValue(text: string): number {
  let total = 0;
  let section = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)?(억|만|천|백)?/gu)) {
    if (!m[0]) continue;
    const n = m[1] === undefined ? 1 : Number(m[1]);
    const unit = m[2];
    if (unit === '억' || unit === '만') {
      total += (section + (m[1] === undefined && section > 0 ? 0 : n)) * (unit === '억' ? 1e8 : 1e4);
      section = 0;
    } else if (unit === '천') section += n * 1e3;
    else if (unit === '백') section += n * 100;
    else section += n;
  }
  return total + section;
}

// Romanization tables: Cyrillic letters, and Hangul jamo (initial, medial, final) of the
// Revised Romanization, except that ㅡ (eu, the vowel Korean inserts between foreign consonants)
// is dropped: 라브로프 reads "rabrop", close to Lavrov.
const CYRILLIC: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'e', ж: 'zh', з: 'z', и: 'i', й: 'i', к: 'k', л: 'l', м: 'm',
  н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'h', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'sh',
  ъ: '', ы: 'y', ь: '', э: 'e', ю: 'yu', я: 'ya', і: 'i', ї: 'i', є: 'e', ґ: 'g',
};
const INITIALS = ['g', 'kk', 'n', 'd', 'tt', 'r', 'm', 'b', 'pp', 's', 'ss', '', 'j', 'jj', 'ch', 'k', 't', 'p', 'h'];
const MEDIALS = ['a', 'ae', 'ya', 'yae', 'eo', 'e', 'yeo', 'ye', 'o', 'wa', 'wae', 'oe', 'yo', 'u', 'wo', 'we', 'wi', 'yu', '', 'ui', 'i'];
const FINALS = ['', 'k', 'k', 'k', 'n', 'n', 'n', 't', 'l', 'l', 'l', 'l', 'l', 'l', 'l', 'l', 'm', 'p', 'p', 't', 't', 'ng', 't', 't', 'k', 't', 'p', 't'];

/** Latin letters for a word in Latin, Cyrillic or Hangul script. */
export function romanize(word: string): string {
  let out = '';
  for (const ch of word) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xac00 && code <= 0xd7a3) {
      const s = code - 0xac00;
      out += INITIALS[Math.floor(s / 588)]! + MEDIALS[Math.floor((s % 588) / 28)]! + FINALS[s % 28]!;
    } else {
      out += CYRILLIC[ch] ?? ch;
    }
  }
  return out;
}

/**
 * A sound skeleton that survives transliteration: consonants folded into classes (b/v/f/p, d/t,
 * g/k/c/q, j/ch/zh, s/z/sh/ts, l/r), h dropped, vowel runs one `a`, doubles collapsed, a final
 * vowel dropped. Putin, Путин and 푸틴 all give "patan".
 */
export function skeleton(word: string): string {
  const latin = romanize(word.toLowerCase())
    .replace(/shch|sch|sh|zh|ts|tz|ch|jj|j|dzh/g, 'j')
    .replace(/ng$/, 'n');
  let out = '';
  for (const ch of latin) {
    let c: string;
    if ('bvfpw'.includes(ch)) c = 'p';
    else if ('dt'.includes(ch)) c = 't';
    else if ('gkcqx'.includes(ch)) c = 'k';
    else if ('sz'.includes(ch)) c = 's';
    else if ('lr'.includes(ch)) c = 'r';
    else if ('aeiouy'.includes(ch)) c = 'a';
    else if (ch === 'h') continue;
    else if (ch === 'n' || ch === 'm' || ch === 'j') c = ch;
    else continue;
    if (out.endsWith(c)) continue;
    out += c;
  }
  return out.replace(/a$/, '');
}

// Capitalized words that are not names of an event's actors.
const NOT_NAMES = new Set(
  (
    'the a an on in at of and for to by as with from after before this that it its his her their president leader ' +
    'minister ministry chief spokesman spokesperson secretary state agency news monday tuesday wednesday thursday ' +
    'friday saturday sunday january february march april may june july august september october november december ' +
    'north south east west korea korean koreans russia russian russians ukraine ukrainian seoul moscow pyongyang ' +
    'kyiv dprk rok us usa yonhap reuters tass ria ap kim jong un vladimir ' +
    'президент министр глава россия россии российский кндр корея кореи южной северной украина украины москва ' +
    'пхеньян сеул киев новости риа тасс'
  ).split(' '),
);
const MIN_SKELETON = 4;
// Numbers from 100 up are the figures a report is about (troops, containers, shells); smaller
// ones (Article 4, 24 years) still count as shared evidence but never veto a fold.
const KEY_QUANTITY_MIN = 100;

/** The event evidence of a report. */
export function eventEvidence(title: string, lead: string): EventEvidence {
  const labels = new Map<string, string>();
  const features: string[] = [];
  const add = (key: string, label: string) => {
    if (labels.has(key)) return;
    labels.set(key, label);
    features.push(key);
  };
  const rawTitle = stripMarkup(title);
  const rawLead = stripMarkup(lead);
  const quantityKeys: string[] = [];
  for (const q of [...quantities(rawTitle), ...quantities(rawLead)]) {
    const key = `q:${q.value}`;
    if (!labels.has(key) && q.value >= KEY_QUANTITY_MIN) quantityKeys.push(key);
    add(key, q.label);
  }
  const titleText = normalizeText(rawTitle);
  const leadText = normalizeText(rawLead);
  const inTitle = knownNames(titleText);
  const all = new Set([...inTitle, ...knownNames(leadText)]);
  for (const id of all) add(`e:${id}`, LABELS.get(`e:${id}`)!);
  const ofKind = (ids: Iterable<string>, kind: NameKind) => [...ids].filter((id) => KINDS.get(id)?.kind === kind);
  const speakersOf = (ids: Iterable<string>) => [...new Set([...ids].flatMap((id) => KINDS.get(id)?.speaker ?? []))];
  const titleSpeakers = speakersOf(inTitle);
  for (const name of otherNames(`${rawTitle}. ${rawLead}`)) {
    // A name the list knows is already a feature; its skeleton could only collide with a word.
    if (knownNames(normalizeText(name)).size > 0) continue;
    const key = skeleton(name);
    if (key.length < MIN_SKELETON) continue;
    add(`n:${key}`, name);
  }
  return {
    features,
    labels,
    quantities: quantityKeys,
    action: actionOf(titleText),
    places: ofKind(all, 'place'),
    objects: ofKind(all, 'object'),
    speakers: titleSpeakers.length > 0 ? titleSpeakers : speakersOf(all),
    titlePlaces: [...ofKind(inTitle, 'place'), ...(HOME.some((form) => hasForm(titleText, form)) ? ['home'] : [])],
  };
}

function hasForm(text: string, form: string): boolean {
  if (HANGUL.test(form)) return text.includes(form);
  const at = ` ${text} `.indexOf(` ${form}`);
  return at >= 0;
}

function knownNames(text: string): Set<string> {
  const found = new Set<string>();
  const words = text.split(' ');
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (HANGUL.test(word)) {
      for (const form of HANGUL_FORMS) if (word.includes(form.words[0]!)) found.add(form.id);
      continue;
    }
    for (const form of FORMS_BY_HEAD.get(word.slice(0, 2)) ?? []) {
      let ok = true;
      for (let k = 0; k < form.words.length && ok; k++) {
        const w = words[i + k];
        const f = form.words[k]!;
        // One-word acronyms (NIS, HUR) and forms marked `$` are whole words; other forms are stems.
        if (w === undefined) ok = false;
        else if (f.endsWith('$')) ok = w === f.slice(0, -1);
        else ok = f.length <= 3 && form.words.length === 1 ? w === f : w.startsWith(f);
      }
      if (ok) found.add(form.id);
    }
  }
  return found;
}

/**
 * Proper names the known list does not have: capitalized Latin or Cyrillic words that do not start
 * a sentence, and Hangul words (Korean writes foreign names in Hangul, without capitals).
 */
function otherNames(text: string): string[] {
  const out: string[] = [];
  let sentenceStart = true;
  for (const m of text.normalize('NFKC').matchAll(/[\p{L}\p{N}]+|[.!?:"«»]/gu)) {
    const token = m[0];
    if (/^[.!?:"«»]$/u.test(token)) {
      sentenceStart = true;
      continue;
    }
    const start = sentenceStart;
    sentenceStart = false;
    if (/\p{Script=Hangul}/u.test(token)) {
      if (token.length >= 3) out.push(token.replace(/(으로|에서|에게|까지|부터|은|는|이|가|을|를|의|에|로|와|과|도|호|측)$/u, ''));
      continue;
    }
    if (start || !/^\p{Lu}\p{Ll}{3,}$/u.test(token)) continue;
    if (NOT_NAMES.has(token.toLowerCase())) continue;
    out.push(token);
  }
  return out;
}

function actionOf(text: string): Action | undefined {
  if (text === '') return undefined;
  const words = text.split(' ');
  for (const [action, stems] of ACTIONS) {
    for (const stem of stems) {
      if (HANGUL.test(stem) ? text.includes(stem) : words.some((w) => w.startsWith(stem))) return action;
    }
  }
  return undefined;
}
