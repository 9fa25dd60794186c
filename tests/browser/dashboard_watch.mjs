// dashboard_watch.mjs URL TOKEN — the alerts of list updates in the
// dashboard: the server's database holds two open ones (suite_browser.sh
// ran `screen --db` and `lists update` on tests/data/lists_update/ before
// starting it).  They are listed under Case decisions; clearing one takes it
// off the list and puts it in the audit trail.
import { launch, check, summary } from './common.mjs';

const [url, token] = process.argv.slice(2);
const { ctx, close } = await launch();
try {
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
  await page.waitForSelector('#watch[data-open]', { timeout: 30000 });
  const rows = await page.$$eval('tr.watch-row', (rs) => rs.map((r) => ({
    id: r.getAttribute('data-id'), text: r.textContent })));
  check(rows.length === 2, `two open alerts of list updates listed (${rows.length})`);
  check(rows.some((r) => /Global Widget Export Ltd/.test(r.text)) && rows.some((r) => /Acme Rare Metals Corp/.test(r.text)),
    'the counterparties and entities are named');
  check(rows.every((r) => /new/.test(r.text) && /open/.test(r.text)), 'each says why (new) and that it is open');
  await page.fill('#token', token);
  await page.fill('#reason', 'not the listed firm: different registration');
  const first = rows[0].id;
  await page.click(`tr.watch-row[data-id="${first}"] button.watch-clear`);
  await page.waitForFunction(() => document.getElementById('watch').getAttribute('data-open') === '1',
    null, { timeout: 30000 });
  const left = await page.$$eval('tr.watch-row', (rs) => rs.map((r) => r.getAttribute('data-id')));
  check(left.length === 1 && left[0] !== first, `the cleared alert leaves the list (${left.join(', ')})`);
  await page.waitForFunction((id) => (document.getElementById('audit-table') || {}).textContent.includes(id),
    first, { timeout: 30000 });
  check(true, `the decision on ${first} is in the audit trail`);
  const st = await page.textContent('#watch-status');
  check(/cleared/.test(st) || /1 open/.test(st), `the status says so ("${st}")`);
  check(errors.length === 0, `no page errors (${errors.join('; ')})`);
} catch (e) {
  check(false, 'dashboard_watch: ' + e.message);
} finally {
  await close();
}
process.exit(summary() ? 1 : 0);
