// The admin page: a thin face on the admin REST API (docs/api.md, "Admin
// endpoints"). Every table is redrawn from what the server answers after each
// change, so the page never shows an edit the server refused.
import { loadSession, clearSession, logout, request, ApiError } from './api.js';
import { toast } from './toast.js';

const session = loadSession();
if (!session || !session.token || session.role !== 'admin') {
  location.replace('index.html');
  throw new Error('no admin session');
}

const $ = (id) => document.getElementById(id);
const STATS_EVERY_MS = 2000;
const MODE_LABELS = { manual: 'Manual', autodial: 'Autodial', predictive: 'Predictive' };

let campaigns = [];
let carriers = [];

function api(method, path, body) {
  return request(method, path, { token: session.token, body }).catch((err) => {
    if (err.status === 401) signedOut('Your session has expired; sign in again.');
    throw err;
  });
}

function signedOut(reason) {
  clearSession();
  location.replace(`index.html?reason=${encodeURIComponent(reason)}`);
}

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text === null || text === undefined || text === '' ? '—' : String(text);
  return td;
}

function showError(box, err) {
  box.textContent = err ? err.message || String(err) : '';
  box.hidden = !err;
}

// A number field: empty means "not given" (the server keeps or defaults it).
function numberOrNull(input) {
  const raw = input.value.trim();
  return raw === '' ? null : Number(raw);
}

// ---- campaigns -------------------------------------------------------------

async function loadCampaigns() {
  [campaigns, carriers] = await Promise.all([api('GET', '/api/v1/campaigns'), api('GET', '/api/v1/carriers')]);
  renderCampaigns();
  renderCarriers();
  fillCampaignSelect($('up-campaign'));
  fillCarrierSelect();
}

function carrierName(id) {
  const c = carriers.find((x) => x.id === id);
  return c ? c.name : id;
}

function renderCampaigns() {
  $('campaign-table').tBodies[0].replaceChildren(...campaigns.map((c) => {
    const tr = document.createElement('tr');
    tr.dataset.campaign = String(c.id);
    const edit = document.createElement('button');
    edit.type = 'button';
    edit.textContent = 'Edit';
    edit.dataset.edit = String(c.id);
    edit.setAttribute('aria-label', `Edit campaign ${c.name}`);
    edit.addEventListener('click', () => editCampaign(c));
    const actions = document.createElement('td');
    actions.append(edit);
    const mode = cell(MODE_LABELS[c.dial_mode] || c.dial_mode);
    mode.dataset.field = 'mode';
    // An empty campaign prefix means the carrier's: show the one that applies.
    const carrier = carriers.find((x) => x.id === c.carrier);
    const prefix = cell(c.dial_prefix || (carrier && carrier.dial_prefix ? `${carrier.dial_prefix} (carrier's)` : ''));
    prefix.dataset.field = 'prefix';
    tr.append(cell(c.id), cell(c.name), mode, cell(c.manual_dial_allowed ? 'yes' : 'no'), cell(carrierName(c.carrier)),
      prefix, cell(c.wrapup_timeout ?? 'default'), cell(c.hopper_size), actions);
    return tr;
  }));
}

function fillCampaignSelect(select) {
  const keep = select.value;
  select.replaceChildren(...campaigns.map((c) => new Option(`#${c.id} ${c.name}`, String(c.id))));
  if (campaigns.some((c) => String(c.id) === keep)) select.value = keep;
}

function fillCarrierSelect() {
  const select = $('cf-carrier');
  const keep = select.value;
  select.replaceChildren(...carriers.map((c) => new Option(`${c.name} (prefix ${c.dial_prefix || 'none'})`, String(c.id))));
  if (carriers.some((c) => String(c.id) === keep)) select.value = keep;
}

function editCampaign(c) {
  $('cf-id').value = String(c.id);
  $('campaign-form-title').textContent = `Edit campaign #${c.id}`;
  $('cf-name').value = c.name;
  $('cf-mode').value = c.dial_mode;
  $('cf-manual').checked = Boolean(c.manual_dial_allowed);
  $('cf-carrier').value = String(c.carrier);
  $('cf-prefix').value = c.dial_prefix || '';
  $('cf-wrapup').value = c.wrapup_timeout ?? '';
  $('cf-hopper').value = c.hopper_size ?? '';
  $('cf-save').textContent = 'Save changes';
  $('cf-cancel').hidden = false;
  showError($('campaign-error'), null);
  $('cf-name').focus();
}

function resetCampaignForm() {
  $('campaign-form').reset();
  $('cf-id').value = '';
  $('campaign-form-title').textContent = 'New campaign';
  $('cf-save').textContent = 'Create campaign';
  $('cf-cancel').hidden = true;
  showError($('campaign-error'), null);
}

