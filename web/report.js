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
      var synthOf = {};
      (st.sources || []).forEach(function (s) { synthOf[s.name] = s.synthetic; });
      var sel = st.selected || [];
      var mainSynth = sel.some(function (n) { return synthOf[n]; });
      meta.appendChild(el('p', {cls: 'caption', text: 'The chapters are computed from: ' +
        (sel.length ? sel.join(', ') : 'no source') + (mainSynth ? ' (SYNTHETIC)' : ' (observed trade)') +
        '. Real and synthetic figures are never added together.'}));
      if (data.chapters.some(function (ch) { return ch.part === 'synthetic'; }))
        meta.appendChild(el('p', {cls: 'note', text: 'The synthetic scenarios (chokepoint synth: generated flows that reconstruct a published case or test the analyses, not observed trade) are in their own part at the end, each computed from its own source alone.'}));
      else if (mainSynth)
        meta.appendChild(el('p', {cls: 'note', text: 'Every chapter of this report is computed from SYNTHETIC data (chokepoint synth): generated flows, not observed trade.'}));
    }
    main.appendChild(meta);
    if (!data.charts) main.appendChild(el('p', {cls: 'note', text: 'This copy was built without the charting library: tables only.'}));
    var toc = el('nav', {cls: 'toc card'}, el('h3', {text: 'Contents'}));
    main.appendChild(toc);
    var n = 0, inPart = false;
    data.chapters.forEach(function (ch) {
      if (ch.part === 'synthetic' && !inPart) {
        inPart = true;
        toc.appendChild(el('div', {cls: 'toc-part'}, el('a', {href: '#part-synthetic', text: 'Synthetic scenarios (not observed trade)'})));
        var banner = el('section', {cls: 'card synthetic part', id: 'part-synthetic'},
          el('h2', {text: 'Synthetic scenarios'}));
        banner.appendChild(el('span', {cls: 'badge synth', text: 'SYNTHETIC DATA'}));
        banner.appendChild(el('p', {cls: 'note', text: 'Everything below is computed from synthetic sources only, one scenario at a time: generated flows, not observed trade. None of it is added to the figures above.'}));
        main.appendChild(banner);
      }
      toc.appendChild(el('div', {cls: ch.part === 'synthetic' ? 'toc-synthetic' : ''}, el('a', {href: '#' + ch.id, text: ch.title})));
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
