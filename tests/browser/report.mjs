// report.mjs REPORT.html [SCREENSHOT.png] — open the report from a file with
// every network request refused, and check that it draws: sections, charts
// with data, captions, the synthetic mark.
import { launch, check, summary } from './common.mjs';
import { pathToFileURL } from 'node:url';

const [file, shot] = process.argv.slice(2);
const { ctx, close } = await launch();
try {
  const page = await ctx.newPage();
  const errors = [], remote = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await ctx.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith('file:') || u.startsWith('data:')) return route.continue();
    remote.push(u);
    return route.abort();
  });
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 20000 });
  const info = await page.evaluate(() => {
    const cards = [...document.querySelectorAll('section.card[data-view]')];
    const charts = (window.Chart && Object.values(Chart.instances)) || [];
    const withData = charts.filter((c) => c.data.datasets.some((d) => d.data.some((v) => v != null && v !== 0)));
    return {
      cards: cards.length,
      captions: cards.filter((c) => c.querySelector('.caption') && c.querySelector('.caption').textContent.length > 20).length,
      charts: charts.length, withData: withData.length,
      synthBadges: document.querySelectorAll('.badge.synth').length,
      timeline: !!document.querySelector('section[data-view="measures"] canvas'),
      // the timeline's y axis: one label per measure, and room for each (a
      // 10 px label needs 12 px; 58 measures had 7 px each and overlapped)
      axis: (() => {
        const cv = document.querySelector('section[data-view="measures"] canvas');
        const ch = cv && window.Chart && Chart.getChart(cv);
        if (!ch) return null;
        const y = ch.scales.y, n = ch.data.labels.length;
        return { n, ticks: y.ticks.length, px: n ? (y.bottom - y.top) / n : 0 };
      })(),
    };
  });
  check(errors.length === 0, 'no script errors' + (errors.length ? ': ' + errors.slice(0, 3).join(' | ') : ''));
  check(remote.length === 0, 'no network request at view time' + (remote.length ? ': ' + remote[0] : ''));
  check(info.cards >= 1, `sections drawn (${info.cards})`);
  check(info.captions === info.cards, `every section has a caption (${info.captions}/${info.cards})`);
  check(info.charts >= 1 && info.withData >= 1, `charts with data (${info.withData} of ${info.charts})`);
  check(info.timeline, 'the measures timeline is drawn');
  const ax = info.axis || { n: 0, ticks: 0, px: 0 };
  check(ax.n > 0 && ax.ticks === ax.n && ax.px >= 12,
    `the timeline labels every measure with room to read it (${ax.ticks} labels of ${ax.n}, ${ax.px.toFixed(1)} px each)`);
  if (process.env.EXPECT_SYNTHETIC) check(info.synthBadges >= 1, `synthetic data is marked (${info.synthBadges} badges)`);
  if (shot) {
    // the top of the report and the first product chapter
    await page.setViewportSize({ width: 1280, height: 2400 });
    await page.screenshot({ path: shot });
  }
} catch (e) {
  check(false, 'report: ' + e.message);
} finally {
  await close();
}
process.exit(summary() ? 1 : 0);