async function saveCampaign() {
  const id = $('cf-id').value;
  const body = {
    name: $('cf-name').value.trim(),
    dial_mode: $('cf-mode').value,
    manual_dial_allowed: $('cf-manual').checked,
    carrier: Number($('cf-carrier').value),
    dial_prefix: $('cf-prefix').value.trim(),
    wrapup_timeout: numberOrNull($('cf-wrapup')),
  };
  const hopper = numberOrNull($('cf-hopper'));
  if (hopper !== null) body.hopper_size = hopper;
  try {
    const saved = id ? await api('PUT', `/api/v1/campaigns/${id}`, body) : await api('POST', '/api/v1/campaigns', body);
    toast(`Campaign #${saved.id} ${id ? 'saved' : 'created'}: ${MODE_LABELS[saved.dial_mode] || saved.dial_mode} mode.`, 'info');
    resetCampaignForm();
    await loadCampaigns();
  } catch (err) {
    showError($('campaign-error'), err);
  }
}

// ---- carriers --------------------------------------------------------------

function renderCarriers() {
  $('carrier-table').tBodies[0].replaceChildren(...carriers.map((c) => {
    const tr = document.createElement('tr');
    tr.dataset.carrier = String(c.id);
    const edit = document.createElement('button');
    edit.type = 'button';
    edit.textContent = 'Edit';
    edit.setAttribute('aria-label', `Edit carrier ${c.name}`);
    edit.addEventListener('click', () => editCarrier(c));
    const actions = document.createElement('td');
    actions.append(edit);
    tr.append(cell(c.id), cell(c.name), cell(c.dial_prefix), cell(c.dial_template), cell(c.number_format), actions);
    return tr;
  }));
}

function editCarrier(c) {
  $('kf-id').value = String(c.id);
  $('carrier-form-title').textContent = `Edit carrier #${c.id}`;
  $('kf-name').value = c.name;
  $('kf-prefix').value = c.dial_prefix || '';
  $('kf-template').value = c.dial_template || '';
  $('kf-format').value = c.number_format || 'e164';
  $('kf-save').textContent = 'Save changes';
  $('kf-cancel').hidden = false;
  showError($('carrier-error'), null);
  $('kf-prefix').focus();
}

function resetCarrierForm() {
  $('carrier-form').reset();
  $('kf-id').value = '';
  $('carrier-form-title').textContent = 'New carrier';
  $('kf-save').textContent = 'Create carrier';
  $('kf-cancel').hidden = true;
  showError($('carrier-error'), null);
}

async function saveCarrier() {
  const id = $('kf-id').value;
  const body = {
    name: $('kf-name').value.trim(),
    dial_prefix: $('kf-prefix').value.trim(),
    number_format: $('kf-format').value,
  };
  const template = $('kf-template').value.trim();
  if (template) body.dial_template = template;
  try {
    const saved = id ? await api('PUT', `/api/v1/carriers/${id}`, body) : await api('POST', '/api/v1/carriers', body);
    toast(`Carrier ${saved.name} ${id ? 'saved' : 'created'}.`, 'info');
    resetCarrierForm();
    await loadCampaigns();
  } catch (err) {
    showError($('carrier-error'), err);
  }
}

// ---- agents ----------------------------------------------------------------

async function loadAgents() {
  const agents = await api('GET', '/api/v1/agents');
  $('agent-table').tBodies[0].replaceChildren(...agents.map((a) => {
    const tr = document.createElement('tr');
    tr.dataset.agent = String(a.id);
    tr.append(cell(a.id), cell(a.login), cell(a.name), cell(a.endpoint), cell(a.web_phone ? a.web_phone.sip_uri : '—'));
    return tr;
  }));
}

async function createAgent() {
  const body = { login: $('af-login').value.trim(), password: $('af-password').value };
  const name = $('af-name').value.trim();
  const endpoint = $('af-endpoint').value.trim();
  if (name) body.name = name;
  if (endpoint) body.endpoint = endpoint;
  // A browser phone only when any of its fields is filled: the server says
  // which one is missing or wrong.
  const phone = { ws_uri: $('af-ws').value.trim(), sip_uri: $('af-sip').value.trim(), password: $('af-sip-password').value };
  if (phone.ws_uri || phone.sip_uri || phone.password) body.web_phone = phone;
  try {
    const saved = await api('POST', '/api/v1/agents', body);
    toast(`Agent ${saved.login} created (#${saved.id}).`, 'info');
    $('agent-form').reset();
    showError($('agent-error'), null);
    await loadAgents();
  } catch (err) {
    showError($('agent-error'), err);
  }
}

// ---- lead upload -----------------------------------------------------------

