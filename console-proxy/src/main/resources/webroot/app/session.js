// What every console page shares: its session (info, extend, close), the WebSocket URL, the
// session bar with the view-only badge and expiry countdown.
// The page lives at <base>/s/<session>/<protocol>.html; everything is relative to it, so the
// proxy can sit under a path prefix and the session cookie (scoped to that path) goes along.

export async function sessionInfo() {
  const response = await fetch('info', { credentials: 'same-origin', cache: 'no-store' });
  if (response.status === 401) {
    return { missing: true };
  }
  if (!response.ok) {
    throw new Error('session info: HTTP ' + response.status);
  }
  return response.json();
}

export async function extendSession() {
  const response = await fetch('extend', { method: 'POST', credentials: 'same-origin' });
  return response.json();
}

export async function closeSession() {
  await fetch('close', { method: 'POST', credentials: 'same-origin' });
}

export function socketUrl(protocol) {
  const url = new URL('ws/' + protocol, window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = '';
  url.hash = '';
  return url.toString();
}

const ENDED = {
  'expired': 'The console session reached its maximum length.',
  'idle': 'The console session ended after a period without input.',
  'vm-stopped': 'The virtual machine stopped.',
  'access-revoked': 'Your permission to open this console was revoked.',
  'closed': 'The console session was closed.',
  'shutdown': 'The console proxy restarted.',
};

function endedMessage(reason) {
  return (ENDED[reason] || 'The console session ended.') + ' Ask for a new link to continue.';
}

// Why the proxy closed a WebSocket because the session ended (expired, idle, ...), else null.
export function closeReason(event) {
  if (event && event.code >= 4000 && event.reason) {
    return event.reason.replace('session ended: ', '');
  }
  return null;
}

// Ends the page (calling end) and returns true when the session is over; a proxy that does not
// answer does not end it.
export async function sessionOver(end) {
  try {
    const now = await sessionInfo();
    if (now.missing || now.ended) {
      end(now.ended || 'closed');
      return true;
    }
  } catch (err) {
    // proxy unreachable: not over
  }
  return false;
}

// Fills the common part of the bar and keeps the countdown and the ended state current.
function startSessionBar(info, { onEnded }) {
  document.getElementById('vm').textContent = info.namespace + '/' + info.name;
  document.title = info.name + ' — ' + info.protocol.toUpperCase() + ' console';
  document.getElementById('viewonly').classList.toggle('hidden', !info.viewOnly);
  const expiry = document.getElementById('expiry');
  let current = info;
  let skew = Date.parse(info.now) - Date.now();
  const render = () => {
    const left = Math.max(0, Date.parse(current.expiresAt) - (Date.now() + skew));
    const minutes = Math.floor(left / 60000);
    const seconds = Math.floor((left % 60000) / 1000);
    expiry.textContent = 'ends in ' + minutes + ':' + String(seconds).padStart(2, '0');
    expiry.className = 'badge ' + (left < 120000 ? 'warn' : 'ok');
  };
  render();
  setInterval(render, 1000);
  const refresh = async () => {
    try {
      const next = await sessionInfo();
      if (next.missing) {
        onEnded('closed');
        return;
      }
      current = next;
      skew = Date.parse(next.now) - Date.now();
      if (next.ended) {
        onEnded(next.ended);
      }
    } catch (e) {
      // the proxy may be restarting; try again later
    }
  };
  setInterval(refresh, 20000);
  document.getElementById('extend').addEventListener('click', async () => {
    current = await extendSession();
    if (current.ended) {
      onEnded(current.ended);
    }
    render();
  });
  document.getElementById('close').addEventListener('click', async () => {
    await closeSession();
    onEnded('closed');
  });
}

// After a session ended nothing on the bar can help any more but the message.
export function showEnded(reason) {
  for (const id of ['expiry', 'extend', 'close', 'reconnect', 'cad', 'keys', 'clipboard-toggle']) {
    const element = document.getElementById(id);
    if (element) element.classList.add('hidden');
  }
  status('ended', 'err');
  notice(endedMessage(reason));
}

export function notice(text) {
  const element = document.getElementById('notice');
  element.textContent = text || '';
}

export function status(text, kind) {
  const element = document.getElementById('status');
  element.textContent = text;
  element.className = 'badge ' + (kind || 'ok');
}

// The page's session, with the bar started; null (and the page says so) when there is none.
export async function openSession(onEnded) {
  const info = await sessionInfo();
  if (info.missing) {
    status('no session', 'err');
    notice('This console session does not exist or was closed. Ask for a new link.');
    return null;
  }
  startSessionBar(info, { onEnded });
  return info;
}

// After a lost connection: ends the page if the session ended, else calls connect again after a
// growing pause (1, 2, 4, ... at most 10 s).
export function reconnector(connect, end) {
  let retries = 0;
  let timer = null;
  return {
    connected() {
      retries = 0;
    },
    cancel() {
      clearTimeout(timer);
    },
    async lost() {
      if (await sessionOver(end)) return;
      const delay = Math.min(10000, 1000 * 2 ** retries++);
      notice('Connection lost. Reconnecting in ' + Math.round(delay / 1000) + ' s…');
      timer = setTimeout(connect, delay);
    },
  };
}

export function toggleFullscreen() {
  if (document.fullscreenElement) document.exitFullscreen();
  else document.documentElement.requestFullscreen();
}
