// The VNC console: noVNC (packaged with the proxy) on the session's WebSocket.
import RFB from '../vendor/novnc/core/rfb.js';
import { openSession, reconnector, socketUrl, showEnded, notice, status, toggleFullscreen }
  from './session.js';

const XK = {
  Control_L: 0xffe3, Alt_L: 0xffe9, Delete: 0xffff, BackSpace: 0xff08, Tab: 0xff09,
  Escape: 0xff1b, Super_L: 0xffeb, Print: 0xff61, F1: 0xffbe, F2: 0xffbf, F3: 0xffc0,
  F4: 0xffc1, F7: 0xffc4,
};
const CODES = {
  Control_L: 'ControlLeft', Alt_L: 'AltLeft', Delete: 'Delete', BackSpace: 'Backspace',
  Tab: 'Tab', Escape: 'Escape', Super_L: 'MetaLeft', Print: 'PrintScreen', F1: 'F1', F2: 'F2',
  F3: 'F3', F4: 'F4', F7: 'F7',
};
const COMBOS = {
  'ctrl-alt-backspace': ['Control_L', 'Alt_L', 'BackSpace'],
  'ctrl-alt-f1': ['Control_L', 'Alt_L', 'F1'],
  'ctrl-alt-f2': ['Control_L', 'Alt_L', 'F2'],
  'ctrl-alt-f3': ['Control_L', 'Alt_L', 'F3'],
  'ctrl-alt-f7': ['Control_L', 'Alt_L', 'F7'],
  'alt-tab': ['Alt_L', 'Tab'],
  'alt-f4': ['Alt_L', 'F4'],
  'super': ['Super_L'],
  'escape': ['Escape'],
  'tab': ['Tab'],
  'print': ['Print'],
};

// Read by tests and handy in the browser's console.
const state = { connected: false, connects: 0, ended: null, lastClose: null, rfb: null };
window.fastvmConsole = state;

let info;
let rfb = null;
const retry = reconnector(connect, end);

function end(reason) {
  state.ended = reason;
  retry.cancel();
  if (rfb) {
    rfb.disconnect();
  }
  showEnded(reason);
}

function applyScaling() {
  if (!rfb) return;
  const mode = document.getElementById('scaling').value;
  rfb.scaleViewport = mode !== 'none';
  rfb.resizeSession = mode === 'auto' && !info.viewOnly;
  rfb.clipViewport = mode === 'none';
}

function connect() {
  retry.cancel();
  if (state.ended) return;
  const screen = document.getElementById('screen');
  screen.textContent = '';
  status('connecting', 'warn');
  const mine = new RFB(screen, socketUrl('vnc'), { shared: true, wsProtocols: ['binary'] });
  rfb = mine;
  state.rfb = rfb;
  rfb.viewOnly = info.viewOnly;
  rfb.focusOnClick = true;
  rfb.qualityLevel = 9;
  rfb.compressionLevel = 2;
  rfb.background = '#1e1e1e';
  applyScaling();
  rfb.addEventListener('connect', () => {
    state.connected = true;
    state.connects++;
    retry.connected();
    status('connected', 'ok');
    notice('');
    rfb.focus();
  });
  rfb.addEventListener('disconnect', async () => {
    if (rfb !== mine) return; // replaced by a manual reconnect
    state.connected = false;
    status('disconnected', 'err');
    if (state.ended) return;
    // A session that ended says why; otherwise try again with a growing pause.
    await retry.lost();
  });
  rfb.addEventListener('clipboard', (e) => {
    document.getElementById('clipboard-text').value = e.detail.text;
  });
  rfb.addEventListener('desktopname', (e) => {
    document.title = e.detail.name + ' — VNC';
  });
  rfb.addEventListener('securityfailure', (e) => {
    notice('VNC security failure: ' + (e.detail.reason || e.detail.status));
  });
}

function sendCombo(names) {
  if (!rfb || info.viewOnly) return;
  for (const name of names) rfb.sendKey(XK[name], CODES[name], true);
  for (const name of [...names].reverse()) rfb.sendKey(XK[name], CODES[name], false);
  rfb.focus();
}

async function main() {
  info = await openSession(end);
  if (!info) return;
  if (info.ended) {
    end(info.ended);
    return;
  }
  for (const element of document.querySelectorAll('.input-only')) {
    element.classList.toggle('hidden', info.viewOnly);
  }
  document.getElementById('cad').addEventListener('click', () => {
    if (rfb && !info.viewOnly) rfb.sendCtrlAltDel();
  });
  document.getElementById('keys').addEventListener('change', (e) => {
    const combo = COMBOS[e.target.value];
    e.target.value = '';
    if (combo) sendCombo(combo);
  });
  document.getElementById('clipboard-toggle').addEventListener('click', () => {
    document.getElementById('panel').classList.toggle('open');
  });
  document.getElementById('clipboard-send').addEventListener('click', () => {
    if (rfb && !info.viewOnly) rfb.clipboardPasteFrom(document.getElementById('clipboard-text').value);
  });
  document.getElementById('scaling').addEventListener('change', applyScaling);
  document.getElementById('fullscreen').addEventListener('click', toggleFullscreen);
  document.getElementById('reconnect').addEventListener('click', () => {
    retry.connected();
    if (rfb) {
      const old = rfb;
      rfb = null;
      old.disconnect();
    }
    connect();
  });
  connect();
}

main().catch((e) => {
  status('error', 'err');
  notice(String(e));
});
