// The panel's model of the agent: the last snapshot with every later server
// message applied. Nothing the agent clicks changes it directly — commands go
// to the server and the panel changes only when the server says so, which is
// what keeps the status pill equal to the stored state.

export function emptyState() {
  return {
    agent: null,
    status: 'offline',
    break_type: '',
    since: null,
    campaign: null,
    call: null,
    lead: null,
    script: null,
    history: [],
  };
}

// Live call states: the hangup button works in these.
export const LIVE_CALL_STATES = new Set(['originating', 'ringing', 'answered', 'bridged']);

export function applyMessage(state, msg) {
  switch (msg.type) {
    case 'snapshot':
      // Wholesale: whatever the panel held before a reconnect is dropped.
      return {
        ...emptyState(),
        agent: msg.agent || null,
        status: msg.status || 'offline',
        break_type: msg.break_type || '',
        since: msg.since || null,
        campaign: msg.campaign || null,
        call: msg.call || null,
        lead: msg.lead || (msg.lead_pop && msg.lead_pop.lead) || null,
        script: (msg.lead_pop && msg.lead_pop.script) || (msg.campaign ? msg.campaign.script ?? null : null),
        history: state.history,
      };
    case 'status_update': {
      const next = { ...state, status: msg.status, break_type: msg.break_type || '', since: msg.at || null };
      // Out of busy and wrap-up the call is over and dispositioned (by the
      // agent or by the wrap-up timeout): clear the call panel and lead card.
      if (msg.status !== 'busy' && msg.status !== 'wrapup') {
        next.call = null;
        next.lead = null;
        next.script = state.campaign ? state.campaign.script ?? null : null;
      }
      return next;
    }
    case 'call': {
      const previous = state.call && state.call.id === msg.call.id ? state.call : {};
      const call = { ...previous, ...msg.call };
      // Keep when the call started, connected and ended: `at` is only the
      // time of this message's state.
      call.started_at = previous.started_at || msg.call.at;
      if (msg.call.state === 'answered' || msg.call.state === 'bridged') call.connected_at = previous.connected_at || msg.call.at;
      if (msg.call.state === 'ended') call.ended_at = previous.ended_at || msg.call.at;
      const history = recordHistory(state.history, call);
      if (call.state === 'dispositioned') return { ...state, call: null, history };
      return { ...state, call, history };
    }
    case 'lead_pop': {
      const call = state.call && state.call.id === msg.call ? { ...state.call }
        : { id: msg.call, state: state.call ? state.call.state : 'answered' };
      if (msg.number) call.number = call.number || msg.number;
      return { ...state, call, lead: msg.lead || null, script: msg.script ?? state.script };
    }
    case 'campaign_changed':
      return {
        ...state,
        campaign: msg.campaign,
        script: state.lead ? state.script : msg.campaign ? msg.campaign.script ?? null : null,
      };
    default:
      return state;
  }
}

function recordHistory(history, call) {
  const others = history.filter((c) => c.id !== call.id);
  return [{ ...call }, ...others].slice(0, 20);
}

// Fills {placeholders} of a script from the lead. Returns segments so the page
// can show values as text (never as HTML) and mark what it could not fill.
export function fillScript(script, lead, agent) {
  if (!script) return [];
  const values = {};
  if (agent) {
    values.agent_name = agent.name;
    values.agent = agent.name;
  }
  if (lead) {
    values.phone = lead.phone;
    values.lead_id = lead.id;
    for (const [k, v] of Object.entries(lead.fields || {})) values[k] = v;
  }
  const segments = [];
  const re = /\{([A-Za-z0-9_]+)\}/g;
  let last = 0;
  for (let m = re.exec(script); m !== null; m = re.exec(script)) {
    if (m.index > last) segments.push({ text: script.slice(last, m.index) });
    const value = values[m[1]];
    if (value === undefined || value === null || value === '') segments.push({ missing: m[1] });
    else segments.push({ field: m[1], text: String(value) });
    last = re.lastIndex;
  }
  if (last < script.length) segments.push({ text: script.slice(last) });
  return segments;
}
