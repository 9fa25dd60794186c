// match_eval_gen.mjs — a second, independent evaluation set for the name
// matcher, built from names that are NOT on any list (@faker-js/faker's
// person and company name tables in 16 locales, seed 16), and a file of
// ordinary names for the false-alert rate.
//
//   node bench/match_eval_gen.mjs            # writes the two files below
//
// tests/data/match_eval2.csv   name1,name2,label,category,split
//   labelled pairs of persons and companies in Latin, Cyrillic, Greek, Han,
//   Hangul and Arabic script; each pair is in the "tune" or the "holdout"
//   split (alternating by pair number within its category).  The matcher was
//   never tuned on the holdout rows; docs/screening.md reports both.
// tests/data/names_ordinary.csv  name,kind,locale
//   10,000 company and 20,000 person names in 16 locales: none of them is a
//   listed party, so every hit at the threshold is a false alert.
//
// Transliterations are written here (BGN/PCGN-style for Russian and
// Ukrainian, ELOT 743-style for Greek), not by ICU, so that the pairs test the
// matcher's own transliteration against another scheme.
import { writeFileSync } from 'node:fs';
import {
  fakerEN_US, fakerDE, fakerFR, fakerES, fakerIT, fakerTR, fakerRU, fakerUK, fakerEL,
  fakerAR, fakerFA, fakerHE, fakerZH_CN, fakerJA, fakerKO, fakerVI,
} from '@faker-js/faker';

const SEED = 16;
const LOCALES = {
  en: fakerEN_US, de: fakerDE, fr: fakerFR, es: fakerES, it: fakerIT, tr: fakerTR, ru: fakerRU,
  uk: fakerUK, el: fakerEL, ar: fakerAR, fa: fakerFA, he: fakerHE, zh: fakerZH_CN, ja: fakerJA,
  ko: fakerKO, vi: fakerVI,
};
for (const f of Object.values(LOCALES)) f.seed(SEED);
const rnd = fakerEN_US;

const CYR = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ё: 'yo', ж: 'zh', з: 'z', и: 'i', й: 'y',
  к: 'k', л: 'l', м: 'm', н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f',
  х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'shch', ъ: '', ы: 'y', ь: '', э: 'e', ю: 'yu',
  я: 'ya', і: 'i', ї: 'yi', є: 'ye', ґ: 'g',
};
const GRK = {
  α: 'a', ά: 'a', β: 'v', γ: 'g', δ: 'd', ε: 'e', έ: 'e', ζ: 'z', η: 'i', ή: 'i', θ: 'th',
  ι: 'i', ί: 'i', ϊ: 'i', ΐ: 'i', κ: 'k', λ: 'l', μ: 'm', ν: 'n', ξ: 'x', ο: 'o', ό: 'o',
  π: 'p', ρ: 'r', σ: 's', ς: 's', τ: 't', υ: 'y', ύ: 'y', ϋ: 'y', φ: 'f', χ: 'ch', ψ: 'ps',
  ω: 'o', ώ: 'o',
};
function translit(s, table) {
  let o = '';
  for (const ch of s) {
    const lo = ch.toLowerCase();
    const t = table[lo];
    if (t === undefined) { o += ch; continue; }
    o += ch !== lo && t ? t[0].toUpperCase() + t.slice(1) : t;
  }
  return o;
}

