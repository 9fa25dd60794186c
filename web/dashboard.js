/* dashboard.js — the report's views made interactive, screening, and case
 * decisions, over the server's JSON API (server/http.c). */
(function () {
  'use strict';
  var el = CKP.el;
  var $ = function (id) { return document.getElementById(id); };
  var groups = [], measures = [], lastAlerts = null;

  function api(path, opts) {
    return fetch(path, opts || {}).then(function (r) {
      return r.text().then(function (t) {
        var j = null;
        try { j = JSON.parse(t); } catch (e) { j = null; }
        if (!r.ok) throw new Error((j && j.error) || ('HTTP ' + r.status));
        return j;
      });
    });
  }
  function qs(o) {
    return Object.keys(o).filter(function (k) { return o[k] != null && o[k] !== ''; })
      .map(function (k) { return encodeURIComponent(k) + '=' + encodeURIComponent(o[k]); }).join('&');
  }
  function status(id, text, err) { var s = $(id); s.textContent = text; s.className = 'status' + (err ? ' err' : ''); }

  var verbParams = {};   /* verb → its parameter names (GET /api/verbs) */
  var VIEW_VERB = {dependency: 'dependency', concentration: 'concentration', production: 'concentration',
                   chokepoints: 'chokepoints', mirror: 'mirror', unitvalue: 'unitvalue', diversion: 'diversion'};

  function hs() { return $('hs').value.trim() || $('product').value; }

  /* the source selector: the real sources (default), or one synthetic
   * scenario; never both (the server refuses a mix) */
  function source() { return $('source').value; }
  function sourceNote() {
    var s = source();
    $('source-note').textContent = s ? 'SYNTHETIC scenario ' + s + ': generated flows, not observed trade' : '';
  }

  /* add from/to to a view's parameters when its verb takes them */
  function withPeriod(name, params) {
    var v = VIEW_VERB[name], ps = v && verbParams[v];
    if (!ps) return params;
    var from = $('from').value.trim(), to = $('to').value.trim();
    if (from && ps.indexOf('from') >= 0) params.from = from;
    if (to && ps.indexOf('to') >= 0) params.to = to;
    return params;
  }

  /* one view into its slot; resolves to null, or to {box, name, msg} when
   * the view failed (show() says each message once) */
  function view(slot, name, params) {
    var box = $(slot);
    box.textContent = '';
    box.removeAttribute('data-rows'); /* set again when this answer is in */
    box.appendChild(el('p', {cls: 'caption', text: 'loading ' + name + '…'}));
    var q = Object.assign({name: name}, withPeriod(name, params), {source: source() || null});
    return api('/api/view?' + qs(q)).then(function (sec) {
      box.textContent = '';
      box.appendChild(CKP.renderSection(sec));
      box.setAttribute('data-rows', (sec.rows || []).length);
      return null;
    }).catch(function (e) {
      box.textContent = '';
      box.setAttribute('data-rows', '0');
      return {box: box, name: name, msg: e.message};
    });
  }

  /* The same bad input fails every view with the same message: say it once,
   * under the controls, naming the views; a message of one view stays in
   * its slot. */
  function showErrors(fails) {
    var top = $('view-errors'), byMsg = {}, order = [];
    top.textContent = '';
    fails.filter(Boolean).forEach(function (f) {
      if (!byMsg[f.msg]) { byMsg[f.msg] = []; order.push(f.msg); }
      byMsg[f.msg].push(f);
    });
    order.forEach(function (msg) {
      var fs = byMsg[msg];
      if (fs.length === 1) {
        fs[0].box.appendChild(el('section', {cls: 'card'}, el('h3', {text: fs[0].name}),
          el('p', {cls: 'note', text: msg})));
        return;
      }
      top.appendChild(el('p', {cls: 'note err view-error', text: msg + ' (' +
        fs.map(function (f) { return f.name; }).join(', ') + ')'}));
    });
  }

  function show() {
    var h = hs(), c = $('country').value.trim().toUpperCase(), p = $('partner').value.trim().toUpperCase();
    var from = $('from').value.trim(), to = $('to').value.trim(), m = $('measure').value;
    if (!h) { status('status', 'pick a product group or type HS codes', true); return; }
    $('view-errors').textContent = '';
    status('status', 'loading…');
    var g = groups.filter(function (x) { return x.name === h; })[0];
    if (!c && g && g.issuers.length) c = g.issuers[0];
    /* no single issuer (the CHPL, the EU's lists): who ships to the target */
    var ep = p || (!c && g && g.targets.length ? g.targets[0] : '');
    var jobs = [
      view('v-exports', 'exports', {reporter: c || null, partner: ep || null, hs: h, from: from, to: to}),
      view('v-concentration', 'concentration', {hs: h, side: 'exporter'}),
      view('v-production', 'production', {hs: h}),
      view('v-chokepoints', 'chokepoints', {hs: h}),
      view('v-mirror', 'mirror', {hs: h}),
      view('v-unitvalue', 'unitvalue', {hs: h})
    ];
    var imp = p || (g && g.targets.length ? g.targets[0] : '');
    if (imp) jobs.push(view('v-dependency', 'dependency', {importer: imp, hs: h}));
    else $('v-dependency').textContent = '';
    if (m) jobs.push(view('v-diversion', 'diversion', {measure: m}));
    else $('v-diversion').textContent = '';
    Promise.all(jobs).then(function (fails) {
      showErrors(fails);
      status('status', '');
    });
  }

  function layout() {
    var v = $('views');
    ['v-exports', 'v-dependency', 'v-diversion'].forEach(function (id) { v.appendChild(el('div', {id: id})); });
    var g1 = el('div', {cls: 'grid2'}, el('div', {id: 'v-concentration'}), el('div', {id: 'v-production'}));
    var g2 = el('div', {cls: 'grid2'}, el('div', {id: 'v-mirror'}), el('div', {id: 'v-unitvalue'}));
    v.appendChild(g1); v.appendChild(el('div', {id: 'v-chokepoints'})); v.appendChild(g2);
  }

  /* ---- screening and decisions ---- */
  /* the list entry (party id, measure id…) an alert matched */
  function entryId(m) {
    if (!m) return '';
    if (typeof m === 'string') return m.slice(0, 200);
    return String(m.id || m.party || m.measure || m.hub || m.rule || '').slice(0, 200);
  }

  /* what an alert matched (a measure, a list entry, a hub…), as "key value"
   * pairs a person reads, not raw JSON */
  function matchedCell(m) {
    var td = el('td', {cls: 'matched'});
    if (m == null || m === '') return td;
    if (typeof m !== 'object') { td.textContent = String(m); return td; }
    Object.keys(m).forEach(function (k) {
      var v = m[k];
      if (v == null || v === '') return;
      var t = typeof v === 'object' ? JSON.stringify(v, null, 1) : typeof v === 'number' ? CKP.fmt(v) : String(v);
      td.appendChild(el('span', {cls: 'kv'}, el('span', {cls: 'k', text: k}), ' ' + t));
    });
    return td;
  }

  /* the write token lives for the tab's life (sessionStorage) unless
   * "remember" is ticked (localStorage, this browser) */
  function keepToken() {
    var t = $('token').value.trim(), remember = $('remember').checked;
    try {
      if (remember && t) localStorage.setItem('ckp-token', t); else localStorage.removeItem('ckp-token');
      if (!remember && t) sessionStorage.setItem('ckp-token', t); else sessionStorage.removeItem('ckp-token');
    } catch (e) { /* storage refused (private mode): the field still holds it */ }
  }

  function idemKey() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return 'dash-' + Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
  }

  /* after: what to redraw once recorded (default: the screening alerts);
   * a.statusId: where to say it (default: the screening status) */
  function decide(a, decision, btn, after) {
    var sid = a.statusId || 'screen-status';
    var token = $('token').value.trim(), reason = $('reason').value.trim();
    if (!token) { status(sid, 'enter the write token (Case decisions)', true); return; }
    if (!reason) { status(sid, 'enter a reason (Case decisions)', true); return; }
    keepToken();
    var body = {id: a.id, decision: decision, reason: reason, subject: a.shipment || '',
                entry_id: entryId(a.matched),
                entry_hash: a.entry_hash || ''};
    if ($('by').value.trim()) body.by = $('by').value.trim();
    btn.disabled = true;
    /* one Idempotency-Key per decision until it is answered: a retry after a
     * lost answer (network, 5xx) is recorded once (docs/server.md) */
    var text = JSON.stringify(body);
    if (!a.pending || a.pending.text !== text) a.pending = {text: text, key: idemKey()};
    api('/api/decisions', {method: 'POST', headers: {'Content-Type': 'application/json',
      'Authorization': 'Bearer ' + token, 'Idempotency-Key': a.pending.key},
      body: text}).then(function (r) {
      a.pending = null;
      a.decision = decision;
      status(sid, decision + ' ' + a.id + ' (audit #' + r.seq + ')');
      if (after) after(); else renderAlerts(lastAlerts);
      loadAudit();
    }).catch(function (e) { btn.disabled = false; status(sid, e.message, true); });
  }

  /* the alerts of list updates still needing a look (no decision, or one
   * made on names the entity no longer has) */
  function loadWatch() {
    return api('/api/alerts?status=open').then(function (r) {
      var box = $('watch'), rows = r.rows || [];
      box.textContent = '';
      status('watch-status', rows.length + ' open');
      box.setAttribute('data-open', String(rows.length));
      if (!rows.length) return;
      var t = el('table', {id: 'watch-table'}), head = el('tr');
      ['counterparty', 'country', 'list', 'entity', 'score', 'why', 'explanation', 'decision', ''].forEach(function (c) { head.appendChild(el('th', {text: c})); });
      t.appendChild(el('thead', null, head));
      var tb = el('tbody');
      rows.forEach(function (w) {
        var a = {id: w.id, entry_hash: w.entry_hash, shipment: w.counterparty,
                 matched: {id: w.entity_id}, statusId: 'watch-status'};
        var tr = el('tr', {cls: 'watch-row', 'data-id': w.id});
        tr.appendChild(el('td', {text: w.counterparty}));
        tr.appendChild(el('td', {text: w.country || ''}));
        tr.appendChild(el('td', {text: w.list + ' v' + w.version}));
        tr.appendChild(el('td', {text: w.entity_name + ' (' + w.entity_id + ')'}));
        tr.appendChild(el('td', {cls: 'num', text: CKP.fmt(w.score)}));
        tr.appendChild(el('td', {text: w.why}));
        tr.appendChild(el('td', {text: w.explanation}));
        tr.appendChild(el('td', {cls: 'dec ' + (w.decision || ''), text: w.decision || 'open'}));
        var clr = el('button', {cls: 'small secondary watch-clear', text: 'clear'});
        var esc = el('button', {cls: 'small secondary watch-escalate', text: 'escalate'});
        clr.addEventListener('click', function () { decide(a, 'cleared', clr, loadWatch); });
        esc.addEventListener('click', function () { decide(a, 'escalated', esc, loadWatch); });
        tr.appendChild(el('td', null, clr, ' ', esc));
        tb.appendChild(tr);
      });
      t.appendChild(tb);
      box.appendChild(el('div', {cls: 'alerts-wrap'}, t));
    }).catch(function (e) { status('watch-status', 'list updates: ' + e.message, true); });
  }

  /* the rows the server could not screen: first, in red — never read as "no alert" */
  function renderUnscreened(box, res) {
    var un = (res && res.unscreened) || [];
    var n = res && res.unscreened_count != null ? res.unscreened_count : un.length;
    if (!n) return;
    var wrap = el('div', {id: 'unscreened', cls: 'unscreened'});
    wrap.appendChild(el('p', {cls: 'unscreened-head', text: n + (n === 1 ? ' row was' : ' rows were') +
      ' NOT screened: no answer for ' + (n === 1 ? 'it' : 'them') + ', alert or not. Fix and screen again.'}));
    var t = el('table', {id: 'unscreened-table'}), head = el('tr');
    ['line', 'why it was not screened'].forEach(function (c) { head.appendChild(el('th', {text: c})); });
    t.appendChild(el('thead', null, head));
    var tb = el('tbody');
    un.forEach(function (u) {
      var tr = el('tr', {cls: 'unscreened-row', 'data-line': String(u.line)});
      tr.appendChild(el('td', {cls: 'num', text: String(u.line)}));
      tr.appendChild(el('td', {text: u.reason || ''}));
      tb.appendChild(tr);
    });
    t.appendChild(tb);
    wrap.appendChild(el('div', {cls: 'table-wrap'}, t));
    box.appendChild(wrap);
  }

  function renderAlerts(res) {
    lastAlerts = res;
    var box = $('alerts');
    box.textContent = '';
    renderUnscreened(box, res);
    var rows = (res && res.rows) || [];
    box.appendChild(el('p', {cls: 'caption', text: rows.length + ' alerts · lists ' + (res.list_version || '?') +
      (res && res.route_hubs === false ? ' · no ranked route hubs (the server has no store)' : '')}));
    if (!rows.length) return;
    var t = el('table', {id: 'alerts-table'}), head = el('tr');
    ['shipment', 'kind', 'score', 'reason', 'matched', 'decision', ''].forEach(function (c) { head.appendChild(el('th', {text: c})); });
    t.appendChild(el('thead', null, head));
    var tb = el('tbody');
    rows.forEach(function (a) {
      var tr = el('tr', {cls: 'alert-row ' + (a.decision || ''), 'data-id': a.id});
      tr.appendChild(el('td', {text: a.shipment || ''}));
      tr.appendChild(el('td', {text: a.kind || ''}));
      tr.appendChild(el('td', {cls: 'num', text: CKP.fmt(a.score)}));
      tr.appendChild(el('td', {text: a.reason || ''}));
      tr.appendChild(matchedCell(a.matched));
      tr.appendChild(el('td', {cls: 'dec ' + (a.decision || ''), text: a.decision || 'open'}));
      var clr = el('button', {cls: 'small secondary clear-btn', text: 'clear'});
      var esc = el('button', {cls: 'small secondary escalate-btn', text: 'escalate'});
      clr.addEventListener('click', function () { decide(a, 'cleared', clr); });
      esc.addEventListener('click', function () { decide(a, 'escalated', esc); });
      tr.appendChild(el('td', null, clr, ' ', esc));
      tb.appendChild(tr);
    });
    t.appendChild(tb);
    box.appendChild(el('div', {cls: 'alerts-wrap'}, t));
  }

  function screen() {
    var body = $('shipments').value;
    if (!body.trim()) { status('screen-status', 'paste shipments or pick a file', true); return; }
    status('screen-status', 'screening…');
    var jsonl = body.trim().charAt(0) === '{';
    api('/api/screen', {method: 'POST', headers: {'Content-Type': jsonl ? 'application/x-ndjson' : 'text/csv'},
      body: body}).then(function (r) {
      var un = r.unscreened_count || 0;
      status('screen-status', (un ? un + ' rows NOT screened · ' : '') + (r.rows || []).length + ' alerts', un > 0);
      renderAlerts(r);
    }).catch(function (e) { status('screen-status', e.message, true); });
  }

  function loadAudit() {
    return api('/api/audit').then(function (r) {
      var t = $('audit-table'), th = t.tHead, tb = t.tBodies[0];
      th.textContent = ''; tb.textContent = '';
      var cols = ['seq', 'at', 'by', 'user', 'action', 'item', 'subject', 'reason', 'list_version'];
      var tr = el('tr'); cols.forEach(function (c) { tr.appendChild(el('th', {text: c})); }); th.appendChild(tr);
      (r.rows || []).slice().reverse().forEach(function (a) {
        var row = el('tr', {'data-item': a.item});
        cols.forEach(function (c) { row.appendChild(el('td', {text: String(a[c] == null ? '' : a[c])})); });
        tb.appendChild(row);
      });
    }).catch(function (e) { status('screen-status', 'audit: ' + e.message, true); });
  }

  /* the Measure menu: the measures that cover the chosen product — a
   * group's measures (the server's: every targeted measure on its codes,
   * licences with no single destination included), or those with a code
   * under the HS codes typed; with no product, every targeted measure */
  function fillMeasures() {
    var sel = $('measure'), keep = sel.value, h = hs();
    var g = groups.filter(function (x) { return x.name === h; })[0];
    var codes = g ? null : h.split(/[\s,;]+/).filter(function (c) { return /^\d{2,6}$/.test(c); });
    sel.textContent = '';
    sel.appendChild(el('option', {value: '', text: '(none)'}));
    measures.forEach(function (m) {
      var mh = String(m.hs || '').split(';');
      var ok = g ? (g.measures || []).indexOf(m.id) >= 0
        : codes.length ? codes.some(function (c) { return mh.some(function (x) { return x.indexOf(c) === 0; }); })
        : !h && m.hs_count <= 200;
      if (!ok) return;
      var to = !m.targets || m.targets === '*' ? 'all destinations' : m.targets;
      sel.appendChild(el('option', {value: m.id, text: m.id + ' · ' + m.kind + ' → ' + to}));
    });
    sel.value = keep;
    if (sel.value !== keep) sel.value = '';
  }

  function init() {
    layout();
    try {
      var kept = localStorage.getItem('ckp-token');
      $('remember').checked = !!kept;
      $('token').value = sessionStorage.getItem('ckp-token') || kept || '';
    } catch (e) { /* no storage */ }
    $('token').addEventListener('change', keepToken);
    $('remember').addEventListener('change', keepToken);
    $('apply').addEventListener('click', show);
    $('product').addEventListener('change', function () { $('hs').value = ''; fillMeasures(); show(); });
    $('source').addEventListener('change', function () { sourceNote(); if (hs()) show(); });
    var sn = el('span', {cls: 'status synth-note', id: 'source-note'});
    $('status').parentNode.insertBefore(sn, $('status'));
    $('hs').addEventListener('change', fillMeasures);
    $('measure').addEventListener('change', show);
    $('screen-btn').addEventListener('click', screen);
    $('audit-refresh').addEventListener('click', loadAudit);
    $('watch-refresh').addEventListener('click', loadWatch);
    $('shipfile').addEventListener('change', function (ev) {
      var f = ev.target.files[0];
      if (!f) return;
      f.text().then(function (t) { $('shipments').value = t; });
    });
    var p1 = api('/api/groups').then(function (r) {
      groups = r.groups || [];
      var sel = $('product');
      sel.appendChild(el('option', {value: '', text: '(choose)'}));
      groups.forEach(function (g) { sel.appendChild(el('option', {value: g.name, text: g.name + ' (' + (g.issuers.join(',') || 'multi') + ')'})); });
      var ss = $('source');
      (r.sources || []).forEach(function (s) {
        if (s.synthetic) ss.appendChild(el('option', {value: s.name, text: 'SYNTHETIC: ' + s.name}));
      });
    }).catch(function (e) { status('status', 'groups: ' + e.message, true); });
    var p2 = api('/api/view?name=measures').then(function (sec) {
      measures = sec.rows || [];
      var v = $('views');
      var box = el('div', {id: 'v-measures'});
      v.insertBefore(box, v.firstChild);
      box.appendChild(CKP.renderSection(sec));
    }).catch(function () { /* the measures view is optional */ });
    var p3 = api('/api/verbs').then(function (r) {
      (r.verbs || []).forEach(function (v) { verbParams[v.name] = v.params.map(function (p) { return p.name; }); });
    }).catch(function () { /* periods then apply to the exports view only */ });
    loadAudit();
    loadWatch();
    Promise.all([p1, p2, p3]).then(function () {
      fillMeasures();
      document.body.setAttribute('data-ready', '1');
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
