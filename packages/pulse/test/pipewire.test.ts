import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { moveTarget, ourSinks, Pactl, parseSinkInputs, parseSinks, type PulseSink } from '@mpvisor/pulse';

// Recorded from PipeWire 0.3.65 + pipewire-pulse + WirePlumber 0.4.13 (`pactl -f json list sinks` /
// `list sink-inputs`): null sinks room_a and room_b, our combine sink mpvisor_both (tagged abc123), a
// user's combine sink user_combo (no tag), a user's null sink that is ALSO named mpvisor_both
// (PipeWire allows duplicate names), and one mpv stream on our sink. Module indexes are 0x2000000N.
const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), 'utf8');
const sinks = parseSinks(fixture('pipewire-sinks.json'));
const inputs = parseSinkInputs(fixture('pipewire-sink-inputs.json'));

describe('pactl JSON from pipewire-pulse', () => {
  it('reads sinks with their large module indexes and our properties', () => {
    expect(sinks.map((s) => [s.name, s.owner_module])).toEqual([
      ['room_a', 536870913],
      ['room_b', 536870914],
      ['mpvisor_both', 536870915],
      ['user_combo', 536870916],
      ['mpvisor_both', 536870917],
    ]);
    expect(sinks.every((s) => s.driver === 'PipeWire')).toBe(true);
    expect(sinks[2]!.properties).toMatchObject({
      'mpvisor.owner': 'abc123',
      'mpvisor.zone': 'both',
      'mpvisor.slaves': 'room_a,room_b',
    });
  });

  it('reads sink-inputs: the combine sinks own their slave streams, the mpv stream has a client and no module', () => {
    expect(inputs.filter((i) => i.owner_module === 536870915).map((i) => i.sink)).toEqual([44, 51]);
    const mpv = inputs.find((i) => i.properties['application.name'] === 'mpv')!;
    expect(mpv).toMatchObject({ sink: 60, owner_module: null, client: 100 });
  });

  it('with two sinks of one name, only the tagged one is ours, and a stream moves to a slave, never the namesake', () => {
    expect(sinks.filter((s) => s.name === 'mpvisor_both')).toHaveLength(2);
    const ours = ourSinks(sinks, 'abc123');
    expect(ours.map((s) => s.owner_module)).toEqual([536870915]);
    expect(
      moveTarget(
        ours[0]!,
        sinks.filter((s) => !ours.includes(s)),
        'mpvisor_both',
      ),
    ).toBe('room_a');
    const noSlaves = sinks.filter((s) => s.name !== 'room_a' && s.name !== 'room_b' && !ours.includes(s));
    expect(moveTarget(ours[0]!, noSlaves, 'mpvisor_both')).toBe('user_combo');
  });
});

// A stand-in pactl: answers `list sinks` from sinks.N.json (N = call number, else sinks.json), prints
// load-out for load-module, and logs every call, so the unloader's decisions can be checked without a server.
const FAKE_PACTL = `#!/bin/sh
d="$FAKE_PACTL_DIR"
echo "$*" >> "$d/calls"
case "$1 $2 $3 $4" in
  "-f json list sinks") n=$(cat "$d/n" 2>/dev/null || echo 0); echo $((n + 1)) > "$d/n"
    if [ -f "$d/sinks.$n.json" ]; then cat "$d/sinks.$n.json"; else cat "$d/sinks.json"; fi ;;
  "-f json list sink-inputs") cat "$d/inputs.json" ;;
  "load-module"*) cat "$d/load-out" ;;
  "get-default-sink"*) echo room_a ;;
esac
`;

