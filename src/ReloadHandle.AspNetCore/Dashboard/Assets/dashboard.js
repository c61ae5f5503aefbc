// ReloadHandle dashboard. Reads the JSON API and follows the event stream (Server-Sent Events), so a reload shows
// without refreshing the page. Everything is built with textContent: no value from the server is parsed as HTML.
'use strict';
(() => {
  const body = document.body;
  const base = body.dataset.base;
  const writes = body.dataset.writes === 'true';
  const fleetEnabled = body.dataset.fleet === 'true';
  const token = body.dataset.token;
  const tokenHeader = body.dataset.tokenHeader;
  const maxAttempts = 100;
  const state = { handles: new Map(), order: [], selected: null, detail: null, diffTo: null, pendingRollback: null };

  const $ = (id) => document.getElementById(id);

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key === 'text') node.textContent = String(value);
      else if (key === 'title') node.title = String(value);
      else if (key === 'onclick') node.addEventListener('click', value);
      else node.setAttribute(key, String(value));
    }
    for (const child of children) {
      if (child !== null && child !== undefined && child !== false) node.append(child);
    }
    return node;
  }

  const shortId = (id) => (id ? id.slice(0, 12) : '—');
  const time = (iso) => (iso ? new Date(iso).toLocaleTimeString([], { hour12: false }) : '—');
  const dateTime = (iso) => (iso ? new Date(iso).toLocaleString([], { hour12: false }) : '');
  const trigger = (t) => (t ? t.toLowerCase() : '');
  const enc = encodeURIComponent;

  async function api(path, options) {
    const response = await fetch(base + '/api' + path, Object.assign({ credentials: 'same-origin', headers: { Accept: 'application/json' } }, options));
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = null; }
    return { ok: response.ok, status: response.status, data };
  }

  function toast(message, bad) {
    const box = $('toast');
    box.textContent = message;
    box.className = 'toast' + (bad ? ' bad' : '');
    box.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { box.hidden = true; }, 6000);
  }

  // ---- handle cards -------------------------------------------------------------------------------------------
  function setHandles(list) {
    state.order = list.map((h) => h.name);
    state.handles = new Map(list.map((h) => [h.name, h]));
    if (!state.selected || !state.handles.has(state.selected)) state.selected = state.order[0] || null;
    renderCards();
    loadDetail();
  }

  function updateHandle(view) {
    if (!state.handles.has(view.name)) state.order.push(view.name);
    state.handles.set(view.name, view);
    renderCards();
  }

  function renderCards() {
    const cards = $('handles');
    cards.replaceChildren(...state.order.map((name) => card(state.handles.get(name))));
    if (state.order.length === 0) cards.append(el('p', { class: 'empty', text: 'No reload handle is registered.' }));
  }

  function card(h) {
    const c = h.current;
    const source = h.source;
    return el('article', {
      class: `card ${h.state}${h.name === state.selected ? ' selected' : ''}`,
      'data-handle': h.name, 'data-version': c ? c.version : 0, 'data-state': h.state,
      onclick: () => select(h.name),
    },
      el('div', { class: 'card-head' },
        el('h3', { text: h.name }),
        el('span', { class: `badge ${h.state}`, text: h.state })),
      el('div', { class: 'type', text: h.type }),
      el('div', { class: 'version' }, c ? `v${c.version}` : 'no value', c && c.label ? el('small', { text: c.label }) : null),
      c ? el('div', { class: 'meta' }, 'config id ', el('code', { class: 'config-id', text: shortId(c.configId), title: c.configId })) : null,
      c ? el('div', { class: 'meta', title: dateTime(c.appliedAt) }, 'applied ', el('b', { text: time(c.appliedAt) }), ` · ${trigger(c.trigger)}`,
        c.publisher ? ` · by ${c.publisher}` : '', c.openLeases > 0 ? ` · ${c.openLeases} leased` : '') : null,
      source ? el('div', { class: 'meta' }, `${source.kind} `, el('code', { text: source.location }), ' ',
        el('span', { class: `badge ${source.state}`, text: source.state })) : el('div', { class: 'meta', text: 'no source: values applied by code' }),
      h.pending ? el('div', { class: 'pending', text: `pending: ${h.pending}` }) : null,
      h.lastError ? el('div', { class: 'error', 'data-error': h.name, text: h.lastError }) : null);
  }

  function select(name) {
    if (state.selected === name) return;
    state.selected = name;
    state.detail = null;
    state.diffTo = null;
    state.pendingRollback = null;
    renderCards();
    loadDetail();
  }

  // ---- history and diffs ----------------------------------------------------------------------------------------
  async function loadDetail() {
    const name = state.selected;
    if (!name) return;
    const result = await api(`/handles/${enc(name)}`);
    if (name !== state.selected || !result.ok) return;
    const previous = state.detail;
    state.detail = result.data;
    updateHandle(result.data);
    const live = result.data.current;
    const liveChanged = !previous || !previous.current || !live || previous.current.version !== live.version;
    if (live && (state.diffTo === null || liveChanged)) state.diffTo = live.version;
    renderHistory();
    loadDiff();
  }

  function renderHistory() {
    const d = state.detail;
    $('detail-title').textContent = `History of ${d.name}`;
    const actions = $('detail-actions');
    actions.replaceChildren();
    if (writes && d.source) {
      actions.append(el('button', { id: 'refresh', onclick: () => refresh(d.name), text: 'Re-read source now' }));
    }
    const rows = (d.history || []).map((s) => el('tr', {
      'data-version': s.version, class: s.version === state.diffTo ? 'chosen' : null,
    },
      el('td', {}, el('b', { text: `v${s.version}` }), ' ', s.live ? el('span', { class: 'badge live-marker', text: 'live' }) : null),
      el('td', {}, el('code', { text: shortId(s.configId), title: s.configId })),
      el('td', { text: s.label || '' }),
      el('td', { text: time(s.appliedAt), title: dateTime(s.appliedAt) }),
      el('td', { text: trigger(s.trigger) }),
      el('td', {}, s.draining ? el('span', { class: 'badge draining', text: `${s.openLeases} draining` }) : (s.openLeases > 0 ? String(s.openLeases) : '')),
      el('td', { class: 'row-actions' },
        el('button', { 'data-diff': s.version, onclick: () => { state.diffTo = s.version; renderHistory(); loadDiff(); }, text: 'diff' }),
        ' ',
        writes && !s.live && !(d.current && s.configId && s.configId === d.current.configId) ? rollbackButton(d.name, s.version) : null)));
    $('history').tBodies[0].replaceChildren(...rows);
    if (rows.length === 0) $('history').tBodies[0].append(el('tr', {}, el('td', { colspan: 7, class: 'empty', text: 'No version yet.' })));
  }

  function rollbackButton(name, version) {
    const pending = state.pendingRollback === version;
    return el('button', {
      class: pending ? 'confirm' : 'danger', 'data-rollback': version,
      text: pending ? `Confirm rollback to v${version}` : 'roll back',
      onclick: () => {
        if (!pending) { state.pendingRollback = version; renderHistory(); return; }
        state.pendingRollback = null;
        rollback(name, version);
      },
    });
  }

  async function loadDiff() {
    const d = state.detail;
    const box = $('diff');
    if (!d || state.diffTo === null) { box.replaceChildren(); return; }
    const to = state.diffTo;
    const result = await api(`/handles/${enc(d.name)}/diff?to=${to}`);
    if (state.detail !== d || state.diffTo !== to) return;
    if (!result.ok) { box.replaceChildren(el('p', { class: 'empty', text: (result.data && result.data.detail) || 'No diff.' })); return; }
    const diff = result.data;
    const title = diff.from > 0 ? `Changes v${diff.from} → v${diff.to}` : `v${diff.to} is the first version`;
    const rows = diff.changes.map((c) => el('tr', { 'data-path': c.path, class: c.kind },
      el('td', {}, el('code', { text: c.path }), ' ', el('span', { class: 'hint', text: c.kind.toLowerCase() })),
      el('td', { class: 'before' }, c.before === null ? el('span', { class: 'none', text: '—' }) : el('code', { text: c.before })),
      el('td', { class: 'after' }, c.after === null ? el('span', { class: 'none', text: '—' }) : el('code', { text: c.after }))));
    box.replaceChildren(el('h3', { id: 'diff-title', 'data-from': diff.from, 'data-to': diff.to, text: title + (diff.truncated ? ' (first 500)' : '') }));
    if (diff.changes.length > 0) {
      box.append(el('table', { class: 'grid' },
        el('thead', {}, el('tr', {}, el('th', { text: 'path' }), el('th', { text: 'before' }), el('th', { text: 'after' }))),
        el('tbody', {}, ...rows)));
    } else if (diff.from > 0) {
      box.append(el('p', { class: 'empty', text: 'No change in the payload (or no payload to compare).' }));
    }
  }

  // ---- writes ---------------------------------------------------------------------------------------------------
  function post(path, payload) {
    const headers = { Accept: 'application/json', 'Content-Type': 'application/json' };
    if (tokenHeader) headers[tokenHeader] = token;
    return api(path, { method: 'POST', headers, body: JSON.stringify(payload || {}) });
  }

  async function rollback(name, version) {
    const result = await post(`/handles/${enc(name)}/rollback`, { version });
    if (result.ok) toast(`${name}: rolled back to v${version}, now v${result.data.version} (${result.data.outcome.toLowerCase()})`);
    else toast(`${name}: rollback refused (${result.status}): ${describe(result.data)}`, true);
    loadDetail();
  }

  async function refresh(name) {
    const result = await post(`/handles/${enc(name)}/refresh`);
    if (result.ok) toast(result.data.completed ? `${name}: source read again, v${result.data.version} serving` : `${name}: the source has not answered yet`);
    else toast(`${name}: re-read refused (${result.status}): ${describe(result.data)}`, true);
    loadDetail();
  }

  const describe = (data) => (data ? (data.errors && data.errors.length ? data.errors.join('; ') : data.detail || data.title || '') : '');

  // ---- attempts feed --------------------------------------------------------------------------------------------
  function addAttempt(a) {
    const list = $('attempt-list');
    const item = el('li', { 'data-handle': a.handle, 'data-outcome': a.outcome },
      el('span', { class: 'when', text: time(a.at) }),
      el('b', { text: a.handle }), ' ',
      el('span', { class: `badge ${a.outcome}`, text: a.outcome }), ' ',
      el('span', { class: 'hint', text: `${trigger(a.trigger)} · id ${shortId(a.configId)} · v${a.version ?? '—'} serving` }),
      a.errors.length ? el('ul', {}, ...a.errors.map((e) => el('li', { class: 'attempt-error', text: e }))) : null);
    list.prepend(item);
    while (list.children.length > maxAttempts) list.lastChild.remove();
    const empty = $('attempts-empty');
    if (empty) empty.remove();
  }

  // ---- fleet ----------------------------------------------------------------------------------------------------
  async function loadFleet() {
    if (!fleetEnabled) return;
    const result = await api('/fleet');
    const section = $('fleet');
    section.hidden = false;
    if (!result.ok) { $('fleet-note').textContent = (result.data && result.data.detail) || `the fleet store answered ${result.status}`; return; }
    const rows = [];
    for (const view of result.data.handles) {
      for (const i of view.instances) {
        rows.push(el('tr', { class: i.drift, 'data-instance': i.instance, 'data-drift': i.drift, 'data-fleet-handle': view.handle },
          el('td', { text: view.handle }), el('td', {}, el('code', { text: i.instance })),
          el('td', {}, el('span', { class: `badge ${i.drift}`, text: i.drift.toLowerCase() })),
          el('td', {}, el('span', { class: `badge ${i.status}`, text: i.status.toUpperCase() })),
          el('td', { text: i.state }), el('td', { text: i.appliedVersion ? `v${i.appliedVersion}` : '—' }),
          el('td', {}, el('code', { text: shortId(i.configId), title: i.configId })), el('td', { text: i.label || '' }),
          el('td', {}, el('code', { text: shortId(i.attemptedConfigId), title: i.attemptedConfigId })),
          el('td', { class: i.lastError ? 'error-cell' : null, text: i.lastError || '' }), el('td', { text: time(i.updatedAt), title: dateTime(i.updatedAt) })));
      }
    }
    $('fleet-table').tBodies[0].replaceChildren(...rows);
    const summary = result.data.handles.map((v) => `${v.handle}: ${v.running} running, ${v.rejected} rejected, ${v.behind} behind`).join(' · ');
    $('fleet-note').textContent = summary || 'no instance reports';
  }

  // ---- live events ----------------------------------------------------------------------------------------------
  function connect() {
    const live = $('live');
    const events = new EventSource(base + '/api/events');
    events.addEventListener('open', () => { live.textContent = 'live'; live.className = 'live on'; });
    events.addEventListener('error', () => { live.textContent = 'reconnecting'; live.className = 'live off'; });
    events.addEventListener('handles', (e) => { setHandles(JSON.parse(e.data).handles); loadFleet(); });
    events.addEventListener('attempt', (e) => {
      const attempt = JSON.parse(e.data);
      updateHandle(attempt.state);
      addAttempt(attempt);
      if (attempt.handle === state.selected) loadDetail();
      loadFleet();
    });
    events.addEventListener('status', (e) => {
      const view = JSON.parse(e.data);
      updateHandle(view);
      if (view.name === state.selected) loadDetail();
    });
  }

  $('mode').textContent = writes ? 'may roll back' : 'read only';
  $('attempt-list').append(el('li', { id: 'attempts-empty', class: 'empty', text: 'No attempt yet: edit a source and it shows here.' }));
  connect();
  if (fleetEnabled) setInterval(loadFleet, 10000);
})();
