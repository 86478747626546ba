// The serial console: xterm.js on the session's WebSocket. The proxy sends the guest's output as
// text frames; typed text goes back as text frames.
import { sessionInfo, socketUrl, startSessionBar, showEnded, describeClose, notice, status }
  from './session.js';

const state = { connected: false, connects: 0, ended: null, received: '' };
window.fastvmConsole = state;

let info;
let socket = null;
let retries = 0;
let retryTimer = null;
const term = new window.Terminal({ cursorBlink: true, convertEol: false, scrollback: 5000,
  fontFamily: 'monospace', fontSize: 14 });
const fit = new window.FitAddon.FitAddon();
term.loadAddon(fit);
state.term = term;

function end(reason) {
  state.ended = reason;
  clearTimeout(retryTimer);
  if (socket) socket.close();
  showEnded(reason);
}

function connect() {
  clearTimeout(retryTimer);
  if (state.ended) return;
  status('connecting', 'warn');
  const mine = new WebSocket(socketUrl('serial'));
  socket = mine;
  mine.onopen = () => {
    state.connected = true;
    state.connects++;
    retries = 0;
    status('connected', 'ok');
    notice('');
    term.focus();
  };
  mine.onmessage = (event) => {
    if (typeof event.data === 'string') {
      term.write(event.data);
      state.received = (state.received + event.data).slice(-65536);
    }
  };
  mine.onclose = async (event) => {
    if (socket !== mine) return;
    state.connected = false;
    status('disconnected', 'err');
    const why = describeClose(event);
    if (why) {
      end(event.reason.replace('session ended: ', ''));
      return;
    }
    try {
      const now = await sessionInfo();
      if (now.missing || now.ended) {
        end(now.ended || 'closed');
        return;
      }
    } catch (err) {
      // retry below
    }
    const delay = Math.min(10000, 1000 * 2 ** retries++);
    notice('Connection lost. Reconnecting in ' + Math.round(delay / 1000) + ' s…');
    retryTimer = setTimeout(connect, delay);
  };
}

async function main() {
  info = await sessionInfo();
  if (info.missing) {
    status('no session', 'err');
    notice('This console session does not exist or was closed. Ask for a new link.');
    return;
  }
  startSessionBar(info, { onEnded: end });
  const screen = document.getElementById('screen');
  term.open(screen);
  fit.fit();
  window.addEventListener('resize', () => fit.fit());
  if (info.ended) {
    end(info.ended);
    return;
  }
  term.options.disableStdin = info.viewOnly;
  term.onData((data) => {
    if (socket && socket.readyState === WebSocket.OPEN && !info.viewOnly) socket.send(data);
  });
  document.getElementById('reconnect').addEventListener('click', () => {
    retries = 0;
    const old = socket;
    socket = null;
    if (old) old.close();
    connect();
  });
  connect();
}

main().catch((e) => {
  status('error', 'err');
  notice(String(e));
});
