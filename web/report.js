/* report.js — builds the report page from the data inlined by the library
 * (src/report/page.c): header, store and sources, contents, chapters. */
(function () {
  'use strict';
  var el = CKP.el;
  function run() {
    var data = JSON.parse(document.getElementById('ckp-data').textContent);
    var main = document.getElementById('report');
    document.getElementById('subtitle').textContent =
      'generated ' + data.generated + ' by chokepoint ' + data.version;
    var st = data.store || {};
    var meta = el('section', {cls: 'card'}, el('h3', {text: 'What this report covers'}));
    if (st.error) {
      meta.appendChild(el('p', {cls: 'note', text: 'No store: ' + st.error +
        '. Build one with chokepoint ingest (see the README quick start); sections that need trade flows are empty.'}));
    } else {
      var dl = el('dl', {cls: 'meta'});
      [['store', st.dir], ['rows', CKP.fmt(st.rows)], ['periods', st.period_min + ' to ' + st.period_max + ' (' + st.periods + ')'],
       ['reporters', st.reporters], ['products (HS6)', st.products]].forEach(function (p) {
        dl.appendChild(el('dt', {text: p[0]})); dl.appendChild(el('dd', {text: String(p[1])}));
      });
      meta.appendChild(dl);
      var src = el('p', {cls: 'caption', text: 'Sources in the store: '});
      (st.sources || []).forEach(function (s, i) {
        src.appendChild(document.createTextNode((i ? ', ' : '') + s.name));
        src.appendChild(el('span', {cls: 'badge ' + (s.synthetic ? 'synth' : 'real'),
          text: s.synthetic ? 'SYNTHETIC' : 'observed'}));
      });
      meta.appendChild(src);
      if ((st.sources || []).some(function (s) { return s.synthetic; }))
        meta.appendChild(el('p', {cls: 'note', text: 'Sections marked SYNTHETIC DATA draw on generated flows (chokepoint synth), which reconstruct a published case or test the analyses: they are not observed trade.'}));
    }
    main.appendChild(meta);
    if (!data.charts) main.appendChild(el('p', {cls: 'note', text: 'This copy was built without the charting library: tables only.'}));
    var toc = el('nav', {cls: 'toc card'}, el('h3', {text: 'Contents'}));
    main.appendChild(toc);
    var n = 0;
    data.chapters.forEach(function (ch) {
      toc.appendChild(el('div', null, el('a', {href: '#' + ch.id, text: ch.title})));
      main.appendChild(el('h2', {id: ch.id, text: ch.title}));
      if (ch.intro) main.appendChild(el('p', {cls: 'intro', text: ch.intro}));
      ch.sections.forEach(function (sec) {
        main.appendChild(CKP.renderSection(sec, {id: 's' + (n++)}));
      });
    });
    main.appendChild(el('footer', {text: 'Every chart says what it shows and where its data came from. Charts drawn with Chart.js (MIT), inlined: this file needs no network.'}));
    document.body.setAttribute('data-ready', '1');
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', run);
  else run();
})();
