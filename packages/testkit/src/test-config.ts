// The INI files the integration suites run the supervisor on. Every suite's config has the same frame
// (the test's broker, a client id of its own, the media folder, a zone topic under the test's base);
// the suites differ only in their [global], [system:main] and zone keys.

export interface TestZone {
  name: string;
  /** The section's kind: audio unless told. */
  kind?: string;
  keys?: string[];
}

/** A config on the test's broker and media folder with this log level and these [global], [system:main] and zone keys. */
export function testIni(o: {
  port: number;
  base: string;
  media: string;
  logLevel: string;
  global: string[];
  system: string[];
  zones: TestZone[];
}): string {
  return [
    '[mqtt]',
    'broker = 127.0.0.1',
    `port = ${o.port}`,
    `base_topic = ${o.base}`,
    'device_name = test',
    `client_id = mpvisor-test-${process.pid}-${Math.floor(Math.random() * 1e6)}`,
    '[global]',
    `log_level = ${o.logLevel}`,
    `media_base_path = ${o.media}`,
    ...o.global,
    '[system:main]',
    ...o.system,
    ...o.zones.flatMap((z) => [
      `[${z.kind ?? 'audio'}:${z.name}]`,
      `topic = ${o.base}/${z.name}`,
      'media_dir = .',
      ...(z.keys ?? []),
    ]),
  ].join('\n');
}

/**
 * Zone keys for a test that waits for the effect pools: they warm as soon as the zone is up instead of
 * 5 s later (effect-pool-warm.int.test.ts keeps the default).
 */
export const POOL_AT_ONCE = ['effects_warm_delay_ms = 0'];

/** A minimal INI for tests: external broker, audio zones on the null output, fast policy. */
export function testConfig(o: {
  port: number;
  mediaDir: string;
  zones: string[];
  base?: string;
  extra?: string;
  /** Keys every zone section gets, e.g. `effects_warm_delay_ms = 0` where a test waits for the pool. */
  zoneKeys?: string[];
}): string {
  const base = o.base ?? 'mpvt';
  return testIni({
    port: o.port,
    base,
    media: o.mediaDir,
    logLevel: 'debug',
    global: ['heartbeat_interval = 1000', `heartbeat_topic = ${base}/heartbeat`],
    system: ['startup_timeout_ms = 8000', 'heartbeat_timeout_ms = 3000', ...(o.extra ? [o.extra] : [])],
    zones: o.zones.map((name) => ({ name, keys: o.zoneKeys ?? [] })),
  });
}