async function uploadLeads() {
  const file = $('up-file').files[0];
  const campaign = $('up-campaign').value;
  if (!file || !campaign) {
    showError($('upload-error'), new Error('Choose a campaign and a CSV file.'));
    return;
  }
  const params = new URLSearchParams({ existing: $('up-existing').value });
  const zone = $('up-zone').value.trim();
  if (zone) params.set('time_zone', zone);
  const zoneColumn = $('up-zone-column').value.trim();
  if (zoneColumn) params.set('time_zone_column', zoneColumn);
  $('up-submit').disabled = true;
  showError($('upload-error'), null);
  try {
    // CSV goes as it is (text/csv), not through the JSON helper.
    const response = await fetch(`/api/v1/campaigns/${campaign}/leads?${params}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${session.token}`, 'Content-Type': 'text/csv', Accept: 'application/json' },
      body: await file.text(),
    });
    const data = await response.json().catch(() => null);
    if (response.status === 401) signedOut('Your session has expired; sign in again.');
    if (!response.ok) {
      const e = data && data.error ? data.error : {};
      throw new ApiError(response.status, e.code, e.message || `The upload failed with HTTP ${response.status}.`);
    }
    showReport(data);
  } catch (err) {
    showError($('upload-error'), err);
  } finally {
    $('up-submit').disabled = false;
  }
}

function showReport(report) {
  const summary = [
    ['Rows', report.rows], ['Imported', report.imported], ['Updated', report.updated],
    ['Duplicates', report.duplicates], ['Unknown time zone', report.unknown_time_zone],
    ['Rejected', (report.rejected || []).length + (report.truncated ? '+ (list truncated)' : '')],
  ];
  $('report-summary').replaceChildren(...summary.flatMap(([k, v]) => {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = String(v ?? 0);
    dd.dataset.figure = k.toLowerCase().replaceAll(' ', '_');
    return [dt, dd];
  }));
  const rejected = report.rejected || [];
  $('report-rejected').hidden = rejected.length === 0;
  $('report-rejected').tBodies[0].replaceChildren(...rejected.map((r) => {
    const tr = document.createElement('tr');
    tr.dataset.line = String(r.line);
    tr.append(cell(r.line), cell(r.problem), cell(r.column), cell(r.reason));
    return tr;
  }));
  $('upload-report').hidden = false;
}

// ---- live statistics -------------------------------------------------------

let statsTimer = null;

async function refreshStats() {
  clearTimeout(statsTimer);
  try {
    const all = await Promise.all(campaigns.map((c) => api('GET', `/api/v1/campaigns/${c.id}/stats`).then((s) => [c, s])));
    $('stats-table').tBodies[0].replaceChildren(...all.map(([c, s]) => {
      const tr = document.createElement('tr');
      tr.dataset.campaign = String(c.id);
      const agents = s.agents || {};
      const today = s.abandonment_today || {};
      const rate = typeof today.rate === 'number' ? ` (${(today.rate * 100).toFixed(1)} %)` : '';
      const loggedIn = cell(s.agents_logged_in);
      loggedIn.dataset.figure = 'agents_logged_in';
      tr.append(cell(`#${c.id} ${c.name}`), loggedIn, cell(agents.available), cell(agents.busy), cell(agents.wrapup),
        cell(agents.break), cell(s.hopper_depth), cell(s.ringing), cell(s.waiting), cell(s.placed_today),
        cell(`${today.abandoned ?? 0}${rate}`));
      return tr;
    }));
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401) toast(`Statistics: ${err.message}`, 'error');
  } finally {
    statsTimer = setTimeout(refreshStats, STATS_EVERY_MS);
  }
}

// ---- wiring ----------------------------------------------------------------

async function refreshAll() {
  try {
    await Promise.all([loadCampaigns(), loadAgents()]);
    await refreshStats();
  } catch (err) {
    toast(err.message, 'error');
  }
}

function onSubmit(formId, handler) {
  $(formId).addEventListener('submit', (event) => {
    event.preventDefault();
    handler();
  });
}

onSubmit('campaign-form', saveCampaign);
onSubmit('carrier-form', saveCarrier);
onSubmit('agent-form', createAgent);
onSubmit('upload-form', uploadLeads);
$('cf-cancel').addEventListener('click', resetCampaignForm);
$('kf-cancel').addEventListener('click', resetCarrierForm);
$('btn-refresh').addEventListener('click', refreshAll);
$('btn-signout').addEventListener('click', async () => {
  try {
    await logout(session.token);
  } catch {
    // The token is dropped either way.
  }
  signedOut('You have signed out.');
});

$('admin-login').textContent = session.login ? `signed in as ${session.login}` : '';
refreshAll();
