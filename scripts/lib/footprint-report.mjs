// Memory figures of a footprint run (scripts/bench-footprint.mjs): every process of a supervisor's tree
// grouped by what it is, with RSS and PSS, and the run's markdown table.
import { pssKb, rssKb } from './harness.mjs';

export const mb = (kb) => (kb === null ? null : +(kb / 1024).toFixed(1));
const proc = (pid) => ({ pid, rss_mb: mb(rssKb(pid)), pss_mb: mb(pssKb(pid)) });
const sum = (xs, k) => +xs.reduce((n, x) => n + (x[k] ?? 0), 0).toFixed(1);
const mean = (xs, k) => (xs.length ? +(sum(xs, k) / xs.length).toFixed(1) : null);

/** Every process of the run, grouped by what it is. */
export function census(supPid, st) {
  const zones = st.zones.map((z) => ({
    zone: z.zone,
    worker: proc(z.pid),
    mpv: z.mpv_processes.filter((m) => m.alive && m.pid).map((m) => ({ role: m.role, ...proc(m.pid) })),
  }));
  const spares = (st.spares ?? []).map((s) => ({ state: s.state, worker: proc(s.pid), mpv: s.mpv_pids.map(proc) }));
  const total = (g) => ({
    rss_mb: +(g.worker.rss_mb + sum(g.mpv, 'rss_mb')).toFixed(1),
    pss_mb: +(g.worker.pss_mb + sum(g.mpv, 'pss_mb')).toFixed(1),
  });
  const all = [
    proc(supPid),
    ...zones.flatMap((z) => [z.worker, ...z.mpv]),
    ...spares.flatMap((s) => [s.worker, ...s.mpv]),
  ];
  const workers = zones.map((z) => z.worker);
  const mpv = zones.flatMap((z) => z.mpv);
  return {
    supervisor: proc(supPid),
    zones: zones.map((z) => ({ ...z, total: total(z) })),
    spares: spares.map((s) => ({ ...s, total: total(s) })),
    summary: {
      supervisor_rss_mb: all[0].rss_mb,
      supervisor_pss_mb: all[0].pss_mb,
      worker_rss_mb: mean(workers, 'rss_mb'),
      worker_rss_max_mb: Math.max(...workers.map((w) => w.rss_mb)),
      worker_pss_mb: mean(workers, 'pss_mb'),
      mpv_rss_mb: mean(mpv, 'rss_mb'),
      mpv_pss_mb: mean(mpv, 'pss_mb'),
      mpv_per_zone: +(mpv.length / Math.max(1, zones.length)).toFixed(1),
      zone_pss_mb: mean(
        zones.map((z) => total(z)),
        'pss_mb',
      ),
      spare_pss_mb: spares.length ? mean(spares.map(total), 'pss_mb') : null,
      processes: all.length,
      tree_pss_mb: sum(all, 'pss_mb'),
    },
  };
}

/** The markdown table of a run, one row per size (docs/benchmarks.md, Footprint). */
export function markdown(m, rows, { nodeVersion, program, nodeArgs }) {
  const head =
    '| node | zones | ready (first zone) | supervisor RSS idle / playing | worker RSS / PSS | each mpv RSS / PSS | zone PSS idle / playing | spare PSS | tree PSS (processes) | after commands: supervisor / worker RSS growth |';
  const lines = [head, `|${'---|'.repeat(10)}`];
  for (const r of rows) {
    if (r.error) {
      lines.push(`| ${nodeVersion} | ${r.zones} | failed: ${r.error} |${' |'.repeat(7)}`);
      continue;
    }
    const i = r.idle.summary;
    const p = r.playing.summary;
    const c = r.commands;
    lines.push(
      `| ${nodeVersion} | ${r.zones} | ${(r.ready_ms / 1000).toFixed(2)} s (${(r.first_zone_ready_ms / 1000).toFixed(2)} s) | ${i.supervisor_rss_mb} / ${p.supervisor_rss_mb} MB | ${i.worker_rss_mb} / ${i.worker_pss_mb} MB | ${i.mpv_rss_mb} / ${i.mpv_pss_mb} MB (${i.mpv_per_zone} per zone) | ${i.zone_pss_mb} / ${p.zone_pss_mb} MB | ${i.spare_pss_mb ?? '-'} MB | ${i.tree_pss_mb} MB (${i.processes}) | ${c ? `+${c.supervisor_growth_mb} / +${c.worker_growth_max_mb} MB over ${c.n.toLocaleString('en')} (${c.per_second}/s, ${c.failed} failed)` : '-'} |`,
    );
  }
  return `${lines.join('\n')}\n\n${m.date}, ${m.nproc} cores, load before each size: ${rows.map((r) => r.loadavg_before?.[0]).join(', ')}; program: ${program}; supervisor node options: ${nodeArgs.join(' ') || '(none)'}\n`;
}
