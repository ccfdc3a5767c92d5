// tdlab dashboard. Views (the address's fragment holds the view and its settings, so every view is a link):
//   #/?q=&verdict=&status=&template=&params=&from=&to=   experiments, and a run search across them
//   #/e/ID?metric=&log=1&seeds=runs&filter=&verdict=     an experiment: one chart per cell of the picked metric (median
//        and min–max band over the seeds, or every seed), log scale, filter, cell aggregates, phase diagram, claims,
//        findings; kept live by the stream's events, applied one at a time (a verdict refetches only its cell)
//   #/compare?runs=ID,ID&metric=&log=1                   runs of any experiments in one chart
// Plots: uPlot (its webjar). No other library.
'use strict';
const API = '/api/v1';
const app = document.getElementById('app');
const crumb = document.getElementById('crumb');
// unknown verdicts (newer services) fall back to grey wherever colour[] is read
const colour = { GLOBAL: '#1a7f37', LOCAL: '#b35900', NOT_CONVERGED: '#8250df', DIVERGED: '#cf222e', UNRESOLVED: '#57606a' };
const palette = ['#0969da', '#cf222e', '#1a7f37', '#8250df', '#b35900', '#57606a', '#bf3989', '#0a7b83', '#6e7781', '#953800'];
const VERDICTS = ['GLOBAL', 'LOCAL', 'NOT_CONVERGED', 'DIVERGED', 'UNRESOLVED'];
const TERMINAL = ['FINISHED', 'FAILED', 'CANCELLED'];
let source = null;      // the EventSource of the open experiment
let view = null;        // the open experiment's state (experimentView)
let observer = null;    // draws a cell's chart when it scrolls into view

function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null && v !== false) e.setAttribute(k, v === true ? '' : v);
  for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(k == null ? '' : String(k)));
  return e;
}
const fmt = (x, d = 6) => (x == null || x === '' ? '' : Number(x).toFixed(d));
const num = (v) => (typeof v === 'number' ? v : (v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : NaN));
const cellLabel = (cell) => Object.entries(cell || {}).map(([k, v]) => `${k.split('.').pop()}=${v}`).join(' ') || '-';

