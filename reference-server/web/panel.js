// The agent panel: renders the server's view of one agent and turns clicks and
// keys into commands on the agent WebSocket.
//
// render() draws the whole page from `state` every time. There is no partial
// update to get out of step, and a reconnect's snapshot redraws everything.
import { loadSession, clearSession, logout, agentState, agentCampaigns, agentPhone, searchLeads } from './api.js';
import { AgentConnection } from './connection.js';
import { emptyState, applyMessage, fillScript, LIVE_CALL_STATES } from './state.js';
import { toast } from './toast.js';
import { WebPhone, PHONE_LABELS } from './webphone.js';

const session = loadSession();
if (!session || !session.token || session.role === 'admin') {
  location.replace('index.html');
  throw new Error('no agent session');
}

const $ = (id) => document.getElementById(id);
const el = {
  agentName: $('agent-name'), pill: $('status-pill'), since: $('status-since'),
  campaignName: $('campaign-name'), mode: $('mode-badge'), prefix: $('dial-prefix'),
  available: $('btn-available'), breakSelect: $('break-select'), takeBreak: $('btn-break'),
  signOut: $('btn-signout'), joinLabel: $('join-label'), joinCampaign: $('join-campaign'), conn: $('conn'), banner: $('reconnect-banner'),
  callPanel: $('call-panel'), callState: $('call-state'), callNumber: $('call-number'),
  callDialled: $('call-dialled'), callId: $('call-id'), callDuration: $('call-duration'),
  hangup: $('btn-hangup'), leadEmpty: $('lead-empty'), leadSummary: $('lead-summary'),
  script: $('script-text'), fieldsBody: $('fields-table').tBodies[0], history: $('history-list'),
  manual: $('manual-dial'), dialForm: $('dial-form'), dialNumber: $('dial-number'),
  dialButton: $('btn-dial'), keypad: $('keypad'), prefixHint: $('dial-prefix-hint'),
  searchForm: $('search-form'), search: $('lead-search'), results: $('search-results'),
  modal: $('dispo-modal'), dispoForm: $('dispo-form'), dispoCall: $('dispo-call'),
  dispoCode: $('dispo-code'), dispoNotes: $('dispo-notes'), dispoNext: $('dispo-next'),
  dispoError: $('dispo-error'), dispoSubmit: $('dispo-submit'),
  phone: $('phone-status'), phoneAudio: $('phone-audio'),
};

const STATUS_LABELS = {
  offline: 'Offline', available: 'Available', break: 'On break', busy: 'On a call', wrapup: 'Wrap-up',
};
const CALL_LABELS = {
  originating: 'Dialling…', ringing: 'Ringing…', answered: 'Answered', bridged: 'Connected',
  ended: 'Call ended', dispositioned: 'Done',
};
const MODE_LABELS = { manual: 'Manual', autodial: 'Autodial', predictive: 'Predictive' };

const LAST_CAMPAIGN_KEY = 'dialer.lastCampaign';

let state = emptyState();
let connected = false;
let busyCommand = false;
let modalCallId = null;
// The campaigns the agent may join, listed by the server; null until loaded.
let joinable = null;

// The agent's leg stays up between calls (persistent_leg): then the panel's
// hangup ends only the customer, and the browser call stays in the bridge.
let persistentLeg = false;
const phone = new WebPhone({
  audio: el.phoneAudio,
  onChange: renderPhone,
  onError: (text) => toast(text, 'error'),
});

const connection = new AgentConnection(session.token, {
  onMessage: handleMessage,
  onStatus: handleConnectionStatus,
  onRejected: checkSessionStillValid,
});

// ---- server messages -----------------------------------------------------

function handleMessage(msg) {
  if (msg.type === 'heartbeat') return;
  if (msg.type === 'error') {
    toast(describeError(msg), 'error');
    return;
  }
  const before = state;
  state = applyMessage(state, msg);
  if (msg.type === 'campaign_changed' && before.campaign) {
    const mode = state.campaign ? MODE_LABELS[state.campaign.dial_mode] || state.campaign.dial_mode : 'none';
    toast(`The campaign changed: ${mode} mode${state.campaign && state.campaign.manual_dial_allowed ? ', manual dial allowed' : ''}.`, 'info');
  }
  if (msg.type === 'status_update' && msg.reason && /timeout|reset|lost/i.test(msg.reason)) {
    toast(`Your status was reset to ${STATUS_LABELS[msg.status] || msg.status}: ${humanReason(msg.reason)}.`, 'info');
  }
  render();
}

