// dashboard.mjs URL TOKEN SHIPMENTS.csv [SCREENSHOT.png] — drive the dashboard
// as a person would: pick a product, see a chart with data, screen a
// shipment (with one more row that cannot be screened: it must show above the
// alerts, in red), clear an alert, find the decision in the audit trail.
import { launch, check, summary } from './common.mjs';
import { readFileSync } from 'node:fs';

const [url, token, shipments, shot] = process.argv.slice(2);
const { ctx, close } = await launch();
try {
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
  const options = await page.$$eval('#product option', (os) => os.map((o) => o.value).filter(Boolean));
  check(options.length > 0, `product groups offered (${options.join(', ')})`);
  const product = options.includes('antimony') ? 'antimony' : options[0];
  await page.selectOption('#product', product);
  await page.waitForSelector('#v-exports[data-rows]', { timeout: 30000 });
  const exportsRows = Number(await page.getAttribute('#v-exports', 'data-rows'));
  check(exportsRows > 0, `picked ${product}: the exports view has rows (${exportsRows})`);
  const points = await page.evaluate(() => {
    const c = document.querySelector('#v-exports canvas');
    const ch = c && window.Chart && Chart.getChart(c);
    if (!ch) return 0;
    return ch.data.datasets.reduce((n, d) => n + d.data.filter((v) => v != null && v !== 0).length, 0);
  });
  check(points > 0, `the exports chart is drawn with data (${points} points)`);

  const csv = readFileSync(shipments, 'utf8').replace(/\n*$/, '\n');
  const badLine = csv.split('\n').length; // the row appended below
  await page.fill('#shipments', csv + 'S9,2025-02-01,Muster GmbH,DEU,Dupont SA,FRA,DEU,FRA,,94036x,chairs,1,u,10,USD\n');
  await page.click('#screen-btn');
  await page.waitForSelector('tr.alert-row', { timeout: 30000 });
  const alerts = await page.$$eval('tr.alert-row', (rs) => rs.map((r) => r.getAttribute('data-id')));
  check(alerts.length > 0, `screening a shipment gives alerts (${alerts.length})`);
  const un = await page.evaluate(() => {
    const rows = [...document.querySelectorAll('tr.unscreened-row')];
    const table = document.getElementById('alerts-table');
    const first = rows[0];
    return {
      n: rows.length,
      line: first ? first.getAttribute('data-line') : null,
      text: first ? first.textContent : '',
      above: !!(first && table && (first.compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING)),
      color: first ? getComputedStyle(first.cells[1]).color : '',
      head: (document.querySelector('.unscreened-head') || {}).textContent || '',
    };
  });
  check(un.n === 1 && un.line === String(badLine) && /94036x/.test(un.text),
    `the row that cannot be screened is listed with its line and reason (${un.n} rows, line ${un.line})`);
  check(un.above, 'the rows not screened come above the alerts');
  const [r, g, b] = (un.color.match(/\d+/g) || []).map(Number);
  check(r > 150 && g < 80 && b < 80, `… in red (${un.color})`);
  check(/NOT screened/.test(un.head), `… under a heading that says so ("${un.head.slice(0, 40)}…")`);

  await page.fill('#token', token);
  await page.fill('#reason', 'browser test: licence on file');
  const first = alerts[0];
  // the first answer is lost on its way back (the server did record it); the
  // user clicks again: the retry carries the same Idempotency-Key and the
  // decision is in the audit trail once
  const keys = [];
  let lose = true;
  await page.route('**/api/decisions', async (route) => {
    keys.push(route.request().headers()['idempotency-key'] || '');
    if (lose) {
      lose = false;
      await route.fetch();          // reaches the server, which records it
      await route.abort('failed');  // the page never sees the answer
    } else {
      await route.continue();
    }
  });
  await page.click(`tr.alert-row[data-id="${first}"] .clear-btn`);
  await page.waitForFunction((id) => {
    const b = document.querySelector(`tr.alert-row[data-id="${id}"] .clear-btn`);
    return b && !b.disabled && /err/.test(document.getElementById('screen-status').className);
  }, first, { timeout: 15000 });
  await page.click(`tr.alert-row[data-id="${first}"] .clear-btn`);
  await page.waitForSelector(`tr.alert-row.cleared[data-id="${first}"]`, { timeout: 15000 });
  check(true, `alert ${first} cleared`);
  await page.unroute('**/api/decisions');
  check(keys.length === 2 && keys[0] !== '' && keys[0] === keys[1],
        `a retried decision carries the same Idempotency-Key (${keys.join(', ')})`);
  await page.waitForSelector(`#audit-table tr[data-item="${first}"]`, { timeout: 15000 });
  const auditRows = await page.$$eval(`#audit-table tr[data-item="${first}"]`, (rs) => rs.length);
  check(auditRows === 1, `the decision is recorded once though sent twice (${auditRows} audit rows)`);
  const auditText = await page.textContent(`#audit-table tr[data-item="${first}"]`);
  check(/cleared/.test(auditText) && /licence on file/.test(auditText), 'the decision is in the audit trail');
  check(errors.length === 0, 'no script errors' + (errors.length ? ': ' + errors.slice(0, 3).join(' | ') : ''));
  if (shot) {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.setViewportSize({ width: 1280, height: 1800 });
    await page.screenshot({ path: shot, fullPage: false });
    // the screening and case-decision part, with the cleared alert
    await page.setViewportSize({ width: 1280, height: 1000 });
    await page.locator('#screening').scrollIntoViewIfNeeded();
    await page.evaluate(() => document.getElementById('screening').scrollIntoView());
    await page.screenshot({ path: shot.replace(/\.png$/, '-cases.png') });
  }
} catch (e) {
  check(false, 'dashboard: ' + e.message);
} finally {
  await close();
}
process.exit(summary() ? 1 : 0);
