// tdlab dashboard: experiments list, an experiment's runs with live loss curves (server-sent events)
// against the entropy-rate and unigram lines, the phase diagram, and run comparison. Plots: uPlot.
'use strict';
const API = '/api/v1';
const app = document.getElementById('app');
const crumb = document.getElementById('crumb');
// unknown verdicts (newer services) fall back to grey wherever colour[] is read
const colour = { GLOBAL: '#1a7f37', LOCAL: '#b35900', NOT_CONVERGED: '#8250df', DIVERGED: '#cf222e', UNRESOLVED: '#57606a' };
let source = null;      // the EventSource of the open experiment
let charts = {};        // runId → { plot, steps, values, h, u }

function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(k == null ? '' : String(k)));
  return e;
}
const fmt = (x, d = 6) => (x == null ? '' : Number(x).toFixed(d));
const cellLabel = (cell) => Object.entries(cell).map(([k, v]) => `${k.split('.').pop()}=${v}`).join(' ') || '-';

// API token: every API call sends it (Authorization: Bearer); kept in localStorage. A link may carry it once in
// its fragment (#token=… or #/e/ID?token=…, never sent to the server): it is stored and removed from the address.
const TOKEN_KEY = 'tdlab.token';
const token = () => localStorage.getItem(TOKEN_KEY) || '';
const authHeaders = () => (token() ? { Authorization: `Bearer ${token()}` } : {});
function tokenFromFragment() {
  const m = location.hash.match(/[#?&]token=([^&]+)/);
  if (!m) return;
  localStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
  const rest = location.hash.replace(/[?&]?token=[^&]+/, '').replace(/^#&/, '#');
  history.replaceState(null, '', location.pathname + location.search + (rest === '#' ? '' : rest));
}
function tokenField() {
  const box = el('input', { id: 'token', type: 'password', placeholder: 'API token', autocomplete: 'off', size: 24 });
  box.value = token();
  const save = el('button', { id: 'save-token', type: 'button' }, 'use');
  save.addEventListener('click', () => { localStorage.setItem(TOKEN_KEY, box.value.trim()); route(); });
  box.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') save.click(); });
  document.getElementById('auth').replaceChildren(box, ' ', save);
}

async function get(path) {
  const r = await fetch(API + path, { headers: authHeaders() });
  if (r.status === 401) throw new Error('401: enter an API token above (./lab up writes the admin token to .lab/token)');
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json();
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

async function listView() {
  crumb.textContent = '· experiments';
  const page = await get('/experiments?size=50');
  const t = el('table', { id: 'experiments' },
    el('tr', {}, el('th', { class: 'l' }, 'name'), el('th', {}, 'status'), el('th', {}, 'runs'), el('th', { class: 'l' }, 'created'), el('th', { class: 'l' }, 'id')));
  for (const e of page.items) {
    const a = el('a', { href: `#/e/${e.id}` }, e.name);
    t.append(el('tr', {}, el('td', { class: 'l' }, a), el('td', {}, e.status), el('td', {}, e.runCount),
      el('td', { class: 'l' }, e.createdAt), el('td', { class: 'l muted' }, e.id)));
  }
  app.replaceChildren(el('h2', {}, `Experiments (${page.total})`), t);
}

function progress(r) {
  const f = r.totalSteps ? r.step / r.totalSteps : 0;
  const bar = el('span', { class: 'bar' }, el('span', { style: `width:${(100 * f).toFixed(1)}%` }));
  return el('td', { class: 'l' }, bar, ` ${r.step}/${r.totalSteps}`);
}

function runRow(r) {
  const b = r.baselines || {};
  const box = el('input', { type: 'checkbox', 'data-run': r.id });
  box.addEventListener('change', drawComparison);
  return el('tr', { id: `run-${r.id}` }, el('td', {}, box), el('td', { class: 'l' }, cellLabel(r.cell)), el('td', {}, r.seed),
    el('td', {}, r.status), progress(r), el('td', {}, fmt(r.lastTrainLoss, 4)), el('td', {}, fmt(r.finalEvalLoss)),
    el('td', {}, fmt(b.entropyRate)), el('td', {}, fmt(b.unigramEntropy)),
    el('td', { class: r.verdict || '' }, (r.verdict || '') + (r.uninformative ? ' (uninformative)' : '')),
    el('td', {}, r.convergenceStep ?? ''));
}

function chartFor(r, host) {
  const b = r.baselines || {};
  const state = { steps: [], values: [], h: b.entropyRate, u: b.unigramEntropy, verdict: r.verdict };
  const div = el('div', { class: 'chart', 'data-run': r.id });
  host.append(div);
  state.plot = new uPlot({
    title: `${cellLabel(r.cell)} · seed ${r.seed}`, width: 380, height: 220, scales: { x: { time: false } },
    series: [{ label: 'step' }, { label: 'train loss', stroke: '#0969da', width: 1.5 },
      { label: 'entropy rate', stroke: '#1a7f37', dash: [6, 4] }, { label: 'unigram', stroke: '#b35900', dash: [2, 4] }],
  }, [[], [], [], []], div);
  charts[r.id] = state;
  return state;
}

function redraw(s) {
  s.plot.root.parentElement.dataset.points = s.steps.length; // for tests and scripts: how much is drawn
  s.plot.setData([s.steps, s.values, s.steps.map(() => s.h ?? null), s.steps.map(() => s.u ?? null)]);
}

function append(s, steps, values) {
  for (let i = 0; i < steps.length; i++) {
    if (s.steps.length && steps[i] <= s.steps[s.steps.length - 1]) continue;
    s.steps.push(steps[i]);
    s.values.push(typeof values[i] === 'number' ? values[i] : null);
  }
  redraw(s);
}

function drawComparison() {
  const host = document.getElementById('compare');
  host.replaceChildren();
  const ids = [...document.querySelectorAll('input[data-run]:checked')].map((x) => x.dataset.run);
  if (ids.length < 2) { host.append(el('p', { class: 'muted' }, 'Tick two or more runs to compare their curves.')); return; }
  const steps = [...new Set(ids.flatMap((id) => charts[id].steps))].sort((a, b) => a - b);
  const series = [{ label: 'step' }];
  const data = [steps];
  const palette = ['#0969da', '#cf222e', '#1a7f37', '#8250df', '#b35900', '#57606a'];
  ids.forEach((id, i) => {
    const s = charts[id];
    const byStep = new Map(s.steps.map((x, j) => [x, s.values[j]]));
    series.push({ label: id.slice(0, 8), stroke: palette[i % palette.length] });
    data.push(steps.map((x) => (byStep.has(x) ? byStep.get(x) : null)));
  });
  new uPlot({ title: 'train loss, compared', width: 780, height: 300, scales: { x: { time: false } }, series }, data, host);
}

function phaseTable(phase) {
  if (!phase) return el('p', { class: 'muted' }, 'No phase diagram: the sweep does not have exactly two numeric axes.');
  const t = el('table', { class: 'phase', id: 'phase' });
  t.append(el('tr', {}, el('th', {}, `${phase.yAxis} \\ ${phase.xAxis}`), ...phase.xs.map((x) => el('th', {}, x))));
  for (const row of phase.rows) {
    const tr = el('tr', {}, el('th', {}, row.y));
    for (const c of row.cells) {
      const f = c.fractionGlobal;
      const title = c.uninformative ? 'uninformative: optimum = plateau (p + q = 1), left out of claims'
        : `fraction GLOBAL ${f ?? '–'}`;
      const td = el('td', { class: `${c.side || ''}${c.uninformative ? ' uninformative' : ''}`, title },
        (f == null ? '' : `${c.global}/${c.runs}`) + (c.uninformative ? ' ∅' : ''));
      if (f != null && !c.uninformative) td.style.background = `rgba(45,164,78,${0.15 + 0.75 * f})`;
      tr.append(td);
    }
    t.append(tr);
  }
  return el('div', {}, t, phase.theoryLine ? el('p', { class: 'muted' }, `Dashed: above the theory's line ${phase.theoryLine}.`) : '');
}

// The seed papers' claims judged on the experiment's finished runs (CONFIRMED / REFUTED / INCONCLUSIVE + evidence).
function claimsTable(claims) {
  if (!claims || claims.length === 0) return el('p', { class: 'muted' }, 'No paper claim applies to this sweep.');
  const t = el('table', { id: 'claims' }, el('tr', {}, el('th', { class: 'l' }, 'claim'), el('th', { class: 'l' }, 'statement'),
    el('th', {}, 'outcome'), el('th', { class: 'l' }, 'evidence')));
  for (const c of claims) {
    const ev = Object.entries(c.evidence || {}).map(([k, v]) => `${k}: ${typeof v === 'number' ? v.toPrecision(4) : JSON.stringify(v)}`);
    t.append(el('tr', {}, el('td', { class: 'l' }, `${c.id} (${c.paper})`), el('td', { class: 'l' }, c.statement),
      el('td', { class: c.outcome }, c.outcome), el('td', { class: 'l' }, ev.join('; '))));
  }
  return t;
}

async function experimentView(id) {
  const e = await get(`/experiments/${id}`);
  crumb.textContent = `· ${e.name}`;
  charts = {};
  const status = el('b', { id: 'status' }, e.status);
  const table = el('table', { id: 'runs' }, el('tr', {}, el('th', {}, ''), el('th', { class: 'l' }, 'cell'), el('th', {}, 'seed'),
    el('th', {}, 'status'), el('th', { class: 'l' }, 'progress'), el('th', {}, 'loss'), el('th', {}, 'final eval loss'),
    el('th', {}, 'entropy rate'), el('th', {}, 'unigram'), el('th', {}, 'verdict'), el('th', {}, 'conv. step')));
  const chartHost = el('div', { class: 'charts', id: 'charts' });
  const phaseHost = el('div', { id: 'phase-host' });
  const claimsHost = el('div', { id: 'claims-host' });
  app.replaceChildren(el('h2', {}, e.name, ' ', status),
    el('p', { class: 'muted' }, `${e.runCount} runs · `, reportLink(id, '', 'report', 'html'), ' · ',
      reportLink(id, '.csv', 'csv', 'file'), ' · ', reportLink(id, '.json', 'json', 'file')),
    table, el('h3', {}, 'Loss curves'), chartHost, el('h3', {}, 'Compare runs'), el('div', { id: 'compare' }),
    el('h3', {}, 'Phase diagram'), phaseHost, el('h3', {}, "The papers' claims"), claimsHost);
  const runs = new Map();
  for (const r of e.runs) {
    runs.set(r.id, r);
    table.append(runRow(r));
    const s = chartFor(r, chartHost);
    // a run that has not reported train_loss yet would get a 400 (unknown metric); the stream brings its points
    if (r.lastTrainLoss != null) get(`/runs/${r.id}/metrics?names=train_loss&maxPoints=400`).then((m) => {
      const tl = m.metrics.train_loss;
      if (tl) append(s, tl.steps, tl.values);
    });
  }
  drawComparison();
  const refreshPhase = () => get(`/experiments/${id}/report.json`).then((j) => {
    phaseHost.replaceChildren(phaseTable(j.phase));
    claimsHost.replaceChildren(claimsTable(j.claims));
  });
  refreshPhase();
  if (source) source.close();
  if (['FINISHED', 'FAILED', 'CANCELLED'].includes(e.status)) return;
  // EventSource cannot send headers: the stream endpoint (only it) takes the token as ?access_token=
  source = new EventSource(`${API}/experiments/${id}/stream?access_token=${encodeURIComponent(token())}`);
  const update = (runId, patch) => {
    const r = Object.assign(runs.get(runId) || {}, patch);
    runs.set(runId, r);
    const row = document.getElementById(`run-${runId}`);
    if (row) row.replaceWith(runRow(r));
  };
  source.addEventListener('progress', (ev) => { const p = JSON.parse(ev.data); update(p.runId, p); });
  source.addEventListener('status', (ev) => { const p = JSON.parse(ev.data); update(p.runId, p); });
  source.addEventListener('metrics', (ev) => {
    const b = JSON.parse(ev.data);
    const tl = b.metrics.train_loss;
    if (tl && charts[b.runId]) append(charts[b.runId], tl.steps, tl.values);
    if (tl && tl.values.length) update(b.runId, { lastTrainLoss: tl.values[tl.values.length - 1], step: b.toStep });
  });
  source.addEventListener('verdict', (ev) => {
    const v = JSON.parse(ev.data);
    update(v.runId, { verdict: v.verdict, finalEvalLoss: v.finalEvalLoss, convergenceStep: v.convergenceStep });
    refreshPhase();
  });
  source.addEventListener('experiment', (ev) => {
    const x = JSON.parse(ev.data);
    status.textContent = x.status;
    if (['FINISHED', 'FAILED', 'CANCELLED'].includes(x.status)) { source.close(); source = null; refreshPhase(); }
  });
}

async function route() {
  try {
    const m = location.hash.match(/^#\/e\/([\w-]+)/);
    if (m) await experimentView(m[1]); else await listView();
  } catch (err) {
    app.replaceChildren(el('p', { class: 'DIVERGED' }, String(err)));
  }
}
window.addEventListener('hashchange', () => { tokenFromFragment(); route(); });
tokenFromFragment();
tokenField();
route();
