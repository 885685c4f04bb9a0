// Buttons send actions; the outcome comes back on the stream. Destructive ones ask first.
const confirmDialog = () => document.getElementById('confirm');

function confirmAction(text) {
  const dialog = confirmDialog();
  document.getElementById('confirm-text').textContent = text;
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.returnValue = '';
    dialog.showModal();
  });
}

export async function sendAction(action, confirmText) {
  if (confirmText && !(await confirmAction(confirmText))) return;
  const res = await fetch('/api/actions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(action),
  });
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    const log = document.getElementById('actions');
    const li = document.createElement('li');
    li.className = 'level-error';
    li.textContent = `${action.action} refused: ${body.error ?? res.status}`;
    log.prepend(li);
    if (res.status === 401) location.reload();
  }
}

export function bindVenueStop(getFleet) {
  document.getElementById('stop-venue').addEventListener('click', () => {
    const fleet = getFleet();
    const online = [...fleet.nodes.values()].filter((n) => n.online).length;
    void sendAction({ action: 'venue_stop_audio' }, `Stop all audio in every zone of ${online} online node(s)?`);
  });
}

const button = (label, cls, onClick) => {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  if (cls) b.className = cls;
  b.addEventListener('click', onClick);
  return b;
};

function resetControls(onReset) {
  const wrap = document.createElement('span');
  wrap.className = 'reset';
  const level = document.createElement('select');
  level.setAttribute('aria-label', 'reset level');
  for (const l of ['soft', 'hard']) level.append(new Option(l, l));
  const keep = document.createElement('label');
  const box = document.createElement('input');
  box.type = 'checkbox';
  keep.append(box, ' keep playing');
  wrap.append(
    level,
    keep,
    button('Reset', 'danger reset-btn', () => onReset(level.value, box.checked)),
  );
  return wrap;
}

/** A zone's controls, built once per zone row (re-rendering its facts leaves inputs alone). */
export function zoneControls(zone) {
  const el = document.createElement('div');
  el.className = 'controls';
  const name = () => zone().state.zone;
  const file = document.createElement('input');
  file.placeholder = 'file';
  file.setAttribute('aria-label', 'background file');
  const play = document.createElement('form');
  play.className = 'play';
  play.append(
    file,
    button('Play', 'play-btn', () => play.requestSubmit()),
  );
  play.addEventListener('submit', (e) => {
    e.preventDefault();
    if (file.value.trim()) void sendAction({ action: 'play_background', zone: zone().topic, file: file.value.trim() });
  });
  el.append(
    play,
    button('Stop music', 'stop-bg-btn', () => sendAction({ action: 'stop_background', zone: zone().topic })),
    button('Stop all', 'stop-all-btn', () =>
      sendAction({ action: 'stop_all', zone: zone().topic }, `Stop everything playing in ${name()}?`),
    ),
    button('Restart', 'restart-btn', () =>
      sendAction(
        { action: 'zone_restart', zone: zone().topic },
        `Restart the worker of ${name()}? Playback stops briefly.`,
      ),
    ),
    resetControls((level, keep) =>
      sendAction(
        { action: 'zone_reset', zone: zone().topic, level, preserve_state: keep },
        `${level} reset of zone ${name()}${keep ? ', resuming what plays' : ''}?`,
      ),
    ),
  );
  return el;
}

/** A node's controls: reset every zone (phases stream into the action list) and orphan cleanup. */
export function nodeControls(node) {
  const el = document.createElement('div');
  el.className = 'controls';
  el.append(
    resetControls((level, keep) =>
      sendAction(
        { action: 'node_reset', node: node().id, level, preserve_state: keep },
        `${level} reset of every zone on ${node().device}${keep ? ', resuming what plays' : ''}?`,
      ),
    ),
    button('Cleanup', 'cleanup-btn', () =>
      sendAction({ action: 'cleanup', node: node().id }, `Kill orphaned mpv processes of mpvisor on ${node().device}?`),
    ),
  );
  return el;
}
