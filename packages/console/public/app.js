// The page: one SSE stream pushes the fleet; nothing here polls.
import { renderActions, renderAll, renderEvents, renderNode, renderSummary } from './render.js';
import { bindVenueStop } from './actions.js';

const fleet = { nodes: new Map(), zones: new Map(), events: [], actions: new Map() };
const $ = (id) => document.getElementById(id);
let stream = null;

function setLink(connected) {
  const el = $('link');
  el.dataset.state = connected ? 'online' : 'offline';
  el.textContent = connected ? 'broker connected' : 'broker disconnected';
}

function onSnapshot({ fleet: snap, actions }) {
  fleet.nodes = new Map(snap.nodes.map((n) => [n.id, n]));
  fleet.zones = new Map(snap.zones.map((z) => [z.topic, z]));
  fleet.events = snap.events;
  fleet.actions = new Map(actions.map((a) => [a.action_id, a]));
  renderAll(fleet);
}

function onChange(change) {
  if (change.type === 'node') {
    fleet.nodes.set(change.node.id, change.node);
    renderNode(fleet, change.node.id);
    renderSummary(fleet);
  } else if (change.type === 'zone') {
    const before = fleet.zones.get(change.zone.topic);
    fleet.zones.set(change.zone.topic, change.zone);
    if (before && before.node !== change.zone.node) renderNode(fleet, before.node);
    renderNode(fleet, change.zone.node);
    renderSummary(fleet);
  } else if (change.type === 'event') {
    fleet.events.push(change.event);
    if (fleet.events.length > 200) fleet.events.shift();
    renderEvents(fleet);
  }
}

function connect() {
  stream?.close();
  stream = new EventSource('/api/events');
  const on = (name, fn) => stream.addEventListener(name, (e) => fn(JSON.parse(e.data)));
  on('snapshot', onSnapshot);
  on('change', onChange);
  on('link', ({ connected }) => setLink(connected));
  on('action', (record) => {
    fleet.actions.set(record.action_id, record);
    renderActions(fleet);
  });
  // EventSource reconnects by itself; a 401 (session expired) closes it for good: log in again.
  stream.addEventListener('error', () => {
    if (stream.readyState === EventSource.CLOSED) void start();
    else $('link').dataset.state = 'unknown';
  });
}

function showLogin(message) {
  $('main').hidden = true;
  $('stop-venue').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message ?? '';
}

async function start() {
  const res = await fetch('/api/session');
  if (res.status === 401) return showLogin();
  const { operator, auth } = await res.json();
  $('operator').textContent = auth ? `operator: ${operator}` : '';
  $('login').hidden = true;
  $('main').hidden = false;
  $('stop-venue').hidden = false;
  connect();
}

$('login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const form = new FormData(e.target);
  const res = await fetch('/api/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ operator: form.get('operator'), password: form.get('password') }),
  });
  if (!res.ok) return showLogin((await res.json()).error ?? `login refused (${res.status})`);
  e.target.reset();
  await start();
});

bindVenueStop(() => fleet);
void start();
