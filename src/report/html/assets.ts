// Room: report (src/report/) — may import core, bundle, analyzers (the rule: tests/architecture.test.ts).
/**
 * The one stylesheet and the one script of report.html, inlined and allowed by their sha256 in the
 * page's Content-Security-Policy (nothing else may run or load). The page is complete without the script:
 * it only adds sorting and filtering to the containers table, search to the logs and a tooltip that
 * follows keyboard focus on the timeline, which it also keeps on screen (Firefox does not scroll a
 * focused SVG element into view; Chromium does). The script avoids words the redactor treats as secret names
 * (it passes through the redactor with the rest of the page, and must come out unchanged).
 */
import { createHash } from 'node:crypto';

export const CSS = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1d2127;--muted:#5b6470;--line:#d8dde3;--panel:#f5f7f9;--err:#c62828;--warn:#b26a00;--info:#1e5fa8;--ok:#2e7d32;--mark:#ffe58a;--accent:#1e5fa8}
:root{scrollbar-color:var(--muted) var(--panel)}
@media (prefers-color-scheme:dark){:root{--bg:#15181c;--fg:#e4e7eb;--muted:#9aa4b0;--line:#2f353d;--panel:#1d2127;--err:#ef6b6b;--warn:#f0a73a;--info:#6fa8ea;--ok:#6cc070;--mark:#6b5a12;--accent:#6fa8ea}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header,main,nav{max-width:1200px;margin:0 auto;padding:0 16px}
header{padding-top:16px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:16px 0 6px}
a{color:var(--accent)}
a:focus-visible,button:focus-visible,summary:focus-visible,input:focus-visible,.m:focus-visible,.m:focus{outline:2px solid var(--accent);outline-offset:2px}
.skip{position:absolute;left:-9999px}.skip:focus{left:8px;top:8px;background:var(--bg);padding:4px 8px;z-index:2}
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:4px 14px;padding:8px 0;margin:0;border-bottom:1px solid var(--line)}
.muted{color:var(--muted)}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0}.facts dt{color:var(--muted)}.facts dd{margin:0}
.badge{display:inline-block;border-radius:3px;padding:0 6px;font-size:12px;font-weight:600;color:#fff;background:var(--muted)}
.sev-error{background:var(--err)}.sev-warning{background:var(--warn)}.sev-info{background:var(--info)}.st-complete{background:var(--ok)}.st-partial{background:var(--warn)}
.finding{border:1px solid var(--line);border-left:4px solid var(--muted);border-radius:4px;padding:8px 12px;margin:8px 0;background:var(--panel)}
.finding.error{border-left-color:var(--err)}.finding.warning{border-left-color:var(--warn)}.finding.info{border-left-color:var(--info)}
.finding h3{margin:0 0 4px}.finding p{margin:4px 0;white-space:pre-wrap}
pre{background:var(--panel);border:1px solid var(--line);border-radius:4px;padding:6px 8px;overflow:auto;font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;margin:4px 0}
.log{max-height:420px}.log .l{display:block;white-space:pre-wrap;word-break:break-all}.log .err{color:var(--err)}.log .tb{background:rgba(198,40,40,.08)}
mark{background:var(--mark);color:inherit}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border-bottom:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top}
th{background:var(--panel);position:sticky;top:0}th button{all:inherit;cursor:pointer;padding:0}th[aria-sort=ascending] button::after{content:" ▲"}th[aria-sort=descending] button::after{content:" ▼"}
tr.d-added td:first-child{color:var(--ok);font-weight:600}tr.d-changed td:first-child{color:var(--warn);font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}tr.bad td{color:var(--err)}
.tablewrap{max-height:560px;overflow:auto;border:1px solid var(--line);border-radius:4px}
.gauges{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:10px}
.gauge{border:1px solid var(--line);border-radius:4px;padding:6px 10px;background:var(--panel)}.gauge svg{display:block;width:100%;height:12px}
.gauge .track{fill:var(--line)}.gauge .fill{fill:var(--ok)}.gauge.high .fill{fill:var(--warn)}.gauge.full .fill{fill:var(--err)}
.timeline{display:block;background:var(--panel);border:1px solid var(--line);border-radius:4px;margin:6px 0}
.timeline text{fill:var(--fg);font-size:11px}.timeline a text{fill:var(--accent);text-decoration:underline}.timeline .ticklabel{fill:var(--muted)}.timeline .tick{stroke:var(--line)}.timeline .laneline{stroke:var(--line);stroke-dasharray:2 3}
.m{cursor:default}.m circle,.m rect,.m path{fill:var(--ok);stroke:var(--bg);stroke-width:1}
.m.k-create circle{fill:var(--muted)}.m.k-exit rect{fill:var(--muted)}.m.k-stop circle{fill:var(--muted)}.m.k-kill path{stroke:var(--warn);stroke-width:2}.m.k-restart circle{fill:var(--warn)}.m.k-health path{fill:var(--info)}
.m.bad rect,.m.bad path,.m.bad circle{fill:var(--err)}.m.k-kill.bad path{stroke:var(--err)}
.m.job rect{fill:var(--info);opacity:.8}.m.job.s-failed rect{fill:var(--err)}.m.job.s-completed rect{fill:var(--ok)}.m.job.s-pending rect{fill:var(--muted)}.m.job.stuck rect{fill:var(--warn);stroke:var(--err);stroke-dasharray:3 2}.m.job .started{stroke:var(--fg);stroke-width:1.5}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px;color:var(--muted);margin:0;padding:0;list-style:none}
#tip{position:absolute;z-index:3;max-width:420px;background:var(--fg);color:var(--bg);padding:4px 8px;border-radius:4px;font-size:12px;pointer-events:none}
.controls{display:flex;gap:10px;align-items:center;margin:6px 0;flex-wrap:wrap}.controls input[type=search]{min-width:240px;padding:3px 6px}
.unapplied{color:var(--warn);font-weight:600}
details>summary{cursor:pointer}
footer{max-width:1200px;margin:30px auto;padding:0 16px;color:var(--muted);font-size:12px}
`;

/** Only sorting, filtering, log search and the focus tooltip; the page is complete without it. */
export const JS = `
(function () {
  'use strict';
  var doc = document;
  doc.documentElement.className += ' js';
  function text(el) { return (el.textContent || '').toLowerCase(); }
  Array.prototype.forEach.call(doc.querySelectorAll('table[data-sortable]'), function (table) {
    var head = table.tHead.rows[0];
    Array.prototype.forEach.call(head.cells, function (th, col) {
      var b = doc.createElement('button');
      b.type = 'button';
      b.textContent = th.textContent;
      th.textContent = '';
      th.appendChild(b);
      b.addEventListener('click', function () {
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        Array.prototype.forEach.call(head.cells, function (c) { c.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var numeric = th.getAttribute('data-type') === 'num';
        var val = function (r) { var c = r.cells[col]; var v = c.getAttribute('data-v'); return v !== null ? v : c.textContent; };
        rows.sort(function (a, b2) {
          var x = val(a), y = val(b2), d;
          if (numeric) { d = (x === '' ? -Infinity : Number(x)) - (y === '' ? -Infinity : Number(y)); if (d !== d) d = 0; }
          else d = String(x).localeCompare(String(y));
          return asc ? d : -d;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  Array.prototype.forEach.call(doc.querySelectorAll('input[data-filter]'), function (input) {
    var table = doc.getElementById(input.getAttribute('data-filter'));
    var out = doc.getElementById(input.getAttribute('data-count'));
    input.parentNode.hidden = false;
    input.addEventListener('input', function () {
      var q = input.value.trim().toLowerCase(), shown = 0;
      Array.prototype.forEach.call(table.tBodies[0].rows, function (r) { var hit = !q || text(r).indexOf(q) !== -1; r.hidden = !hit; if (hit) shown++; });
      if (out) out.textContent = shown + ' shown';
    });
  });
  function highlight(line, q) {
    var raw = line.getAttribute('data-raw');
    if (raw === null) { raw = line.textContent; line.setAttribute('data-raw', raw); }
    line.textContent = '';
    if (!q) { line.textContent = raw; return false; }
    var low = raw.toLowerCase(), at = 0, i, hit = false;
    while ((i = low.indexOf(q, at)) !== -1) {
      hit = true;
      line.appendChild(doc.createTextNode(raw.slice(at, i)));
      var m = doc.createElement('mark'); m.textContent = raw.slice(i, i + q.length); line.appendChild(m);
      at = i + q.length;
    }
    line.appendChild(doc.createTextNode(raw.slice(at)));
    return hit;
  }
  Array.prototype.forEach.call(doc.querySelectorAll('input[data-log]'), function (input) {
    var pre = doc.getElementById(input.getAttribute('data-log'));
    var only = doc.getElementById(input.getAttribute('data-only'));
    var out = doc.getElementById(input.getAttribute('data-count'));
    input.parentNode.hidden = false;
    var run = function () {
      var q = input.value.toLowerCase(), n = 0;
      Array.prototype.forEach.call(pre.children, function (line) {
        var hit = highlight(line, q);
        if (hit) n++;
        line.hidden = !!(only && only.checked && q && !hit);
      });
      if (out) out.textContent = q ? n + ' matching lines' : '';
    };
    input.addEventListener('input', run);
    if (only) only.addEventListener('change', run);
  });
  function reveal() {
    var target = location.hash ? doc.getElementById(location.hash.slice(1)) : null;
    for (var el = target; el; el = el.parentElement) if (el.tagName === 'DETAILS') el.open = true;
  }
  window.addEventListener('hashchange', reveal);
  reveal();
  function inView(el) {
    var r = el.getBoundingClientRect();
    if (r.top < 0 || r.bottom > window.innerHeight) window.scrollBy(0, r.top - window.innerHeight / 2);
  }
  Array.prototype.forEach.call(doc.querySelectorAll('svg a'), function (a) {
    a.addEventListener('focus', function () { inView(a); });
  });
  var tip = doc.getElementById('tip');
  if (tip) {
    var show = function (ev) {
      var g = ev.currentTarget, t = g.querySelector('title');
      inView(g);
      if (!t) return;
      tip.textContent = t.textContent;
      var r = g.getBoundingClientRect();
      tip.style.left = Math.max(4, window.scrollX + r.left - 40) + 'px';
      tip.style.top = (window.scrollY + r.bottom + 6) + 'px';
      tip.hidden = false;
    };
    var hide = function () { tip.hidden = true; };
    Array.prototype.forEach.call(doc.querySelectorAll('.m'), function (g) {
      g.addEventListener('focus', show); g.addEventListener('blur', hide);
    });
    doc.addEventListener('keydown', function (ev) { if (ev.key === 'Escape') hide(); });
  }
})();
`;

const sha256 = (s: string): string => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

/** The page's policy: nothing but this stylesheet and this script; no request to anywhere. */
export function contentSecurityPolicy(css: string, js: string): string {
  return `default-src 'none'; style-src ${sha256(css)}; script-src ${sha256(js)}; base-uri 'none'; form-action 'none'`;
}
