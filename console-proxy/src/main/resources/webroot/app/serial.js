// The serial console: xterm.js on the session's WebSocket. The proxy sends the guest's output as
// text frames; typed text goes back as text frames.
import { openSession, reconnector, socketUrl, showEnded, closeReason, notice, status }
  from './session.js';

const state = { connected: false, connects: 0, ended: null, received: '' };
window.fastvmConsole = state;

let info;
let socket = null;
const retry = reconnector(connect, end);
const term = new window.Terminal({ cursorBlink: true, convertEol: false, scrollback: 5000,
  fontFamily: 'monospace', fontSize: 14 });
const fit = new window.FitAddon.FitAddon();
term.loadAddon(fit);
state.term = term;

function end(reason) {
  state.ended = reason;
  retry.cancel();
  if (socket) socket.close();
  showEnded(reason);
}

function connect() {
  retry.cancel();
  if (state.ended) return;
  status('connecting', 'warn');
  const mine = new WebSocket(socketUrl('serial'));
  socket = mine;
  mine.onopen = () => {
    state.connected = true;
    state.connects++;
    retry.connected();
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
    const why = closeReason(event);
    if (why) {
      end(why);
      return;
    }
    await retry.lost();
  };
}

async function main() {
  info = await openSession(end);
  if (!info) return;
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
    retry.connected();
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
