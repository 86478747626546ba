// The SPICE console: spice-html5 (packaged with the proxy). It opens one WebSocket per SPICE
// channel (main, display, inputs, cursor, ...), all to the same URL and session.
import * as SpiceHtml5 from '../vendor/spice-html5/src/main.js';
import { openSession, sessionOver, socketUrl, showEnded, notice, status, toggleFullscreen }
  from './session.js';

const state = { connected: false, connects: 0, ended: null, agent: false, errors: [] };
window.fastvmConsole = state;

let info;
let sc = null;

function end(reason) {
  state.ended = reason;
  if (sc) sc.stop();
  sc = null;
  showEnded(reason);
}

function connect() {
  if (state.ended) return;
  if (sc) sc.stop();
  document.getElementById('spice-screen').textContent = '';
  status('connecting', 'warn');
  try {
    sc = new SpiceHtml5.SpiceMainConn({
      uri: socketUrl('spice'),
      screen_id: 'spice-screen',
      message_id: 'spice-messages',
      password: '',
      onerror: async (e) => {
        state.connected = false;
        state.errors.push(String(e && e.message ? e.message : e));
        status('disconnected', 'err');
        if (!(await sessionOver(end))) {
          notice('SPICE connection lost. Use Reconnect to try again.');
        }
      },
      onsuccess: () => {
        state.connected = true;
        state.connects++;
        status('connected', 'ok');
        notice('');
      },
      onagent: (conn) => {
        state.agent = true;
        window.spice_connection = conn;
        window.addEventListener('resize', SpiceHtml5.handle_resize);
        SpiceHtml5.resize_helper(conn);
      },
    });
    state.sc = sc;
  } catch (e) {
    state.errors.push(String(e));
    status('error', 'err');
    notice(String(e));
  }
}

async function main() {
  info = await openSession(end);
  if (!info) return;
  if (info.ended) {
    end(info.ended);
    return;
  }
  document.getElementById('cad').addEventListener('click', () => {
    if (sc) SpiceHtml5.sendCtrlAltDel(sc);
  });
  document.getElementById('fullscreen').addEventListener('click', toggleFullscreen);
  document.getElementById('reconnect').addEventListener('click', connect);
  document.getElementById('native-toggle').addEventListener('click', () => {
    document.getElementById('panel').classList.toggle('open');
  });
  connect();
}

main().catch((e) => {
  status('error', 'err');
  notice(String(e));
});
