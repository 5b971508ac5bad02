// REST calls to dialerd (docs/api.md) and the session kept in this tab.
//
// The session lives in sessionStorage, not localStorage: two tabs can hold two
// different agents (the browser tests rely on it), and closing the tab forgets
// the token.

const SESSION_KEY = 'dialer.session';

export function loadSession() {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

export function saveSession(session) {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
}

export function clearSession() {
  sessionStorage.removeItem(SESSION_KEY);
}

// An error the server answered: keeps its status and the `code` of the
// contract's error body so callers can react to 401 apart from the rest.
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function request(method, path, { token, body } = {}) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'unavailable', 'The server cannot be reached.');
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const err = data && data.error ? data.error : {};
    throw new ApiError(response.status, err.code || `http_${response.status}`,
      err.message || `${method} ${path} failed with HTTP ${response.status}.`);
  }
  return data;
}

export function login(loginName, password) {
  return request('POST', '/api/v1/auth/login', { body: { login: loginName, password } });
}

export function logout(token) {
  return request('POST', '/api/v1/auth/logout', { token });
}

export function agentState(token, agentId) {
  return request('GET', `/api/v1/agents/${agentId}/state`, { token });
}

// The agent's browser phone (docs/api.md): `{"web_phone": {...} | null,
// "persistent_leg": bool}`; only the agent's own session may read it.
export function agentPhone(token, agentId) {
  return request('GET', `/api/v1/agents/${agentId}/phone`, { token });
}

// The campaigns the agent may join (docs/api.md): `{"campaigns": [...]}`.
export function agentCampaigns(token, agentId) {
  return request('GET', `/api/v1/agents/${agentId}/campaigns`, { token });
}

export function searchLeads(token, campaignId, query) {
  const q = new URLSearchParams({ campaign: String(campaignId), q: query });
  return request('GET', `/api/v1/leads?${q}`, { token });
}