function handleConnectionStatus({ state: connState, retryInMs }) {
  connected = connState === 'open';
  el.conn.dataset.state = connState;
  if (connState === 'open') {
    loadJoinable();
    loadPhone();
    el.conn.textContent = 'Connected';
    el.banner.hidden = true;
  } else if (connState === 'connecting') {
    el.conn.textContent = 'Connecting…';
  } else {
    el.conn.textContent = 'Reconnecting…';
    el.banner.hidden = false;
    el.banner.textContent = retryInMs !== undefined
      ? `Connection to the server lost. Reconnecting in ${Math.max(1, Math.round(retryInMs / 1000))} s…`
      : 'Connection to the server lost. Reconnecting…';
  }
  render();
}

async function checkSessionStillValid() {
  if (!session.agent_id) return;
  try {
    await agentState(session.token, session.agent_id);
  } catch (err) {
    if (err.status === 401) signedOut('Your session has expired; sign in again.');
  }
}

// Read on every (re)connect, so an admin's change to the phone reaches an
// open panel; the same account again leaves the phone as it is.
async function loadPhone() {
  if (!session.agent_id) return;
  try {
    const answer = await agentPhone(session.token, session.agent_id);
    persistentLeg = Boolean(answer.persistent_leg);
    await phone.configure(answer.web_phone || null);
  } catch (err) {
    if (err.status === 401) signedOut('Your session has expired; sign in again.');
    else toast(`The browser phone's settings could not be read: ${describeError(err)}`, 'error');
  }
}

function signedOut(reason) {
  phone.stop();
  connection.stop();
  clearSession();
  location.replace(`index.html?reason=${encodeURIComponent(reason)}`);
}

// ---- commands --------------------------------------------------------------

async function command(type, fields, { quiet = false } = {}) {
  busyCommand = true;
  render();
  try {
    return await connection.send(type, fields);
  } catch (err) {
    if (!quiet) toast(describeError(err), 'error');
    throw err;
  } finally {
    busyCommand = false;
    render();
  }
}

function goAvailable() {
  if (!canChangeStatus()) return;
  if (state.status === 'offline') {
    const campaignId = state.campaign ? state.campaign.id : Number(el.joinCampaign.value);
    if (!Number.isInteger(campaignId) || campaignId <= 0) {
      toast(joinable && joinable.length === 0 ? 'There is no campaign to join yet; ask your supervisor.'
        : 'Choose the campaign to work in.', 'error');
      el.joinCampaign.focus();
      return;
    }
    localStorage.setItem(LAST_CAMPAIGN_KEY, String(campaignId));
    command('join', { campaign: campaignId }).then(() => {
      warnIfPhoneNotReady();
      return refreshCampaign();
    }, () => {});
    return;
  }
  if (state.status === 'available') return;
  command('set_status', { status: 'available' }).then(warnIfPhoneNotReady, () => {});
}

// Going available with a browser phone that is not registered would have
// the dialer call a phone that cannot answer: say so (the server decides).
function warnIfPhoneNotReady() {
  if (phone.state !== 'off' && !phone.isReady) {
    toast('Your browser phone is not ready, so calls cannot reach you yet. ' +
      `(${PHONE_LABELS[phone.state]}${phone.detail ? `: ${phone.detail}` : ''})`, 'error');
  }
}

