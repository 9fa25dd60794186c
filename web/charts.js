/* charts.js — renders a report section (JSON from the library's views, see
 * include/chokepoint/report.h) as a card: title, synthetic badge, caption,
 * note, chart (Chart.js, inlined) and table.  Shared by the report and the
 * dashboard. */
(function () {
  'use strict';
  var TIMELINE_ROW_PX = 16; /* a 10 px label and its gap: no two overlap */
  var PALETTE = ['#1f5fbf', '#d9480f', '#2b8a3e', '#862e9c', '#e8590c', '#0b7285', '#c2255c',
                 '#5c940d', '#364fc7', '#a61e4d', '#868e96'];

  function el(tag, attrs) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'cls') e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    });
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c == null) continue;
      e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return e;
  }

  function fmt(v) {
    if (v == null || typeof v !== 'number' || !isFinite(v)) return v == null ? '' : String(v);
    var a = Math.abs(v);
    if (a >= 1e9) return (v / 1e9).toFixed(2) + ' bn';
    if (a >= 1e6) return (v / 1e6).toFixed(2) + ' M';
    if (a >= 1e4) return Math.round(v).toLocaleString('en-US');
    if (a >= 100) return v.toFixed(0);
    if (a >= 1) return v.toFixed(2);
    return v.toPrecision(3);
  }

  function cellText(col, v) {
    if (v == null) return '';
    if (typeof v === 'object') return JSON.stringify(v);
    if (typeof v === 'number' && /share|ratio/.test(col) && Math.abs(v) <= 1.0001)
      return (v * 100).toFixed(1) + ' %';
    if (typeof v === 'number') return fmt(v);
    return String(v);
  }

  function table(sec, maxRows) {
    var rows = sec.rows || [];
    var cols = (sec.columns && sec.columns.length) ? sec.columns.slice() :
      (rows.length ? Object.keys(rows[0]) : []);
    rows.forEach(function (r) {
      Object.keys(r).forEach(function (k) { if (cols.indexOf(k) < 0 && k !== 'label') cols.push(k); });
    });
    var t = el('table'), thead = el('thead'), tb = el('tbody'), tr = el('tr');
    cols.forEach(function (c) { tr.appendChild(el('th', {text: c})); });
    thead.appendChild(tr);
    rows.slice(0, maxRows || 1000).forEach(function (r) {
      var row = el('tr');
      cols.forEach(function (c) {
        var v = r[c];
        row.appendChild(el('td', {text: cellText(c, v), cls: typeof v === 'number' ? 'num' : ''}));
      });
      tb.appendChild(row);
    });
    t.appendChild(thead); t.appendChild(tb);
    return t;
  }

  function yearFrac(d) {
    if (!d) return null;
    var m = /^(\d{4})-(\d{2})(?:-(\d{2}))?/.exec(d);
    if (!m) return null;
    return +m[1] + (+m[2] - 1) / 12 + ((m[3] ? +m[3] : 1) - 1) / 365;
  }

  /* vertical dashed lines at category labels: chart.options.plugins.ckpMarkers */
  var markerPlugin = {
    id: 'ckpMarkers',
    afterDatasetsDraw: function (chart, args, opts) {
      var ms = (opts && opts.markers) || [];
      if (!ms.length) return;
      var x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx;
      var labels = chart.data.labels || [];
      ctx.save();
      ms.forEach(function (m, i) {
        var idx = labels.indexOf(m.at);
        if (idx < 0) return;
        var px = x.getPixelForValue(idx);
        ctx.strokeStyle = '#b3261e'; ctx.lineWidth = 1.2; ctx.setLineDash([5, 4]);
        ctx.beginPath(); ctx.moveTo(px, area.top); ctx.lineTo(px, area.bottom); ctx.stroke();
        ctx.setLineDash([]); ctx.fillStyle = '#b3261e'; ctx.font = '11px system-ui, sans-serif';
        var w = ctx.measureText(m.label).width, y = area.top + 12 + 13 * (i % 4);
        if (px + 4 + w > area.right) ctx.fillText(m.label, px - 4 - w, y);
        else ctx.fillText(m.label, px + 4, y);
      });
      ctx.restore();
    }
  };

  function chartConfig(sec) {
    var c = sec.chart, rows = sec.rows || [];
    var pct = !!c.percent;
    var scale = function (v) { return typeof v === 'number' ? (pct ? v * 100 : v) : null; };
    if (c.data) {
      return {type: 'bar', data: {labels: c.data.labels, datasets: c.data.datasets.map(function (d, i) {
        return {label: d.label, data: d.data, backgroundColor: PALETTE[i % PALETTE.length]};
      })}, options: {responsive: true, maintainAspectRatio: false, animation: false,
        plugins: {legend: {display: false}}}};
    }
    if (c.type === 'timeline') {
      var now = new Date(), nowf = now.getFullYear() + now.getMonth() / 12;
      var groups = [], data = [];
      rows.forEach(function (r) {
        var s = yearFrac(r[c.y]) || yearFrac(r.announced);
        if (s == null) return;
        var e = yearFrac(r[c.end]) || (c.until && yearFrac(r[c.until])) || nowf;
        var g = r[c.series] || '';
        if (groups.indexOf(g) < 0) groups.push(g);
        // a suspended span (c.gap_from..c.gap_to, open = to now) is drawn over the bar in grey
        var gs = c.gap_from && yearFrac(r[c.gap_from]), ge = c.gap_from && (yearFrac(r[c.gap_to]) || nowf);
        data.push({label: r[c.x], s: s, e: Math.max(e, s + 0.02), g: g, title: r.title || '',
          gap: gs ? [gs, Math.max(ge, gs + 0.02)] : null, status: r.status || ''});
      });
      // grouped by issuer (one colour each, in the order issuers first appear),
      // then by the day each took effect: the bars of one issuer sit together
      data.forEach(function (d, i) { d.i = i; });
      data.sort(function (a, b) {
        return groups.indexOf(a.g) - groups.indexOf(b.g) || a.s - b.s || a.i - b.i;
      });
      var minx = Math.floor(Math.min.apply(null, data.map(function (d) { return d.s; }).concat([nowf])) - 0.1);
      return {type: 'bar', data: {labels: data.map(function (d) { return d.label; }),
        datasets: [{label: 'in force', data: data.map(function (d) { return [d.s, d.e]; }),
          backgroundColor: data.map(function (d) { return PALETTE[groups.indexOf(d.g) % PALETTE.length]; }),
          borderSkipped: false, barPercentage: 0.8},
          {label: 'suspended', data: data.map(function (d) { return d.gap; }), grouped: false, order: -1,
            backgroundColor: 'rgba(160,160,160,0.85)', borderSkipped: false, barPercentage: 0.8}]},
        options: {indexAxis: 'y', responsive: true, maintainAspectRatio: false, animation: false,
          scales: {x: {type: 'linear', min: minx, max: Math.ceil(nowf + 0.05),
            ticks: {stepSize: 1, callback: function (v) { return Number.isInteger(v) ? String(v) : ''; }}},
            y: {ticks: {autoSkip: false, font: {size: 10}}}},
          plugins: {legend: {display: false}, tooltip: {callbacks: {label: function (ctx) {
            var d = data[ctx.dataIndex];
            return ctx.datasetIndex === 1 ? 'suspended (' + d.status + ')' : d.g + ': ' + d.title;
          }}}}}};
    }
    if (c.series) {
      var labels = [], series = [];
      rows.forEach(function (r) {
        if (labels.indexOf(r[c.x]) < 0) labels.push(r[c.x]);
        if (series.indexOf(r[c.series]) < 0) series.push(r[c.series]);
      });
      labels.sort();
      var ds = series.map(function (s, i) {
        var vals = labels.map(function () { return 0; });
        rows.forEach(function (r) { if (r[c.series] === s) vals[labels.indexOf(r[c.x])] = scale(r[c.y]); });
        var col = s === 'other' ? '#adb5bd' : PALETTE[i % PALETTE.length];
        return {label: s, data: vals, borderColor: col, backgroundColor: col, pointRadius: 0,
                borderWidth: 1.6, tension: 0.15};
      });
      return {type: c.type === 'line' ? 'line' : 'bar', data: {labels: labels, datasets: ds},
        options: {responsive: true, maintainAspectRatio: false, animation: false,
          interaction: {mode: 'index', intersect: false},
          scales: {y: {ticks: {callback: function (v) { return fmt(v); }}}},
          plugins: {ckpMarkers: {markers: c.markers || []},
            legend: {position: 'bottom', labels: {boxWidth: 12}}}}};
    }
    var lab = rows.map(function (r) { return r[c.x] != null ? String(r[c.x]) : '?'; });
    var vals = rows.map(function (r) { return scale(r[c.y]); });
    return {type: 'bar', data: {labels: lab, datasets: [{label: c.y + (pct ? ' (%)' : ''), data: vals,
        maxBarThickness: 26,
        backgroundColor: vals.map(function (v) { return v < 0 ? '#d9480f' : '#1f5fbf'; })}]},
      options: {indexAxis: c.type === 'hbar' ? 'y' : 'x', responsive: true, maintainAspectRatio: false,
        animation: false, plugins: {legend: {display: false}},
        scales: {y: {ticks: {autoSkip: false, font: {size: 10}}}}}};
  }

  var charts = [];
  function drawChart(box, sec) {
    if (typeof Chart === 'undefined') {
      box.appendChild(el('p', {cls: 'note', text: 'Charts are not built into this copy (the charting library was missing at build time: run scripts/deps.sh, then make). The table below holds the data.'}));
      box.style.height = 'auto';
      return null;
    }
    var canvas = el('canvas', {role: 'img', 'aria-label': sec.caption || sec.title});
    box.appendChild(canvas);
    var ch = new Chart(canvas.getContext('2d'), chartConfig(sec));
    charts.push(ch);
    return ch;
  }

  function renderSection(sec, opts) {
    opts = opts || {};
    var card = el('section', {cls: 'card' + (sec.synthetic ? ' synthetic' : ''), id: opts.id || null,
                              'data-view': sec.id});
    var h = el('h3', {text: sec.title});
    if (sec.synthetic) h.appendChild(el('span', {cls: 'badge synth', text: 'SYNTHETIC DATA',
      title: 'At least one source behind this section is synthetic (generated by chokepoint synth), not observed trade.'}));
    card.appendChild(h);
    if (sec.caption) card.appendChild(el('p', {cls: 'caption', text: sec.caption}));
    if (sec.note) card.appendChild(el('p', {cls: 'note', text: sec.note}));
    var rows = sec.rows || [];
    if (sec.chart && rows.length) {
      var box = el('div', {cls: 'chart-box'});
      if (sec.chart.type === 'hbar')
        box.style.height = Math.max(130, Math.min(480, 60 + rows.length * 24)) + 'px';
      else if (sec.chart.type === 'timeline') /* every measure's label readable: 16 px a row */
        box.style.height = Math.max(130, 70 + rows.length * TIMELINE_ROW_PX) + 'px';
      card.appendChild(box);
      card._chart = drawChart(box, sec);
    }
    if (rows.length) {
      var d = el('details', null, el('summary', {text: 'table: ' + rows.length + ' rows' +
        (sec.total_rows && sec.total_rows > rows.length ? ' (of ' + sec.total_rows + ')' : '')}));
      if (!sec.chart || opts.openTable) d.open = true;
      d.appendChild(el('div', {cls: 'table-wrap'}, table(sec, opts.maxRows)));
      card.appendChild(d);
    }
    return card;
  }

  if (typeof Chart !== 'undefined') Chart.register(markerPlugin);
  window.CKP = {el: el, fmt: fmt, renderSection: renderSection, table: table, charts: charts,
                chartConfig: chartConfig};
})();