// API token: every API call sends it (Authorization: Bearer); kept in localStorage. A link may carry it once in
// its fragment (#token=… or #/e/ID?token=…, never sent to the server): it is stored and removed from the address.
const TOKEN_KEY = 'tdlab.token';
const token = () => localStorage.getItem(TOKEN_KEY) || '';
const authHeaders = () => (token() ? { Authorization: `Bearer ${token()}` } : {});
function tokenFromFragment() {
  const m = location.hash.match(/[#?&]token=([^&]+)/);
  if (!m) return;
  localStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
  // #/e/ID?token=T&metric=m → #/e/ID?metric=m; #/e/ID?metric=m&token=T → #/e/ID?metric=m; #token=T → (none)
  const rest = location.hash.replace(/(^#|[?&])token=[^&]*&?/, (all, sep) => sep).replace(/[?&]$/, '');
  history.replaceState(null, '', location.pathname + location.search + (rest === '#' ? '' : rest));
}
function tokenField() {
  const box = el('input', { id: 'token', type: 'password', placeholder: 'API token', autocomplete: 'off', size: 24 });
  box.value = token();
  const save = el('button', { id: 'save-token', type: 'button' }, 'use');
  save.addEventListener('click', () => { localStorage.setItem(TOKEN_KEY, box.value.trim()); route(); });
  box.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') save.click(); });
  document.getElementById('auth').replaceChildren(el('a', { href: '#/compare', id: 'tray-link' }, 'compare (', el('span', { id: 'tray-count' }, tray().length), ')'), ' ', box, ' ', save);
}

async function get(path) {
  const r = await fetch(API + path, { headers: authHeaders() });
  if (r.status === 401) throw new Error('401: enter an API token above (./lab up writes the admin token to .lab/token)');
  if (!r.ok) {
    let detail = '';
    try { detail = (await r.json()).detail || ''; } catch (e) { /* not problem+json */ }
    throw new Error(`${path}: HTTP ${r.status} ${detail}`);
  }
  return r.json();
}

// the fragment's view and its settings: #/e/ID?metric=eval_loss&log=1
function hashState() {
  const h = location.hash.replace(/^#/, '') || '/';
  const i = h.indexOf('?');
  return { path: i < 0 ? h : h.slice(0, i), params: new URLSearchParams(i < 0 ? '' : h.slice(i + 1)) };
}
function setParams(patch) {
  const { path, params } = hashState();
  for (const [k, v] of Object.entries(patch)) if (v == null || v === '' || v === false) params.delete(k); else params.set(k, v === true ? '1' : v);
  const q = params.toString();
  history.replaceState(null, '', `${location.pathname}${location.search}#${path}${q ? `?${q}` : ''}`);
}

// report links: a plain link cannot send the token, so fetch with it and show the result
async function openReport(ev) {
  ev.preventDefault();
  const a = ev.currentTarget;
  const r = await fetch(a.getAttribute('href'), { headers: authHeaders() });
  if (!r.ok) { alert(`${a.getAttribute('href')}: HTTP ${r.status}`); return; }
  if (a.dataset.kind === 'html') {
    const w = window.open('', '_blank');
    w.document.write(await r.text());
    w.document.close();
  } else {
    const url = URL.createObjectURL(await r.blob());
    const d = el('a', { href: url, download: a.dataset.file });
    document.body.append(d);
    d.click();
    d.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }
}
function reportLink(id, suffix, label, kind) {
  const a = el('a', { href: `${API}/experiments/${id}/report${suffix}`, 'data-kind': kind, 'data-file': `${id}${suffix || '.html'}` }, label);
  a.addEventListener('click', openReport);
  return a;
}

// ---- the compare tray: runs of any experiments, kept in localStorage ----
const TRAY_KEY = 'tdlab.compare';
function tray() { try { return JSON.parse(localStorage.getItem(TRAY_KEY) || '[]'); } catch (e) { return []; } }
function setTray(list) {
  localStorage.setItem(TRAY_KEY, JSON.stringify(list));
  const n = document.getElementById('tray-count');
  if (n) n.textContent = list.length;
}
function trayBox(run, experimentName) {
  const box = el('input', { type: 'checkbox', 'data-run': run.id || run.runId, title: 'add to the comparison (any experiment)' });
  const id = run.id || run.runId;
  box.checked = tray().some((t) => t.run === id);
  box.addEventListener('change', () => {
    const rest = tray().filter((t) => t.run !== id);
    if (box.checked) rest.push({ run: id, experiment: run.experimentId, label: `${experimentName} · ${cellLabel(run.cell)} · seed ${run.seed}` });
    setTray(rest);
  });
  return box;
}

// ---- experiments list and run search ----
async function listView(params) {
  crumb.textContent = '· experiments';
  const templates = await get('/templates').catch(() => []);
  const input = (name, attrs = {}) => { const i = el('input', { name, id: `search-${name}`, ...attrs }); i.value = params.get(name) || ''; return i; };
  const select = (name, options) => {
    const s = el('select', { name, id: `search-${name}` }, el('option', { value: '' }, `any ${name}`), ...options.map((o) => el('option', { value: o }, o)));
    s.value = params.get(name) || '';
    return s;
  };
  const form = el('form', { id: 'search', class: 'toolbar' },
    input('q', { placeholder: 'name, cell or id', size: 18 }), select('verdict', VERDICTS),
    select('status', ['PLANNED', 'DATA_READY', 'RUNNING', 'FINISHED', 'FAILED', 'CANCELLED']),
    select('template', templates.map((t) => t.name)), input('params', { placeholder: 'data.p=0.2,model.dModel=8', size: 24 }),
    el('label', {}, 'created ', input('from', { type: 'date' })), el('label', {}, '– ', input('to', { type: 'date' })),
    el('button', { type: 'submit' }, 'search'), el('a', { href: '#/' }, 'clear'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v) q.set(k, v);
    location.hash = `#/${q.toString() ? `?${q}` : ''}`;
  });
  const searching = ['q', 'verdict', 'status', 'template', 'params', 'from', 'to'].some((k) => params.get(k));
  const parts = [el('h2', {}, 'Search runs'), form];
  let experimentIds = null;
  if (searching) {
    const q = new URLSearchParams();
    for (const k of ['q', 'verdict', 'status', 'template', 'params']) if (params.get(k)) q.set(k, params.get(k));
    if (params.get('from')) q.set('createdFrom', params.get('from'));
    if (params.get('to')) q.set('createdTo', params.get('to'));
    q.set('limit', '500');
    const hits = await get(`/search/runs?${q}`);
    experimentIds = new Set(hits.items.map((h) => h.experimentId));
    const t = el('table', { id: 'search-results' }, el('tr', {}, el('th', {}, 'compare'), el('th', { class: 'l' }, 'experiment'),
      el('th', { class: 'l' }, 'cell'), el('th', {}, 'seed'), el('th', {}, 'status'), el('th', {}, 'verdict'),
      el('th', {}, 'final eval loss'), el('th', {}, 'gap'), el('th', { class: 'l' }, 'created')));
    for (const h of hits.items) {
      t.append(el('tr', { 'data-run': h.runId }, el('td', {}, trayBox(h, h.experimentName)),
        el('td', { class: 'l' }, el('a', { href: `#/e/${h.experimentId}` }, h.experimentName)), el('td', { class: 'l' }, cellLabel(h.cell)),
        el('td', {}, h.seed), el('td', {}, h.status), el('td', { class: h.verdict || '' }, h.verdict || ''),
        el('td', {}, fmt(h.finalEvalLoss)), el('td', {}, fmt(h.gapToOptimum)), el('td', { class: 'l' }, (h.createdAt || '').slice(0, 16))));
    }
    parts.push(el('p', { class: 'muted', id: 'search-count' }, `${hits.total} runs match${hits.total > hits.items.length ? ` (first ${hits.items.length} shown)` : ''}; tick runs to compare them, across experiments: `, el('a', { href: '#/compare' }, 'compare')), t);
  }
  const page = await get('/experiments?size=200');
  const shown = experimentIds ? page.items.filter((e) => experimentIds.has(e.id)) : page.items;
  const t = el('table', { id: 'experiments' },
    el('tr', {}, el('th', { class: 'l' }, 'name'), el('th', {}, 'status'), el('th', {}, 'runs'), el('th', { class: 'l' }, 'created'), el('th', { class: 'l' }, 'id')));
  for (const e of shown) {
    t.append(el('tr', {}, el('td', { class: 'l' }, el('a', { href: `#/e/${e.id}` }, e.name)), el('td', {}, e.status), el('td', {}, e.runCount),
      el('td', { class: 'l' }, e.createdAt), el('td', { class: 'l muted' }, e.id)));
  }
  parts.push(el('h2', {}, experimentIds ? `Experiments with matching runs (${shown.length})` : `Experiments (${page.total})`), t);
  app.replaceChildren(...parts);
}

// ---- curves: per-cell bands, log scale ----
// a loss on the scale of the entropy-rate and unigram lines (those lines are drawn with it)
const lossLike = (m) => /(^|_)loss$/.test(m) && !/excess/.test(m);
const defaultLog = (m) => /excess|grad|norm/.test(m);

// linear interpolation of (steps, values) at step x; null outside its range or next to a missing value
function at(steps, values, x) {
  let lo = 0;
  let hi = steps.length - 1;
  if (hi < 0 || x < steps[0] || x > steps[hi]) return null;
  while (hi - lo > 1) { const mid = (lo + hi) >> 1; if (steps[mid] <= x) lo = mid; else hi = mid; }
  if (steps[lo] === x) return values[lo];
  if (steps[hi] === x) return values[hi];
  const a = values[lo];
  const b = values[hi];
  if (a == null || b == null) return null;
  return a + ((b - a) * (x - steps[lo])) / (steps[hi] - steps[lo]);
}

// the median and the min–max band over the seeds, on the union of their steps
function band(curves) {
  const grid = [...new Set(curves.flatMap((c) => c.steps))].sort((a, b) => a - b);
  const med = [];
  const lo = [];
  const hi = [];
  for (const x of grid) {
    const vs = curves.map((c) => at(c.steps, c.values, x)).filter((v) => v != null && Number.isFinite(v)).sort((a, b) => a - b);
    if (!vs.length) { med.push(null); lo.push(null); hi.push(null); continue; }
    const m = vs.length >> 1;
    med.push(vs.length % 2 ? vs[m] : (vs[m - 1] + vs[m]) / 2);
    lo.push(vs[0]);
    hi.push(vs[vs.length - 1]);
  }
  return { grid, med, lo, hi };
}

// tick labels that stay readable on a log scale (1e-4, not 0)
const yTicks = (u, vals) => vals.map((v) => (v == null ? '' : v === 0 || (Math.abs(v) >= 0.01 && Math.abs(v) < 1e4) ? String(+v.toPrecision(3)) : v.toExponential(0)));
const positive = (log) => (v) => (v == null || !Number.isFinite(v) || (log && v <= 0) ? null : v);

// uPlot options and data of one cell's chart: the median with its min–max band, or every seed's curve
function cellPlot(S, cellId, width) {
  const runs = [...S.runs.values()].filter((r) => r.cellId === cellId && S.visible(r));
  const curves = runs.map((r) => ({ r, ...(S.curves.get(r.id) || { steps: [], values: [] }) })).filter((c) => c.steps.length);
  const clean = positive(S.log);
  const series = [{ label: 'step' }];
  const data = [];
  const bands = [];
  let steps;
  if (S.seeds === 'bands') {
    const b = band(curves);
    steps = b.grid;
    data.push(b.med.map(clean), b.hi.map(clean), b.lo.map(clean));
    series.push({ label: `median (${curves.length} seeds)`, stroke: '#0969da', width: 2 },
      { label: 'max', stroke: 'rgba(9,105,218,0.35)', width: 1 }, { label: 'min', stroke: 'rgba(9,105,218,0.35)', width: 1 });
    bands.push({ series: [2, 3], fill: 'rgba(9,105,218,0.15)' });
  } else {
    steps = [...new Set(curves.flatMap((c) => c.steps))].sort((a, b) => a - b);
    curves.forEach((c, i) => {
      const byStep = new Map(c.steps.map((x, j) => [x, c.values[j]]));
      data.push(steps.map((x) => clean(byStep.has(x) ? byStep.get(x) : null)));
      series.push({ label: `seed ${c.r.seed}`, stroke: colour[c.r.verdict] || palette[i % palette.length], width: 1.3, spanGaps: true });
    });
  }
  const first = runs[0] || {};
  const b = first.baselines || {};
  if (lossLike(S.metric) && b.entropyRate != null) {
    data.push(steps.map(() => clean(b.entropyRate)));
    series.push({ label: 'entropy rate', stroke: '#1a7f37', dash: [6, 4] });
    if (b.unigramEntropy != null) {
      data.push(steps.map(() => clean(b.unigramEntropy)));
      series.push({ label: 'unigram', stroke: '#b35900', dash: [2, 4] });
    }
  }
  const agg = S.cells.get(cellId);
  const verdicts = !agg ? '' : agg.uninformative ? `uninformative (optimum = plateau), ${agg.runs} runs` : `${agg.global}/${agg.runs} GLOBAL`;
  return {
    opts: {
      title: `${cellLabel(first.cell)} · ${verdicts}`, width, height: 220, bands,
      scales: { x: { time: false }, y: S.log ? { distr: 3 } : {} }, series, legend: { show: false },
      axes: [{}, { size: 60, values: yTicks }],
    },
    data: [steps, ...data],
    points: curves.reduce((n, c) => n + c.steps.length, 0),
    seeds: curves.length,
  };
}

// draws (or redraws) a cell's chart; a chart out of view is drawn when it scrolls in
function drawCell(S, cellId) {
  const div = S.chartDivs.get(cellId);
  if (!div) return;
  const t0 = performance.now();
  const p = cellPlot(S, cellId, S.chartWidth);
  Object.assign(div.dataset, { points: p.points, seeds: p.seeds, metric: S.metric, scale: S.log ? 'log' : 'linear', bands: S.seeds === 'bands' ? p.opts.bands.length : 0 });
  div.hidden = p.seeds === 0 && S.filtering();
  if (!div.dataset.visible) { S.jsMs += performance.now() - t0; return; }
  if (div.plot) div.plot.destroy();
  div.replaceChildren();
  div.plot = new uPlot(p.opts, p.data, div);
  S.jsMs += performance.now() - t0;
  document.body.dataset.jsMs = S.jsMs.toFixed(0); // the main thread's own work so far: building, filtering, drawing
}

function drawAllCells(S) {
  for (const cellId of S.chartDivs.keys()) drawCell(S, cellId);
}

// ---- an experiment ----
function progress(r) {
  const f = r.totalSteps ? r.step / r.totalSteps : 0;
  const bar = el('span', { class: 'bar' }, el('span', { style: `width:${(100 * f).toFixed(1)}%` }));
  return el('td', { class: 'l' }, bar, ` ${r.step}/${r.totalSteps}`);
}

function runRow(S, r) {
  const b = r.baselines || {};
  const tr = el('tr', { id: `run-${r.id}`, 'data-cell': r.cellId }, el('td', {}, trayBox(r, S.e.name)), el('td', { class: 'l' }, cellLabel(r.cell)), el('td', {}, r.seed),
    el('td', {}, r.status), progress(r), el('td', {}, fmt(r.lastTrainLoss, 4)), el('td', {}, fmt(r.finalEvalLoss)),
    el('td', {}, fmt(b.entropyRate)), el('td', {}, fmt(b.unigramEntropy)),
    el('td', { class: r.verdict || '' }, (r.verdict || '') + (r.uninformative ? ' (uninformative)' : '')),
    el('td', {}, r.convergenceStep ?? ''));
  tr.hidden = !S.visible(r);
  return tr;
}

function cellRow(c) {
  const ci = (x, lo, hi, d) => (x == null ? '' : `${Number(x).toFixed(d)} [${Number(lo).toFixed(d)}, ${Number(hi).toFixed(d)}]`);
  return el('tr', { id: `cell-${c.cellId}`, 'data-cell': c.cellId }, el('td', { class: 'l' }, cellLabel(c.cell) + (c.uninformative ? ' ∅' : '')),
    el('td', {}, c.runs), el('td', {}, c.finished), el('td', {}, `${c.global}/${c.global + c.local + c.notConverged + c.diverged + c.unresolved}`),
    el('td', {}, ci(c.fractionGlobal, c.fractionGlobalLow, c.fractionGlobalHigh, 2)),
    el('td', {}, ci(c.medianConvergenceStep, c.convergenceStepLow, c.convergenceStepHigh, 0)),
    el('td', {}, fmt(c.meanFinalEvalLoss)), el('td', { class: c.seedsDisagree ? 'UNRESOLVED' : '' }, c.seedsDisagree ? 'disagree' : ''));
}

function phaseTable(phase) {
  if (!phase) return el('p', { class: 'muted' }, 'No phase diagram: the sweep does not have exactly two numeric axes.');
  const t = el('table', { class: 'phase', id: 'phase' });
  t.append(el('tr', {}, el('th', {}, `${phase.yAxis} \\ ${phase.xAxis}`), ...phase.xs.map((x) => el('th', {}, x))));
  for (const row of phase.rows) {
    const tr = el('tr', {}, el('th', {}, row.y));
    for (const c of row.cells) tr.append(phaseTd(c));
    t.append(tr);
  }
  return el('div', {}, t, phase.theoryLine ? el('p', { class: 'muted' }, `Dashed: above the theory's line ${phase.theoryLine}.`) : '');
}
function phaseTd(c) {
  const f = c.fractionGlobal;
  const title = c.uninformative ? 'uninformative: optimum = plateau (p + q = 1), left out of claims' : `fraction GLOBAL ${f ?? '–'}`;
  const td = el('td', { class: `${c.side || ''}${c.uninformative ? ' uninformative' : ''}`, title, 'data-x': c.x, 'data-y': c.y },
    (f == null ? '' : `${c.global}/${c.runs}`) + (c.uninformative ? ' ∅' : ''));
  if (f != null && !c.uninformative) td.style.background = `rgba(45,164,78,${0.15 + 0.75 * f})`;
  return td;
}
// a changed cell's entry of the phase diagram, from its new aggregate
function updatePhase(S, agg) {
  const p = S.phase;
  if (!p) return;
  const x = Number(agg.cell[p.xAxis]);
  const y = Number(agg.cell[p.yAxis]);
  const td = document.querySelector(`#phase td[data-x="${x}"][data-y="${y}"]`);
  if (!td) return;
  const old = p.rows.flatMap((r) => r.cells).find((c) => c.x === x && c.y === y) || {};
  const decided = agg.global + agg.local + agg.notConverged + agg.diverged + agg.unresolved;
  Object.assign(old, { fractionGlobal: decided ? agg.global / decided : null, runs: agg.runs, global: agg.global, unresolved: agg.unresolved, uninformative: agg.uninformative });
  td.replaceWith(phaseTd(old));
}

// The seed papers' claims judged on the experiment's finished runs (CONFIRMED / REFUTED / INCONCLUSIVE + evidence).
function claimsTable(claims) {
  if (!claims || claims.length === 0) return el('p', { class: 'muted', id: 'claims-none' }, 'No paper claim applies to this sweep.');
  const t = el('table', { id: 'claims' }, el('tr', {}, el('th', { class: 'l' }, 'claim'), el('th', { class: 'l' }, 'statement'),
    el('th', {}, 'outcome'), el('th', { class: 'l' }, 'evidence')));
  for (const c of claims) {
    const ev = Object.entries(c.evidence || {}).map(([k, v]) => `${k}: ${typeof v === 'number' ? v.toPrecision(4) : JSON.stringify(v)}`);
    t.append(el('tr', {}, el('td', { class: 'l' }, `${c.id} (${c.paper})`), el('td', { class: 'l' }, c.statement),
      el('td', { class: c.outcome }, c.outcome), el('td', { class: 'l evidence' }, ev.join('; '))));
  }
  return t;
}

// Each run's family-specific findings (verdict/Findings): the filtered runs that have any, at most 100.
function findingsTable(S) {
  const runs = [...S.runs.values()].filter((r) => S.visible(r) && r.findings && Object.keys(r.findings).length);
  if (!runs.length) return el('p', { class: 'muted', id: 'findings-none' }, 'No findings: this model family reports none, or no run has ended.');
  const show = (v) => (typeof v === 'number' ? (Number.isInteger(v) ? v : v.toPrecision(4)) : typeof v === 'object' ? JSON.stringify(v).slice(0, 80) : String(v));
  const t = el('table', { id: 'findings' }, el('tr', {}, el('th', { class: 'l' }, 'cell'), el('th', {}, 'seed'), el('th', {}, 'verdict'), el('th', { class: 'l' }, 'findings')));
  for (const r of runs.slice(0, 100)) {
    t.append(el('tr', {}, el('td', { class: 'l' }, cellLabel(r.cell)), el('td', {}, r.seed), el('td', { class: r.verdict || '' }, r.verdict || ''),
      el('td', { class: 'l evidence' }, Object.entries(r.findings).map(([k, v]) => `${k}: ${show(v)}`).join('; '))));
  }
  return el('div', {}, t, runs.length > 100 ? el('p', { class: 'muted' }, `first 100 of ${runs.length}; filter to narrow`) : '');
}

// the run filter: every word must match the run's cell, seed, status or verdict; name=value words match a cell value
function runFilter(text, verdict) {
  const words = (text || '').toLowerCase().split(/\s+/).filter(Boolean);
  return (r) => {
    if (verdict && r.verdict !== verdict) return false;
    const hay = `${cellLabel(r.cell)} seed=${r.seed} ${r.status} ${r.verdict || ''}`.toLowerCase();
    return words.every((w) => {
      const m = w.match(/^([\w.]+)=(.+)$/);
      if (m) {
        const entry = Object.entries(r.cell || {}).find(([k]) => k.toLowerCase() === m[1] || k.split('.').pop().toLowerCase() === m[1]);
        if (entry) return String(entry[1]).toLowerCase() === m[2] || Number(entry[1]) === Number(m[2]);
        if (m[1] === 'seed') return String(r.seed) === m[2];
      }
      return hay.includes(w);
    });
  };
}

function toolbar(S, names) {
  const picker = el('select', { id: 'metric' }, ...names.map((m) => el('option', { value: m.name }, `${m.name} (${m.runs} runs)`)));
  picker.value = S.metric;
  const log = el('input', { type: 'checkbox', id: 'log' });
  log.checked = S.log;
  const seeds = el('select', { id: 'seeds' }, el('option', { value: 'bands' }, 'median + min–max band per cell'), el('option', { value: 'runs' }, 'every seed'));
  seeds.value = S.seeds;
  const filter = el('input', { id: 'filter', placeholder: 'filter runs: p=0.2 seed=1 GLOBAL…', size: 28 });
  filter.value = S.filterText;
  const verdict = el('select', { id: 'verdict-filter' }, el('option', { value: '' }, 'any verdict'), ...VERDICTS.map((v) => el('option', { value: v }, v)));
  verdict.value = S.verdictFilter;
  picker.addEventListener('change', () => {
    S.metric = picker.value;
    S.log = defaultLog(S.metric);
    log.checked = S.log;
    setParams({ metric: S.metric, log: S.log ? '1' : '0' });
    loadCurves(S);
  });
  log.addEventListener('change', () => { S.log = log.checked; setParams({ log: S.log ? '1' : '0' }); drawAllCells(S); });
  seeds.addEventListener('change', () => { S.seeds = seeds.value; setParams({ seeds: S.seeds === 'bands' ? null : S.seeds }); drawAllCells(S); });
  const refilter = () => {
    S.filterText = filter.value;
    S.verdictFilter = verdict.value;
    setParams({ filter: S.filterText, verdict: S.verdictFilter });
    applyFilter(S);
  };
  filter.addEventListener('input', refilter);
  verdict.addEventListener('change', refilter);
  return el('div', { class: 'toolbar', id: 'toolbar' }, el('label', {}, 'metric ', picker), ' ', el('label', {}, log, ' log scale'), ' ',
    el('label', {}, 'seeds ', seeds), ' ', filter, ' ', verdict, ' ', el('span', { class: 'muted', id: 'filter-count' }));
}

function applyFilter(S) {
  S.visible = runFilter(S.filterText, S.verdictFilter);
  let n = 0;
  for (const r of S.runs.values()) {
    const row = document.getElementById(`run-${r.id}`);
    const v = S.visible(r);
    if (v) n++;
    if (row) row.hidden = !v;
  }
  document.getElementById('filter-count').textContent = S.filtering() ? `${n} of ${S.runs.size} runs` : `${S.runs.size} runs`;
  drawAllCells(S);
  document.getElementById('findings-host').replaceChildren(findingsTable(S));
}

async function loadCurves(S) {
  if (!S.metric) return;
  const t0 = performance.now();
  const c = await get(`/experiments/${S.id}/curves?metric=${encodeURIComponent(S.metric)}&maxPoints=300`);
  S.curves = new Map(c.runs.map((r) => [r.runId, { steps: r.steps, values: r.values.map(num) }]));
  const t1 = performance.now();
  drawAllCells(S);
  return t1 - t0;
}

async function experimentView(id, params) {
  const t0 = performance.now();
  const [e, agg, names] = await Promise.all([get(`/experiments/${id}`), get(`/experiments/${id}/aggregates`), get(`/experiments/${id}/metric-names`)]);
  const tData = performance.now();
  crumb.textContent = `· ${e.name}`;
  const has = (m) => names.metrics.some((x) => x.name === m);
  const metric = params.get('metric') && has(params.get('metric')) ? params.get('metric')
    : (has('train_loss') ? 'train_loss' : (names.metrics[0] || {}).name);
  const S = view = {
    id, e, metric, log: params.has('log') ? params.get('log') === '1' : defaultLog(metric || ''),
    seeds: params.get('seeds') === 'runs' ? 'runs' : 'bands', filterText: params.get('filter') || '', verdictFilter: params.get('verdict') || '',
    runs: new Map(e.runs.map((r) => [r.id, r])), cells: new Map(agg.cells.map((c) => [c.cellId, c])), phase: agg.phase,
    curves: new Map(), chartDivs: new Map(), chartWidth: 380, jsMs: 0, pendingCells: new Set(),
  };
  S.visible = runFilter(S.filterText, S.verdictFilter);
  S.filtering = () => Boolean(S.filterText || S.verdictFilter);
  const tBuild = performance.now();
  const status = el('b', { id: 'status' }, e.status);
  const runsTable = el('table', { id: 'runs' }, el('tr', {}, el('th', {}, 'compare'), el('th', { class: 'l' }, 'cell'), el('th', {}, 'seed'),
    el('th', {}, 'status'), el('th', { class: 'l' }, 'progress'), el('th', {}, 'loss'), el('th', {}, 'final eval loss'),
    el('th', {}, 'entropy rate'), el('th', {}, 'unigram'), el('th', {}, 'verdict'), el('th', {}, 'conv. step')));
  for (const r of e.runs) runsTable.append(runRow(S, r));
  const cellsTable = el('table', { id: 'cells' }, el('tr', {}, el('th', { class: 'l' }, 'cell'), el('th', {}, 'runs'), el('th', {}, 'finished'),
    el('th', {}, 'GLOBAL / decided'), el('th', {}, 'fraction GLOBAL [95 %]'), el('th', {}, 'median conv. step [95 %]'), el('th', {}, 'mean final eval loss'), el('th', {}, 'seeds')));
  for (const c of agg.cells) cellsTable.append(cellRow(c));
  const chartHost = el('div', { class: 'charts', id: 'charts' });
  if (observer) observer.disconnect();
  observer = new IntersectionObserver((entries) => {
    for (const en of entries) {
      if (en.isIntersecting && !en.target.dataset.visible) { en.target.dataset.visible = '1'; drawCell(S, en.target.dataset.cell); }
    }
  }, { rootMargin: '400px' });
  // charts in the order of the cells' values (numbers as numbers), not of their ids
  const byValues = (a, b) => {
    for (const k of Object.keys(a.cell || {})) {
      const x = a.cell[k];
      const y = (b.cell || {})[k];
      const d = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      if (d) return d;
    }
    return 0;
  };
  for (const c of [...agg.cells].sort(byValues)) {
    const div = el('div', { class: 'chart', 'data-cell': c.cellId });
    S.chartDivs.set(c.cellId, div);
    chartHost.append(div);
    observer.observe(div);
  }
  app.replaceChildren(el('h2', {}, e.name, ' ', status),
    el('p', { class: 'muted' }, `${e.runCount} runs · ${agg.cells.length} cells · created ${(e.createdAt || '').slice(0, 16)} · `, reportLink(id, '', 'report', 'html'), ' · ',
      reportLink(id, '.csv', 'csv', 'file'), ' · ', reportLink(id, '.json', 'json', 'file'), ' · ', el('a', { href: '#/compare' }, 'compare ticked runs')),
    names.metrics.length ? toolbar(S, names.metrics) : el('p', { class: 'muted', id: 'toolbar' }, 'No metrics reported yet.'),
    el('h3', {}, 'Curves, one chart per cell'),
    el('p', { class: 'muted' }, 'Blue: the median over the seeds, shaded: their min–max band (or one line per seed, coloured by verdict); green dashed: the entropy rate (the optimum); orange dotted: the unigram entropy (the plateau).'),
    chartHost,
    el('h3', {}, 'Cells (seeds aggregated)'), cellsTable,
    el('h3', {}, 'Phase diagram'), el('div', { id: 'phase-host' }, phaseTable(agg.phase)),
    el('h3', {}, "The papers' claims"), el('div', { id: 'claims-host' }, claimsTable(agg.claims)),
    el('h3', {}, 'Findings'), el('div', { id: 'findings-host' }),
    el('h3', {}, 'Runs'), runsTable);
  if (names.metrics.length) applyFilter(S); else document.getElementById('findings-host').replaceChildren(findingsTable(S));
  S.jsMs += performance.now() - tBuild;
  const curvesMs = await loadCurves(S);
  // for tests and measurements: when the page was ready, how long the API took, the main thread's own work
  Object.assign(document.body.dataset, {
    renderMs: (performance.now() - t0).toFixed(0), dataMs: (tData - t0).toFixed(0), curvesMs: (curvesMs || 0).toFixed(0), jsMs: S.jsMs.toFixed(0), runs: S.runs.size,
  });
  if (source) source.close();
  source = null;
  if (TERMINAL.includes(e.status)) return;
  live(S, status);
}

// the stream's events, each applied where it belongs: a row, a curve, one cell's aggregate
function live(S, status) {
  // EventSource cannot send headers: the stream endpoint (only it) takes the token as ?access_token=
  source = new EventSource(`${API}/experiments/${S.id}/stream?access_token=${encodeURIComponent(token())}`);
  const update = (runId, patch) => {
    const r = Object.assign(S.runs.get(runId) || {}, patch);
    S.runs.set(runId, r);
    const row = document.getElementById(`run-${runId}`);
    if (row) row.replaceWith(runRow(S, r));
    return r;
  };
  const dirtyCharts = new Set();
  let drawTimer = null;
  const redrawSoon = (cellId) => {
    dirtyCharts.add(cellId);
    if (!drawTimer) drawTimer = setTimeout(() => { drawTimer = null; for (const c of dirtyCharts) drawCell(S, c); dirtyCharts.clear(); }, 250);
  };
  let cellTimer = null;
  let claimsAt = 0;
  let claimsTimer = null;
  const refreshClaims = () => get(`/experiments/${S.id}/aggregates`).then((a) => {
    claimsAt = Date.now();
    document.getElementById('claims-host').replaceChildren(claimsTable(a.claims));
  });
  const claimsSoon = () => { // at most one refetch every 5 s: the claims read every run
    if (claimsTimer) return;
    claimsTimer = setTimeout(() => { claimsTimer = null; refreshClaims(); }, Math.max(0, 5000 - (Date.now() - claimsAt)));
  };
  const refreshCells = () => {
    cellTimer = null;
    const ids = [...S.pendingCells];
    S.pendingCells.clear();
    if (!ids.length) return;
    get(`/experiments/${S.id}/cells?ids=${ids.map(encodeURIComponent).join(',')}`).then((res) => {
      for (const c of res.cells) {
        S.cells.set(c.cellId, c);
        const row = document.getElementById(`cell-${c.cellId}`);
        if (row) row.replaceWith(cellRow(c));
        updatePhase(S, c);
        redrawSoon(c.cellId);
      }
      document.body.dataset.cellUpdates = Number(document.body.dataset.cellUpdates || 0) + res.cells.length;
    });
  };
  source.addEventListener('progress', (ev) => { const p = JSON.parse(ev.data); update(p.runId, p); });
  source.addEventListener('status', (ev) => { const p = JSON.parse(ev.data); update(p.runId, p); });
  source.addEventListener('metrics', (ev) => {
    const b = JSON.parse(ev.data);
    const s = b.metrics[S.metric];
    const r = S.runs.get(b.runId);
    if (s && r) {
      const c = S.curves.get(b.runId) || { steps: [], values: [] };
      for (let i = 0; i < s.steps.length; i++) {
        if (c.steps.length && s.steps[i] <= c.steps[c.steps.length - 1]) continue;
        c.steps.push(s.steps[i]);
        c.values.push(num(s.values[i]));
      }
      S.curves.set(b.runId, c);
      redrawSoon(r.cellId);
    }
    const tl = b.metrics.train_loss;
    if (tl && tl.values.length) update(b.runId, { lastTrainLoss: tl.values[tl.values.length - 1], step: b.toStep });
  });
  source.addEventListener('verdict', (ev) => {
    const v = JSON.parse(ev.data);
    const r = update(v.runId, { verdict: v.verdict, finalEvalLoss: v.finalEvalLoss, convergenceStep: v.convergenceStep, findings: v.findings || null });
    if (r.cellId) S.pendingCells.add(r.cellId);
    if (!cellTimer) cellTimer = setTimeout(refreshCells, 300); // the verdicts of one poll: one request for their cells
    claimsSoon();
  });
  source.addEventListener('experiment', (ev) => {
    const x = JSON.parse(ev.data);
    status.textContent = x.status;
    if (TERMINAL.includes(x.status)) {
      source.close();
      source = null;
      setTimeout(() => { refreshCells(); refreshClaims(); document.getElementById('findings-host').replaceChildren(findingsTable(S)); }, 350);
    }
  });
}

// ---- compare runs of any experiments ----
async function compareView(params) {
  crumb.textContent = '· compare';
  if (params.get('runs')) { // a link's runs join the tray
    const have = tray();
    for (const id of params.get('runs').split(',').filter(Boolean)) if (!have.some((t) => t.run === id)) have.push({ run: id });
    setTray(have);
  }
  const list = tray();
  const host = el('div', { id: 'compare' });
  const items = el('ul', { id: 'tray' });
  app.replaceChildren(el('h2', {}, 'Compare runs'), el('p', { class: 'muted' }, 'Runs ticked in any experiment or in a search; ',
    el('a', { href: '#/' }, 'search runs'), '.'), items, host);
  if (!list.length) { host.append(el('p', { class: 'muted' }, 'Tick runs in an experiment or a search to compare them here.')); return; }
  const runs = await Promise.all(list.map((t) => get(`/runs/${t.run}`).catch(() => null)));
  const expIds = [...new Set(runs.filter(Boolean).map((r) => r.experimentId))];
  const exps = new Map(await Promise.all(expIds.map(async (x) => [x, await get(`/experiments/${x}/metric-names`).then((m) => m.metrics).catch(() => [])])));
  const expNames = new Map((await get('/experiments?size=200')).items.map((x) => [x.id, x.name]));
  const counts = new Map();
  for (const ms of exps.values()) for (const m of ms) counts.set(m.name, (counts.get(m.name) || 0) + 1);
  const names = [...counts.keys()].sort();
  const metric = params.get('metric') && counts.has(params.get('metric')) ? params.get('metric') : (counts.has('eval_loss') ? 'eval_loss' : names[0]);
  let log = params.has('log') ? params.get('log') === '1' : defaultLog(metric || '');
  runs.forEach((r, i) => {
    const rm = el('button', { type: 'button', title: 'remove' }, '×');
    rm.addEventListener('click', () => { setTray(tray().filter((t) => t.run !== list[i].run)); setParams({ runs: null }); route(); });
    items.append(el('li', {}, el('span', { class: 'swatch', style: `background:${palette[i % palette.length]}` }), ' ',
      r ? `${expNames.get(r.experimentId) || r.experimentId} · ${cellLabel(r.cell)} · seed ${r.seed} · ${r.verdict || r.status}` : `${list[i].run} (not found)`, ' ', rm));
  });
  const picker = el('select', { id: 'metric' }, ...names.map((m) => el('option', { value: m }, m)));
  picker.value = metric;
  const logBox = el('input', { type: 'checkbox', id: 'log' });
  logBox.checked = log;
  const chart = el('div', { id: 'compare-chart', class: 'chart' });
  host.append(el('div', { class: 'toolbar' }, el('label', {}, 'metric ', picker), ' ', el('label', {}, logBox, ' log scale')), chart);
  const draw = async () => {
    const m = picker.value;
    const got = await Promise.all(runs.map((r) => (r ? get(`/runs/${r.id}/metrics?names=${encodeURIComponent(m)}&maxPoints=400`).then((x) => x.metrics[m]).catch(() => null) : null)));
    const steps = [...new Set(got.flatMap((s) => (s ? s.steps : [])))].sort((a, b) => a - b);
    const clean = positive(log);
    const series = [{ label: 'step' }];
    const data = [steps];
    got.forEach((s, i) => {
      if (!s || !runs[i]) return;
      const byStep = new Map(s.steps.map((x, j) => [x, num(s.values[j])]));
      series.push({ label: `${(expNames.get(runs[i].experimentId) || '').slice(0, 18)} ${cellLabel(runs[i].cell)} s${runs[i].seed}`, stroke: palette[i % palette.length], width: 1.5, spanGaps: true });
      data.push(steps.map((x) => clean(byStep.has(x) ? byStep.get(x) : null)));
    });
    chart.replaceChildren();
    Object.assign(chart.dataset, { series: series.length - 1, experiments: new Set(runs.filter(Boolean).map((r) => r.experimentId)).size, metric: m, scale: log ? 'log' : 'linear', points: got.reduce((n, s) => n + (s ? s.steps.length : 0), 0) });
    new uPlot({ title: `${m}, compared`, width: 900, height: 360, scales: { x: { time: false }, y: log ? { distr: 3 } : {} }, series, axes: [{}, { size: 60, values: yTicks }] }, data, chart);
  };
  picker.addEventListener('change', () => { log = defaultLog(picker.value); logBox.checked = log; setParams({ metric: picker.value, log: log ? '1' : '0' }); draw(); });
  logBox.addEventListener('change', () => { log = logBox.checked; setParams({ log: log ? '1' : '0' }); draw(); });
  await draw();
}

async function route() {
  try {
    const { path, params } = hashState();
    const m = path.match(/^\/e\/([\w-]+)/);
    if (source && !m) { source.close(); source = null; }
    if (m) await experimentView(m[1], params);
    else if (path === '/compare') await compareView(params);
    else await listView(params);
    document.body.dataset.ready = '1';
  } catch (err) {
    app.replaceChildren(el('p', { class: 'DIVERGED', id: 'error' }, String(err)));
  }
}
window.addEventListener('hashchange', () => { tokenFromFragment(); route(); });
tokenFromFragment();
tokenField();
route();