// person names without titles (Frau, Mr., Sr., خانم…)
const TITLES = /^(Mr|Mrs|Ms|Miss|Dr|Frau|Herr|Prof|M|Mme|Mlle|Sr|Sra|Srta|Bay|Bayan|Jr|Sr\.|Jr\.|κ|κα|гр|خانم|آقای|מר|גברת|ד"ר)\.?$/i;
function person(f) {
  return f.person.firstName() + ' ' + f.person.lastName();
}
function clean(s) {
  return s.split(/\s+/).filter((w) => !TITLES.test(w)).join(' ').replace(/[,"]/g, '').trim();
}

function typo(w) {
  if (w.length < 5) return w;
  const i = 1 + rnd.number.int({ min: 0, max: w.length - 3 });
  const k = rnd.number.int({ min: 0, max: 2 });
  if (k === 0) return w.slice(0, i) + w.slice(i + 1);               // deletion
  if (k === 1) return w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2); // transposition
  return w.slice(0, i) + 'aeiou'[rnd.number.int({ min: 0, max: 4 })] + w.slice(i + 1);
}

const rows = [];
const perCat = {};
function add(a, b, label, cat) {
  a = clean(a); b = clean(b);
  if (!a || !b) return;
  const n = (perCat[cat] = (perCat[cat] || 0) + 1);
  rows.push([a, b, label, cat, n % 2 ? 'tune' : 'holdout']);
}

// ---- persons ---------------------------------------------------------------
const LATIN = ['en', 'de', 'fr', 'es', 'it', 'tr', 'vi'];
for (let i = 0; i < 200; i++) {
  const f = LOCALES[LATIN[i % LATIN.length]];
  const fn = f.person.firstName(), ln = f.person.lastName();
  add(`${fn} ${ln}`, `${ln.toUpperCase()}, ${fn}`, 1, 'p_reorder');
  add(`${fn} ${ln}`, `${fn} ${typo(ln)}`, 1, 'p_typo');
  add(`${fn} ${ln}`, `${fn[0]}. ${ln}`, 1, 'p_initial');
  const other = f.person.firstName();
  if (other !== fn) add(`${fn} ${ln}`, `${other} ${ln}`, 0, 'p_neg_given');
  const ln2 = f.person.lastName();
  if (ln2 !== ln && ln2.slice(0, 3) !== ln.slice(0, 3)) add(`${fn} ${ln}`, `${fn} ${ln2}`, 0, 'p_neg_family');
}
for (let i = 0; i < 200; i++) {
  const f = i % 2 ? LOCALES.ru : LOCALES.uk;
  const fn = f.person.firstName(), ln = f.person.lastName();
  add(`${fn} ${ln}`, translit(`${fn} ${ln}`, CYR), 1, 'p_cyrillic_latin');
  const ln2 = f.person.lastName();
  if (ln2 !== ln) add(`${fn} ${ln}`, translit(`${fn} ${ln2}`, CYR), 0, 'p_neg_cyrillic');
}
for (let i = 0; i < 100; i++) {
  const f = LOCALES.el;
  const fn = f.person.firstName(), ln = f.person.lastName();
  add(`${fn} ${ln}`, translit(`${fn} ${ln}`, GRK), 1, 'p_greek_latin');
}
for (let i = 0; i < 100; i++) {
  for (const [loc, cat] of [['zh', 'p_han_char'], ['ko', 'p_hangul_char']]) {
    const f = LOCALES[loc];
    const a = f.person.lastName() + f.person.firstName();
    const b = f.person.lastName() + f.person.firstName();
    const chars = [...a];
    if (chars.length < 2) continue;
    // the same name, and the name with one character replaced by another
    // name's character: a different person
    const j = 1 + (i % (chars.length - 1));
    const c = [...b].find((x) => !chars.includes(x));
    if (!c) continue;
    const changed = chars.slice(0, j).join('') + c + chars.slice(j + 1).join('');
    add(a, changed, 0, cat);
  }
}
for (let i = 0; i < 100; i++) {
  const f = i % 2 ? LOCALES.ar : LOCALES.fa;
  const fn = f.person.firstName(), ln = f.person.lastName(), ln2 = f.person.lastName();
  add(`${fn} ${ln}`, `${ln} ${fn}`, 1, 'p_arabic_reorder');
  if (ln2 !== ln) add(`${fn} ${ln}`, `${fn} ${ln2}`, 0, 'p_neg_arabic');
}

// ---- companies -------------------------------------------------------------
const SAME_FORMS = [
  ['LLC', 'Limited Liability Company'], ['LLC', 'OOO'], ['AG', 'Aktiengesellschaft'],
  ['Ltd', 'Limited'], ['Co., Ltd.', 'Company Limited'], ['JSC', 'Joint Stock Company'],
  ['GmbH', 'Gesellschaft mit beschränkter Haftung'], ['S.A.', 'Sociedad Anonima'],
];
const OTHER_FORMS = [['AG', 'GmbH'], ['LLC', 'JSC'], ['Ltd', 'PLC'], ['GmbH', 'KG'], ['OOO', 'AO']];
const TRADES = ['Gas', 'Oil', 'Steel', 'Shipping', 'Textile', 'Mining', 'Chemical', 'Logistics',
  'Electronics', 'Machinery', 'Aviation', 'Timber', 'Cement', 'Pharma', 'Energy', 'Grain'];
const ORD = [['First', '1st'], ['Second', '2nd'], ['Third', '3rd'], ['Forty-Four', '44'], ['Seventh', '7th']];
function core(f) {
  return f.person.lastName() + (rnd.number.int({ min: 0, max: 1 }) ? ' ' + rnd.helpers.arrayElement(TRADES) : '');
}
for (let i = 0; i < 200; i++) {
  const f = LOCALES[LATIN[i % LATIN.length]];
  const c = core(f);
  const [a, b] = rnd.helpers.arrayElement(SAME_FORMS);
  add(`${c} ${a}`, `${c} ${b}`, 1, 'c_legal_same');
  const [x, y] = rnd.helpers.arrayElement(OTHER_FORMS);
  add(`${c} ${x}`, `${c} ${y}`, 0, 'c_legal_other');
  const words = c.split(' ');
  const w = words[0];
  if (w.length >= 6) {
    const k = 3 + (i % (w.length - 5));
    add(`${c} ${a}`, `${w.slice(0, k)}-${w.slice(k).toLowerCase()} ${words.slice(1).join(' ')} ${a}`, 1, 'c_split');
    add(`${c} ${a}`, `${typo(w)} ${words.slice(1).join(' ')} ${a}`, 1, 'c_typo');
  }
  const t1 = rnd.helpers.arrayElement(TRADES);
  let t2 = rnd.helpers.arrayElement(TRADES);
  if (t2 === t1) t2 = TRADES[(TRADES.indexOf(t1) + 1) % TRADES.length];
  add(`${w} ${t1} Company`, `${w} ${t2} Company`, 0, 'c_word_apart');
  const [o1, o2] = ORD[i % ORD.length];
  add(`${o1} ${w} Bank`, `${o2} ${w} Bank`, 1, 'c_number');
}
for (let i = 0; i < 100; i++) {
  const f = LOCALES.ru;
  const ln = f.person.lastName();
  add(`ООО «${ln}»`, `${translit(ln, CYR)} LLC`, 1, 'c_cyrillic_latin');
}

const q = (s) => (/[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s);
writeFileSync('tests/data/match_eval2.csv',
  'name1,name2,label,category,split\n' + rows.map((r) => r.map((x) => q(String(x))).join(',')).join('\n') + '\n');

// ---- ordinary names: the false-alert rate ------------------------------------
const seen = new Set();
const names = [];
const locs = Object.keys(LOCALES);
for (let i = 0; names.length < 10000 && i < 100000; i++) {
  const loc = locs[i % locs.length];
  const n = clean(LOCALES[loc].company.name());
  if (n && !seen.has(n)) { seen.add(n); names.push([n, 'company', loc]); }
}
for (let i = 0; names.length < 30000 && i < 300000; i++) {
  const loc = locs[i % locs.length];
  const n = clean(person(LOCALES[loc]));
  if (n && !seen.has(n)) { seen.add(n); names.push([n, 'person', loc]); }
}
writeFileSync('tests/data/names_ordinary.csv',
  'name,kind,locale\n' + names.map((r) => r.map(q).join(',')).join('\n') + '\n');
console.log(`match_eval_gen: ${rows.length} labelled pairs, ${names.length} ordinary names`);