// Fills the campaign selector from the server on every (re)connect, so a
// campaign an admin added or renamed shows up without a reload.
async function loadJoinable() {
  if (!session.agent_id) return;
  try {
    const answer = await agentCampaigns(session.token, session.agent_id);
    joinable = answer && Array.isArray(answer.campaigns) ? answer.campaigns : [];
  } catch (err) {
    if (err.status === 401) {
      signedOut('Your session has expired; sign in again.');
      return;
    }
    toast(`The list of campaigns could not be loaded: ${describeError(err)}`, 'error');
    return;
  }
  const wanted = el.joinCampaign.value || localStorage.getItem(LAST_CAMPAIGN_KEY) || '';
  el.joinCampaign.replaceChildren(...joinable.map((c) => new Option(
    `${c.id} · ${c.name} (${MODE_LABELS[c.dial_mode] || c.dial_mode})`, String(c.id))));
  if (joinable.some((c) => String(c.id) === wanted)) el.joinCampaign.value = wanted;
  render();
}

// A status_update does not carry the campaign, so after joining or leaving one
// the panel reads it from the agent's REST snapshot.
async function refreshCampaign() {
  try {
    const snap = await agentState(session.token, session.agent_id);
    state = { ...state, campaign: snap.campaign || null };
    if (!state.lead) state.script = state.campaign ? state.campaign.script ?? null : null;
    render();
  } catch (err) {
    toast(describeError(err), 'error');
  }
}

function takeBreak() {
  if (!canChangeStatus()) return;
  const type = el.breakSelect.value;
  if (!type) {
    toast('This campaign has no break types.', 'error');
    return;
  }
  command('set_status', { status: 'break', break_type: type }).catch(() => {});
}

// Ends both legs on the server; with a browser phone and a per-call agent
// leg, the browser call ends here too, whatever the server answers.
function hangup() {
  if (!state.call || !LIVE_CALL_STATES.has(state.call.state)) return;
  command('hangup', {}).catch(() => {}).finally(() => {
    if (!persistentLeg) phone.hangUp();
  });
}

async function dialNumber(number) {
  const digits = number.trim();
  if (!digits) {
    toast('Type a number to dial.', 'error');
    el.dialNumber.focus();
    return;
  }
  try {
    await command('dial', { number: digits });
    el.dialNumber.value = '';
  } catch {
    el.dialNumber.focus();
  }
}

function dialLead(leadId) {
  command('dial', { lead: leadId }).catch(() => {});
}

async function submitDisposition() {
  const code = el.dispoCode.value;
  if (!code) {
    showDispoError('Choose a disposition.');
    el.dispoCode.focus();
    return;
  }
  el.dispoError.hidden = true;
  try {
    await command('disposition', { code, notes: el.dispoNotes.value, next_break: el.dispoNext.value }, { quiet: true });
    // The modal closes when the server's status_update leaves wrap-up.
  } catch (err) {
    showDispoError(describeError(err));
  }
}

function showDispoError(text) {
  el.dispoError.textContent = text;
  el.dispoError.hidden = false;
}

async function signOut() {
  if (state.status !== 'offline' && connection.isOpen) {
    try {
      await command('leave', {}, { quiet: true });
    } catch {
      // Signing out goes on: the server ends the session when the token goes.
    }
  }
  try {
    await logout(session.token);
  } catch {
    // The token is dropped either way.
  }
  await phone.signOff();
  signedOut('You have signed out.');
}

// ---- rendering -------------------------------------------------------------

function canChangeStatus() {
  return connected && !busyCommand && (state.status === 'available' || state.status === 'break' || state.status === 'offline');
}

function render() {
  const campaign = state.campaign;
  el.agentName.textContent = state.agent ? state.agent.name || state.agent.login : session.login || '…';

  // The pill shows the server's status, and nothing while we cannot know it.
  if (connected) {
    el.pill.dataset.status = state.status;
    el.pill.textContent = state.status === 'break' && state.break_type
      ? `${STATUS_LABELS.break}: ${state.break_type}` : STATUS_LABELS[state.status] || state.status;
  } else {
    el.pill.dataset.status = 'unknown';
    el.pill.textContent = 'Reconnecting…';
  }
  renderSince();

  el.campaignName.textContent = campaign ? campaign.name : 'No campaign';
  el.joinLabel.hidden = !(state.status === 'offline' && !campaign);
  el.joinCampaign.disabled = !connected || el.joinCampaign.options.length === 0;
  el.mode.dataset.mode = campaign ? campaign.dial_mode : '';
  el.mode.textContent = campaign ? MODE_LABELS[campaign.dial_mode] || campaign.dial_mode : '—';
  el.prefix.value = campaign && campaign.dial_prefix ? campaign.dial_prefix : '';
  el.prefixHint.textContent = campaign && campaign.dial_prefix ? campaign.dial_prefix : 'none';

  fillOptions(el.breakSelect, (campaign ? campaign.break_types || [] : []).map((b) => [b, b]));
  const statusFree = canChangeStatus();
  el.available.disabled = !statusFree || state.status === 'available';
  el.takeBreak.disabled = !statusFree || state.status === 'offline' || el.breakSelect.options.length === 0;
  el.breakSelect.disabled = !statusFree || state.status === 'offline';

  renderCall();
  renderLead();
  renderManualDial();
  renderModal();
}

