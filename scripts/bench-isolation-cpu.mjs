// What isolate_output costs in CPU: N zones' mpv (a 44.1 kHz stereo tone, looped) playing straight to
// their null sinks, then each through its own null sink and a loopback that may not be moved (what the
// supervisor loads for an isolated zone, 60 ms), against a private PulseAudio or PipeWire. The audio
// server's processes and the mpv are sampled from /proc over 20 s, twice each way.
//   node scripts/bench-isolation-cpu.mjs pa|pw
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPipewirePulse, startPulse } from '@mpvisor/testkit';
const kind = process.argv[2] === 'pw' ? 'pw' : 'pa';
const N = 4;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rooms = Array.from({ length: N }, (_, i) => `room_${i}`);
async function measure(isolated) {
  const dir = mkdtempSync(join(tmpdir(), 'mpviso-'));
  const d = await (kind === 'pw' ? startPipewirePulse : startPulse)({ dir, sinks: rooms });
  const env = { ...process.env, ...d.env };
  const pactl = (...a) => execFileSync('pactl', a, { env }).toString().trim();
  execFileSync('sox', [
    '-n',
    '-r',
    '44100',
    '-c',
    '2',
    '-b',
    '16',
    `${dir}/t.wav`,
    'synth',
    '60',
    'sine',
    '440',
    'vol',
    '0.3',
  ]);
  const mpvs = [];
  for (const r of rooms) {
    let dev = r;
    if (isolated) {
      pactl('load-module', 'module-null-sink', `sink_name=iso_${r}`);
      pactl(
        'load-module',
        'module-loopback',
        `source=iso_${r}.monitor`,
        `sink=${r}`,
        'sink_dont_move=true',
        'source_dont_move=true',
        'latency_msec=60',
      );
      dev = `iso_${r}`;
    }
    mpvs.push(
      spawn(
        'mpv',
        [
          '--no-config',
          '--ao=pulse',
          `--audio-device=pulse/${dev}`,
          '--no-video',
          '--really-quiet',
          '--loop-file=inf',
          `${dir}/t.wav`,
        ],
        { env: isolated ? { ...env, PULSE_LATENCY_MSEC: '60' } : env, stdio: 'ignore' },
      ),
    );
  }
  await sleep(3000);
  const pids = execFileSync('pgrep', ['-f', kind === 'pw' ? 'pipewire|wireplumber' : 'pulseaudio --daemonize=no'])
    .toString()
    .trim()
    .split('\n')
    .map(Number)
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/environ`).includes(dir);
      } catch {
        return false;
      }
    });
  const ticks = () =>
    pids.reduce((a, p) => {
      const f = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
      return a + Number(f[11]) + Number(f[12]);
    }, 0);
  const mpvTicks = () =>
    mpvs.reduce((a, m) => {
      const f = readFileSync(`/proc/${m.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return a + Number(f[11]) + Number(f[12]);
    }, 0);
  const t0 = ticks();
  const m0 = mpvTicks();
  const w0 = Date.now();
  await sleep(20000);
  const secs = (Date.now() - w0) / 1000;
  const server = ((ticks() - t0) / 100 / secs) * 100;
  const mpv = ((mpvTicks() - m0) / 100 / secs) * 100;
  for (const m of mpvs) m.kill();
  await d.stop();
  rmSync(dir, { recursive: true, force: true });
  return { server: server.toFixed(1), mpv: mpv.toFixed(1) };
}
for (const iso of [false, true, false, true]) {
  const r = await measure(iso);
  console.log(
    `${kind} ${N} zones ${iso ? 'isolated' : 'direct  '}: server CPU ${r.server}% of one core, mpv total ${r.mpv}%, load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
  );
}
process.exit(0);