describe('Pactl against PipeWire behaviour (fake pactl)', () => {
  let dir: string;
  let pactl: Pactl;
  const put = (name: string, data: unknown) =>
    writeFileSync(join(dir, name), typeof data === 'string' ? data : JSON.stringify(data));
  const calls = () => readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n');
  const raw = JSON.parse(fixture('pipewire-sinks.json')) as Array<Record<string, unknown>>;
  const without = (module: number) => raw.filter((s) => s.owner_module !== module);
  const userNull = (module: number, name: string) => ({
    index: 200,
    name,
    driver: 'PipeWire',
    state: 'IDLE',
    owner_module: module,
    properties: { 'node.name': name },
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fakepactl-'));
    writeFileSync(join(dir, 'pactl'), FAKE_PACTL);
    chmodSync(join(dir, 'pactl'), 0o755);
    put('sinks.json', raw);
    put('inputs.json', fixture('pipewire-sink-inputs.json'));
    put('calls', '');
    pactl = new Pactl({ bin: join(dir, 'pactl'), env: { ...process.env, FAKE_PACTL_DIR: dir } });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('unloads our tagged sink by module after moving the foreign stream, and never the untagged namesake', async () => {
    const r = await pactl.unloadOurSinks('abc123');
    expect(r).toEqual({
      unloaded: [{ name: 'mpvisor_both', module_index: 536870915, zone: 'both', moved: 1 }],
      errors: [],
    });
    expect(calls().filter((c) => /^(move-sink-input|unload-module)/.test(c))).toEqual([
      'move-sink-input 101 room_a',
      'unload-module 536870915',
    ]);
  });

  it('does not unload when the module index was reused by someone else between the listing and the unload', async () => {
    // Second listing: our sink is gone and PipeWire handed its index to a user's sink of the same name.
    put('sinks.1.json', [...without(536870915), userNull(536870915, 'mpvisor_both')]);
    const r = await pactl.unloadOurSinks('abc123');
    expect(r.unloaded).toEqual([]);
    expect(calls().some((c) => c.startsWith('unload-module'))).toBe(false);
  });

  it('a stale record (module index + name) now naming a user sink unloads nothing', async () => {
    put('sinks.json', [...without(536870915), userNull(536870915, 'mpvisor_both')]);
    expect(await pactl.unloadOurSinks('abc123', { moduleIndex: 536870915, name: 'mpvisor_both' })).toEqual({
      unloaded: [],
      errors: [],
    });
    expect(calls().some((c) => c.startsWith('unload-module'))).toBe(false);
  });

  const spec = { name: 'mpvisor_both', slaves: ['room_a', 'room_b'], tag: 'abc123', zone: 'both' };

  it('loadCombineSink returns the index once the module made our tagged sink', async () => {
    put('load-out', '536870915\n');
    expect(await pactl.loadCombineSink(spec)).toBe(536870915);
    expect(calls()[0]).toBe(
      'load-module module-combine-sink sink_name=mpvisor_both slaves=room_a,room_b sink_properties="mpvisor.owner=abc123 mpvisor.zone=both mpvisor.slaves=room_a,room_b device.description=mpvisor-both"',
    );
    expect(calls().some((c) => c.startsWith('unload-module'))).toBe(false);
  });

  it('loadCombineSink unloads what it just loaded when the sink came without our properties (arguments silently ignored)', async () => {
    put('load-out', '536870917\n'); // the untagged namesake's module in the fixture
    await expect(pactl.loadCombineSink(spec)).rejects.toThrow(
      /module 536870917 loaded but its sink mpvisor_both lacks our properties/,
    );
    expect(calls().at(-1)).toBe('unload-module 536870917');
  });

  it('loadCombineSink waits briefly for the sink, then unloads a module that made none', async () => {
    put('load-out', '536870999\n');
    put('sinks.2.json', [...raw, { ...(raw[2] as object), owner_module: 536870999, index: 300 }] as PulseSink[]);
    expect(await pactl.loadCombineSink(spec)).toBe(536870999);
    put('calls', '');
    put('n', '0');
    put('load-out', '536870998\n');
    await expect(pactl.loadCombineSink(spec)).rejects.toThrow(/module 536870998 loaded but made no sink mpvisor_both/);
    expect(calls().filter((c) => c === '-f json list sinks')).toHaveLength(5);
    expect(calls().at(-1)).toBe('unload-module 536870998');
  });
});