function renderPhone() {
  el.phone.hidden = phone.state === 'off';
  el.phone.dataset.state = phone.state;
  el.phone.textContent = PHONE_LABELS[phone.state] || phone.state;
  el.phone.title = phone.detail || (phone.config ? `${phone.config.sip_uri} via ${phone.config.ws_uri}` : '');
}

function renderSince() {
  if (!connected || !state.since) {
    el.since.textContent = '';
    return;
  }
  el.since.textContent = formatDuration(Date.now() - Date.parse(state.since));
}

function renderCall() {
  const call = state.call;
  const live = call && LIVE_CALL_STATES.has(call.state);
  el.callPanel.dataset.live = live ? 'yes' : 'no';
  if (!call) {
    el.callState.dataset.state = state.status === 'wrapup' ? 'ended' : 'idle';
    el.callState.textContent = state.status === 'wrapup' ? 'Call ended' : 'No call';
    el.callNumber.textContent = el.callDialled.textContent = el.callId.textContent = el.callDuration.textContent = '—';
  } else {
    el.callState.dataset.state = call.state;
    let label = CALL_LABELS[call.state] || call.state;
    if (call.state === 'ended' && call.outcome) label += ` (${call.outcome.replaceAll('_', ' ')})`;
    el.callState.textContent = label;
    el.callNumber.textContent = call.number || '—';
    el.callDialled.textContent = call.dialled || '—';
    el.callId.textContent = call.id ? `#${call.id}` : '—';
    const from = call.connected_at || call.started_at || call.at;
    const to = call.ended_at ? Date.parse(call.ended_at) : Date.now();
    el.callDuration.textContent = from ? formatDuration(to - Date.parse(from)) : '—';
  }
  el.hangup.disabled = !connected || !live || busyCommand;

  el.history.replaceChildren(...state.history.map((c) => {
    const li = document.createElement('li');
    li.textContent = `#${c.id} ${c.number || ''} — ${CALL_LABELS[c.state] || c.state}${c.outcome ? ` (${c.outcome})` : ''}${c.dialled ? ` · dialled ${c.dialled}` : ''}`;
    return li;
  }));
}

function renderLead() {
  const lead = state.lead;
  el.leadEmpty.hidden = Boolean(lead);
  el.leadSummary.hidden = !lead;
  const rows = [];
  if (lead) {
    const f = lead.fields || {};
    const name = [f.first_name, f.last_name].filter(Boolean).join(' ') || f.name || '';
    if (name) rows.push(['Name', name]);
    rows.push(['Phone', lead.phone || '—']);
    for (const key of ['company', 'city', 'state', 'email', 'notes']) if (f[key]) rows.push([titleCase(key), f[key]]);
    rows.push(['Lead', `#${lead.id}`]);
  }
  el.leadSummary.replaceChildren(...rows.flatMap(([k, v]) => {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = v;
    return [dt, dd];
  }));

  el.fieldsBody.replaceChildren(...Object.entries(lead ? lead.fields || {} : {}).map(([k, v]) => {
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = k;
    const td = document.createElement('td');
    td.textContent = String(v);
    tr.append(th, td);
    return tr;
  }));

  const segments = fillScript(state.script, lead, state.agent);
  if (segments.length === 0) {
    const p = document.createElement('p');
    p.className = 'muted';
    p.textContent = 'The campaign has no script.';
    el.script.replaceChildren(p);
  } else {
    el.script.replaceChildren(...segments.map((s) => {
      if (s.missing) {
        const span = document.createElement('span');
        span.className = 'placeholder-missing';
        span.title = lead ? `The lead has no ${s.missing}` : 'Filled in when a call connects';
        span.textContent = `{${s.missing}}`;
        return span;
      }
      if (s.field) {
        const mark = document.createElement('mark');
        mark.className = 'placeholder';
        mark.dataset.field = s.field;
        mark.textContent = s.text;
        return mark;
      }
      return document.createTextNode(s.text);
    }));
  }
}

