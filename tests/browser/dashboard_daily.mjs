// dashboard_daily.mjs URL TOKEN SHIPMENTS.csv — the dashboard as a daily
// tool: every alert's clear/escalate buttons can be reached without a
// scroll box cutting them off, `matched` reads as words (not raw JSON), a bad
// input's error is said once (not in every view), the Measure menu offers
// the measures that cover the product (China's licences included), and the
// write token lives for the tab unless "remember" is ticked.
import { launch, check, summary } from './common.mjs';
import { readFileSync } from 'node:fs';

const [url, token, shipments] = process.argv.slice(2);
const { ctx, close } = await launch();
try {
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });

  // ---- the Measure menu follows the product ----
  const menu = async () => page.$$eval('#measure option', (os) => os.map((o) => o.value).filter(Boolean));
  await page.selectOption('#product', 'graphite');
  const graphite = await menu();
  check(graphite.includes('CN-2023-39'), `graphite: China's graphite licences CN-2023-39 offered (${graphite.join(', ')})`);
  check(!graphite.includes('CN-2024-46'), 'graphite: CN-2024-46 (gallium, germanium, antimony to the USA) not offered');
  await page.selectOption('#product', 'antimony');
  const antimony = await menu();
  check(antimony.includes('CN-2024-33') && antimony.includes('CN-2024-46'),
    `antimony: the licence CN-2024-33 and the ban CN-2024-46 offered (${antimony.join(', ')})`);
  await page.fill('#hs', '2504');
  await page.dispatchEvent('#hs', 'change');
  const typed = await menu();
  check(typed.length > 0 && typed.includes('CN-2023-39') && !typed.includes('CN-2024-33'),
    `typed HS 2504: the measures on its codes (${typed.join(', ')})`);
  // a licence measure draws its diversion view
  if (typed.includes('CN-2023-39')) {
    await page.selectOption('#measure', 'CN-2023-39');
    await page.waitForSelector('#v-diversion[data-rows]', { timeout: 60000 });
    const divErr = await page.$$eval('#v-diversion .note', (ns) => ns.map((n) => n.textContent));
    check(divErr.length === 0, 'the diversion view of a licence measure draws' + (divErr.length ? ': ' + divErr[0] : ''));
  }

  // ---- bad input: one message, not one per view ----
  await page.selectOption('#measure', '');
  await page.fill('#hs', 'zzz');
  await page.click('#apply');
  // the answer to this request, not the notes of the one before: wait for the
  // error to appear (a page that never says it fails below with 0), then for
  // every view to settle
  await page.waitForFunction(() => Array.from(document.querySelectorAll('.note'))
    .some((n) => /neither an HS code/.test(n.textContent)), null, { timeout: 30000 }).catch(() => {});
  await page.waitForFunction(() => !/loading/.test(document.getElementById('status').textContent), null, { timeout: 30000 });
  const said = await page.evaluate(() => {
    const all = Array.from(document.querySelectorAll('.note')).map((n) => n.textContent);
    return { n: all.filter((t) => /neither an HS code/.test(t)).length, first: all[0] || '' };
  });
  check(said.n === 1, `a bad HS code's error is shown once (${said.n} times): ${said.first.slice(0, 90)}`);

  // ---- 20 alerts: every button reachable, matched readable ----
  const lines = readFileSync(shipments, 'utf8').trim().split('\n');
  const rows = [lines[0]];
  for (let i = 1; i <= 10; i++) rows.push(lines[1].replace(/^S1,/, `T${i},`));
  await page.fill('#shipments', rows.join('\n') + '\n');
  await page.click('#screen-btn');
  await page.waitForSelector('tr.alert-row', { timeout: 30000 });
  const n = await page.$$eval('tr.alert-row', (rs) => rs.length);
  check(n >= 20, `screening 10 antimony shipments gives 20 alerts (${n})`);
  const clipped = await page.evaluate(() => {
    const bad = [];
    document.querySelectorAll('tr.alert-row').forEach((tr) => {
      tr.querySelectorAll('button').forEach((b) => {
        // as a person scrolls: the page only, no box scrolled inside
        let r = b.getBoundingClientRect();
        window.scrollTo(0, window.scrollY + r.top - window.innerHeight / 2);
        r = b.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        // inside every scrolling ancestor, in full
        let ok = hit === b && r.right <= window.innerWidth && r.left >= 0;
        for (let p = b.parentElement; p && ok; p = p.parentElement) {
          const s = getComputedStyle(p);
          if (!/(auto|scroll|hidden)/.test(s.overflowX + s.overflowY)) continue;
          const q = p.getBoundingClientRect();
          ok = r.left >= q.left - 1 && r.right <= q.right + 1 && r.top >= q.top - 1 && r.bottom <= q.bottom + 1;
        }
        if (!ok) bad.push(tr.getAttribute('data-id') + ' ' + b.textContent);
      });
    });
    window.scrollTo(0, 0);
    const wrap = document.getElementById('alerts-table').parentElement;
    return { bad, boxed: wrap.scrollHeight > wrap.clientHeight + 1 };
  });
  check(clipped.bad.length === 0, `every clear/escalate button is visible in full (${clipped.bad.length} cut off${clipped.bad.length ? ': ' + clipped.bad.slice(0, 2).join(', ') : ''})`);
  check(!clipped.boxed, 'the alerts are not in a scroll box of their own');
  const matched = await page.$$eval('tr.alert-row', (rs) => rs.map((r) => r.children[4].textContent));
  check(matched.every((t) => t && !/[{}"]/.test(t)), `matched reads as words, not JSON: "${(matched[0] || '').slice(0, 80)}"`);
  check(matched.some((t) => /measure CN-2024-46/.test(t)), 'matched names the measure ("measure CN-2024-46")');

  // ---- the token: the tab's life unless "remember" ----
  const note = (await page.$('#token-note')) ? await page.textContent('#token-note') : '(none)';
  check(/tab/.test(note) && /remember/.test(note), `the page says where the token is kept ("${note.trim()}")`);
  await page.fill('#token', token);
  await page.fill('#reason', 'browser test: daily use');
  const hasRemember = !!(await page.$('#remember'));
  check(hasRemember && !(await page.isChecked('#remember')), '"remember" is there, not ticked by default');
  const first = await page.getAttribute('tr.alert-row', 'data-id');
  await page.click(`tr.alert-row[data-id="${first}"] .clear-btn`);
  await page.waitForSelector(`tr.alert-row.cleared[data-id="${first}"]`, { timeout: 15000 });
  const kept = await page.evaluate(() => ({ s: sessionStorage.getItem('ckp-token'), l: localStorage.getItem('ckp-token') }));
  check(kept.s === token && kept.l === null, 'without "remember": the token is in sessionStorage only');
  const other = await ctx.newPage();
  await other.goto(url);
  await other.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
  check((await other.inputValue('#token')) === '', 'a new tab does not have the token');
  if (!hasRemember) throw new Error('no "remember" box: the token checks stop here');
  await page.check('#remember');
  const kept2 = await page.evaluate(() => ({ s: sessionStorage.getItem('ckp-token'), l: localStorage.getItem('ckp-token') }));
  check(kept2.l === token && kept2.s === null, 'ticking "remember" moves it to localStorage');
  await other.reload();
  await other.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
  check((await other.inputValue('#token')) === token && (await other.isChecked('#remember')),
    'a new tab then has it, with "remember" ticked');
  await other.uncheck('#remember');
  check(await other.evaluate(() => localStorage.getItem('ckp-token')) === null, 'unticking "remember" forgets it');
  await other.close();
  check(errors.length === 0, 'no script errors' + (errors.length ? ': ' + errors.slice(0, 3).join(' | ') : ''));
} catch (e) {
  check(false, 'dashboard (daily use): ' + e.message);
} finally {
  await close();
}
process.exit(summary() ? 1 : 0);
