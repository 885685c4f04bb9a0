// DOM for the fleet: a card per node with its zones; facts are redrawn, controls are built once.
import { nodeControls, zoneControls } from './actions.js';

const $ = (id) => document.getElementById(id);
const NONE = '(unassigned)';

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else el.setAttribute(k, String(v));
  }
  el.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

export function duration(ms) {
  if (ms === null || ms === undefined) return '-';
  const s = Math.floor(ms / 1000);
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const hours = Math.floor(m / 60);
  return hours < 48 ? `${hours}h${m % 60}m` : `${Math.floor(hours / 24)}d${hours % 24}h`;
}

const base = (file) => (file ? file.split('/').pop() : null);
const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '');

function nodeInfo(node) {
  const online = node.online === null ? 'unknown' : node.online ? 'online' : 'offline';
  const facts = [
    node.system_state && `supervisor ${node.system_state}`,
    `up ${duration(node.uptime_ms)}`,
    node.version && `v${node.version}`,
    node.rss_mb !== null && `${Math.round(node.rss_mb)} MB`,
    node.cpu_percent !== null && `${node.cpu_percent}% CPU`,
    node.ip,
  ].filter(Boolean);
  return h(
    'div',
    { class: 'node-info' },
    h('h2', {}, node.device),
    h('span', { class: 'badge node-online', 'data-state': online }, online),
    h('span', { class: 'facts' }, facts.join(' · ')),
    node.online === false && node.since ? h('span', { class: 'since' }, `since ${time(node.since)}`) : null,
  );
}

function playing(s) {
  const parts = [];
  if (s.background?.file) parts.push(`music ${base(s.background.file)} (${s.background.status})`);
  if (s.speech?.file)
    parts.push(`speech ${base(s.speech.file)}${s.speech.queue_length ? ` +${s.speech.queue_length}` : ''}`);
  if (s.video?.file) parts.push(`video ${base(s.video.file)} (${s.video.status})`);
  if (s.effects?.active) parts.push(`${s.effects.active} effect(s)`);
  return parts.length ? parts.join(' · ') : 'silent';
}

function zoneInfo(zone) {
  const s = zone.state;
  const exit = s.last_exit
    ? `last exit ${s.last_exit.signal ?? `code ${s.last_exit.code}`} ${time(s.last_exit.at)}`
    : null;
  const facts = [
    s.volume !== undefined && `vol ${s.volume}`,
    s.ducked && 'ducked',
    `restarts ${s.restarts}`,
    exit,
    `up ${duration(s.uptime_ms)}`,
  ].filter(Boolean);
  return h(
    'div',
    { class: 'zone-info' },
    h('strong', { class: 'zone-name' }, s.zone),
    h('span', { class: 'badge zone-state', 'data-state': s.state }, s.state),
    h('span', { class: 'playing' }, playing(s)),
    h('span', { class: 'facts' }, facts.join(' · ')),
    zone.reason ? h('span', { class: 'reason' }, zone.reason) : null,
  );
}

function card(fleet, id) {
  const key = id ?? NONE;
  let el = [...$('nodes').children].find((c) => c.dataset.node === key);
  if (el) return el;
  el = h(
    'section',
    { class: 'node', 'data-node': key },
    h('div', { class: 'node-head' }),
    h('div', { class: 'zones' }),
  );
  if (id !== null) el.querySelector('.node-head').after(nodeControls(() => fleet.nodes.get(id)));
  const cards = [...$('nodes').children, el].sort((a, b) => a.dataset.node.localeCompare(b.dataset.node));
  $('nodes').replaceChildren(...cards);
  return el;
}

function zoneRow(fleet, container, topic) {
  let row = [...container.children].find((r) => r.dataset.zone === topic);
  if (!row) {
    row = h(
      'div',
      { class: 'zone', 'data-zone': topic },
      h('div', { class: 'zone-info' }),
      zoneControls(() => fleet.zones.get(topic)),
    );
  }
  return row;
}

export function renderNode(fleet, id) {
  const node = id === null ? null : fleet.nodes.get(id);
  const zones = [...fleet.zones.values()]
    .filter((z) => z.node === id)
    .sort((a, b) => a.state.zone.localeCompare(b.state.zone));
  if (id === null && zones.length === 0) {
    [...$('nodes').children].find((c) => c.dataset.node === NONE)?.remove();
    return;
  }
  const el = card(fleet, id);
  el.dataset.online = node ? String(node.online) : 'unknown';
  el.querySelector('.node-head').replaceChildren(
    node ? nodeInfo(node) : h('div', { class: 'node-info' }, h('h2', {}, 'Zones of no known node')),
  );
  const container = el.querySelector('.zones');
  const rows = zones.map((z) => {
    const row = zoneRow(fleet, container, z.topic);
    row.dataset.state = z.state.state;
    row.querySelector('.zone-info').replaceWith(zoneInfo(z));
    return row;
  });
  // Moving a row blurs a field being typed in: reorder only when the set or order of zones changed.
  const current = [...container.children];
  if (current.length !== rows.length || rows.some((r, i) => current[i] !== r)) container.replaceChildren(...rows);
}

export function renderSummary(fleet) {
  const nodes = [...fleet.nodes.values()];
  const zones = [...fleet.zones.values()];
  const online = nodes.filter((n) => n.online).length;
  const ready = zones.filter((z) => z.state.state === 'ready').length;
  $('summary').textContent = `${online}/${nodes.length} nodes online · ${ready}/${zones.length} zones ready`;
}

export function renderEvents(fleet) {
  const device = (id) => (id ? (fleet.nodes.get(id)?.device ?? id) : '');
  const items = fleet.events
    .slice(-60)
    .reverse()
    .map((e) =>
      h('li', { class: `level-${e.level}` }, h('time', {}, time(e.received_at)), ` ${device(e.node)} `, e.text),
    );
  $('events').replaceChildren(...items);
}

export function renderActions(fleet) {
  const items = [...fleet.actions.values()]
    .slice(-20)
    .reverse()
    .map((a) => {
      const commands = a.commands.map((c) => {
        const status = c.outcome ? `${c.outcome.outcome}: ${c.outcome.message}` : 'waiting';
        return h(
          'li',
          { class: `command outcome-${c.outcome?.outcome ?? 'pending'}`, 'data-command-id': c.id },
          `${c.target} ${c.command} `,
          c.phases.length ? h('span', { class: 'phases' }, c.phases.join(' → ')) : null,
          ` ${status}`,
        );
      });
      return h(
        'li',
        { class: 'action', 'data-action': a.action, 'data-done': String(a.done) },
        h('time', {}, time(a.started_at)),
        ` ${a.operator}: ${a.action.replaceAll('_', ' ')}`,
        h('ul', {}, ...commands),
      );
    });
  $('actions').replaceChildren(...items);
}

export function renderAll(fleet) {
  $('nodes').replaceChildren();
  const ids = new Set([...fleet.nodes.keys()]);
  for (const id of ids) renderNode(fleet, id);
  renderNode(fleet, null);
  renderSummary(fleet);
  renderEvents(fleet);
  renderActions(fleet);
}