function renderManualDial() {
  const campaign = state.campaign;
  const allowed = Boolean(campaign && campaign.manual_dial_allowed);
  el.manual.hidden = !allowed;
  const canDial = allowed && connected && !busyCommand && state.status === 'available' && !state.call;
  el.dialButton.disabled = !canDial;
  for (const button of el.results.querySelectorAll('button')) button.disabled = !canDial;
  el.manual.dataset.ready = canDial ? 'yes' : 'no';
}

function renderModal() {
  const inWrapup = connected && state.status === 'wrapup';
  const campaign = state.campaign;
  if (inWrapup) {
    const call = state.call || state.history[0] || null;
    const callId = call ? call.id : null;
    if (!el.modal.open || modalCallId !== callId) {
      // A new wrap-up: start from an empty form.
      modalCallId = callId;
      fillOptions(el.dispoCode, [['', 'Choose…'], ...(campaign ? campaign.dispositions || [] : []).map((d) => [d.code, d.label || d.code])], true);
      fillOptions(el.dispoNext, [['', 'Available'], ...(campaign ? campaign.break_types || [] : []).map((b) => [b, `Break: ${b}`])], true);
      el.dispoNotes.value = '';
      el.dispoError.hidden = true;
    }
    el.dispoCall.textContent = call ? `Call #${call.id}${call.number ? ` to ${call.number}` : ''}${call.outcome ? `, ${call.outcome.replaceAll('_', ' ')}` : ''}.` : '';
    el.dispoSubmit.disabled = busyCommand;
    if (!el.modal.open) {
      el.modal.showModal();
      el.dispoCode.focus();
    }
  } else if (el.modal.open) {
    modalCallId = null;
    el.modal.close();
  }
}

// Keeps the selection when the options have not changed, so a redraw does not
// undo what the agent picked.
function fillOptions(select, pairs, reset = false) {
  const current = Array.from(select.options, (o) => `${o.value}\u0000${o.textContent}`).join('\u0001');
  const wanted = pairs.map(([v, t]) => `${v}\u0000${t}`).join('\u0001');
  if (current === wanted && !reset) return;
  const keep = select.value;
  select.replaceChildren(...pairs.map(([value, text]) => new Option(text, value)));
  if (!reset && pairs.some(([v]) => v === keep)) select.value = keep;
}

function formatDuration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return '';
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

function titleCase(key) {
  return key.charAt(0).toUpperCase() + key.slice(1).replaceAll('_', ' ');
}

function humanReason(reason) {
  return String(reason).replaceAll('_', ' ');
}

function describeError(err) {
  const message = err.message || 'Something went wrong.';
  return err.code && !['unavailable', 'timeout'].includes(err.code) ? `${message} (${err.code})` : message;
}

// ---- lead search -----------------------------------------------------------

let searchTimer = null;
let searchSerial = 0;

async function runSearch() {
  const query = el.search.value.trim();
  const serial = ++searchSerial;
  if (!query || !state.campaign) {
    el.results.replaceChildren();
    return;
  }
  try {
    const answer = await searchLeads(session.token, state.campaign.id, query);
    if (serial !== searchSerial) return;
    const leads = Array.isArray(answer) ? answer : answer && answer.leads ? answer.leads : [];
    if (leads.length === 0) {
      const li = document.createElement('li');
      li.className = 'muted';
      li.textContent = 'No lead matches.';
      el.results.replaceChildren(li);
      return;
    }
    el.results.replaceChildren(...leads.map((lead) => {
      const li = document.createElement('li');
      const f = lead.fields || {};
      const name = [f.first_name, f.last_name].filter(Boolean).join(' ') || f.name || `Lead #${lead.id}`;
      const label = document.createElement('span');
      label.textContent = `${name} · ${lead.phone}`;
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = 'Dial';
      button.dataset.lead = String(lead.id);
      button.setAttribute('aria-label', `Dial ${name}`);
      button.addEventListener('click', () => dialLead(lead.id));
      li.append(label, button);
      return li;
    }));
    renderManualDial();
  } catch (err) {
    if (err.status === 401) signedOut('Your session has expired; sign in again.');
    else toast(describeError(err), 'error');
  }
}

// ---- wiring ----------------------------------------------------------------

el.available.addEventListener('click', goAvailable);
el.takeBreak.addEventListener('click', takeBreak);
el.hangup.addEventListener('click', hangup);
el.signOut.addEventListener('click', signOut);

el.dialForm.addEventListener('submit', (event) => {
  event.preventDefault();
  if (!el.dialButton.disabled) dialNumber(el.dialNumber.value);
});
el.keypad.addEventListener('click', (event) => {
  const key = event.target.closest('button')?.dataset.key;
  if (!key) return;
  if (key === 'clear') el.dialNumber.value = '';
  else if (key === 'back') el.dialNumber.value = el.dialNumber.value.slice(0, -1);
  else el.dialNumber.value += key;
});
el.searchForm.addEventListener('submit', (event) => {
  event.preventDefault();
  clearTimeout(searchTimer);
  runSearch();
});
el.search.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(runSearch, 250);
});
el.search.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') {
    el.search.value = '';
    el.results.replaceChildren();
  }
});

el.dispoForm.addEventListener('submit', (event) => {
  event.preventDefault();
  submitDisposition();
});
el.dispoNotes.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    submitDisposition();
  }
});
// The disposition modal blocks: Escape does not close it, and if the browser
// closes it anyway while the server still says wrap-up, it opens again.
el.modal.addEventListener('cancel', (event) => event.preventDefault());
// Chrome lets a second Escape close a dialog despite `cancel`; stopping the
// key itself keeps the close request from starting at all.
el.modal.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') event.preventDefault();
});
el.modal.addEventListener('close', () => {
  if (connected && state.status === 'wrapup') queueMicrotask(renderModal);
});

// Tabs: arrow keys move between them (the WAI-ARIA tabs pattern).
const tabs = Array.from(document.querySelectorAll('[role="tab"]'));
function selectTab(tab) {
  for (const t of tabs) {
    const selected = t === tab;
    t.setAttribute('aria-selected', String(selected));
    t.tabIndex = selected ? 0 : -1;
    $(t.getAttribute('aria-controls')).hidden = !selected;
  }
}
for (const tab of tabs) {
  tab.addEventListener('click', () => selectTab(tab));
  tab.addEventListener('keydown', (event) => {
    const i = tabs.indexOf(tab);
    let next = null;
    if (event.key === 'ArrowRight') next = tabs[(i + 1) % tabs.length];
    else if (event.key === 'ArrowLeft') next = tabs[(i - 1 + tabs.length) % tabs.length];
    else if (event.key === 'Home') next = tabs[0];
    else if (event.key === 'End') next = tabs[tabs.length - 1];
    if (next) {
      event.preventDefault();
      selectTab(next);
      next.focus();
    }
  });
}

// Shortcuts. Alt+letter, so typing in a field never triggers them by accident.
document.addEventListener('keydown', (event) => {
  if (!event.altKey || event.ctrlKey || event.metaKey) return;
  const key = event.key.toLowerCase();
  const code = event.code;
  if (key === 'a' || code === 'KeyA') goAvailable();
  else if (key === 'b' || code === 'KeyB') takeBreak();
  else if (key === 'h' || code === 'KeyH') hangup();
  else if ((key === 'd' || code === 'KeyD') && !el.manual.hidden) el.dialNumber.focus();
  else return;
  event.preventDefault();
});

setInterval(() => {
  renderSince();
  if (state.call) renderCall();
}, 1000);

render();
connection.start();
