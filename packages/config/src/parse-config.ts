// Text in, configuration or problems out. Reads every section whatever happens, so that
// `mpvisor config check` can print all problems at once; never throws on bad input.
import path from 'node:path';
import { formatIssues } from '@mpvisor/protocol';
import { SectionReader } from './fields.js';
import { deepFreeze } from './freeze.js';
import { readGlobal } from './global.js';
import { type IniSection, parseIni } from './ini-parse.js';
import { readMqtt, replyPrefixClashes } from './mqtt.js';
import { Problems } from './problems.js';
import { foldLegacyUpperKeys } from './legacy-upper.js';
import { classifySection } from './sections.js';
import { readSystem } from './system.js';
import { mpvisorConfigSchema } from './schema.js';
import { readZone } from './zones.js';
import type { ConfigProblem, MpvisorConfig, ParseOptions, ParseResult, ZoneConfig, ZoneKind } from './types.js';

type Single = 'mqtt' | 'global' | 'system';

/** ParadoxFX's `ini` package merged repeated sections; we do too, but say so. */
function mergeRepeated(sections: IniSection[], problems: Problems): IniSection | undefined {
  const [first, ...rest] = sections;
  if (!first) return undefined;
  const merged: IniSection = { ...first, entries: new Map(first.entries) };
  for (const s of rest) {
    problems.warn(
      s.name,
      undefined,
      s.line,
      `section [${s.name}] repeated (first at line ${first.line}); keys are merged, later values win`,
    );
    for (const [k, e] of s.entries) merged.entries.set(k, e);
  }
  return merged;
}

function crossCheck(
  zones: ZoneConfig[],
  systemTopic: string,
  readers: Map<ZoneConfig, SectionReader>,
  problems: Problems,
): void {
  const names = new Map<string, ZoneConfig>();
  const topics = new Map<string, ZoneConfig>();
  for (const z of zones) {
    const r = readers.get(z);
    const earlier = names.get(z.name);
    if (earlier) {
      problems.error(
        z.section,
        undefined,
        z.line,
        `duplicate zone name "${z.name}": already defined by [${earlier.section}] at line ${earlier.line}`,
      );
      continue; // its topic clash would only repeat the same mistake
    } else {
      names.set(z.name, z);
    }
    // A disabled zone may share a topic with the one that replaces it; only running zones clash.
    if (!z.enabled) continue;
    const line = r?.lineOf('topic') ?? z.line;
    if (z.topic === systemTopic) {
      problems.error(z.section, 'topic', line, `topic "${z.topic}" is the system topic`);
    }
    const clash = topics.get(z.topic);
    if (clash) {
      problems.error(
        z.section,
        'topic',
        line,
        `duplicate topic "${z.topic}": already used by zone "${clash.name}" ([${clash.section}], line ${clash.line})`,
      );
    } else {
      topics.set(z.topic, z);
    }
  }
  if (!zones.some((z) => z.enabled)) {
    problems.warn('', undefined, undefined, 'no enabled zones: the supervisor will run with nothing to play');
  }
}

/** Every topic the supervisor subscribes or publishes to (protocol's topic names, spelled out here). */
function checkReplyPrefix(
  r: SectionReader,
  mqtt: MpvisorConfig['mqtt'],
  heartbeatTopic: string,
  systemTopic: string,
  zones: ZoneConfig[],
): void {
  const own = [
    heartbeatTopic,
    `${mqtt.base_topic}/${mqtt.device_name}/availability`,
    ...['command', 'commands', 'state', 'events', 'warnings', 'metrics'].map((t) => `${systemTopic}/${t}`),
    ...zones
      .filter((z) => z.enabled)
      .flatMap((z) => ['commands', 'state', 'events', 'warnings'].map((t) => `${z.topic}/${t}`)),
  ];
  const clashes = replyPrefixClashes(mqtt.reply_prefix, own);
  if (clashes.length > 0) {
    r.error(
      'reply_prefix',
      `"${mqtt.reply_prefix}" must not contain the supervisor's own topics (${clashes.slice(0, 3).join(', ')}): replies are published with its credentials`,
    );
  }
}

function build(text: string, opts: ParseOptions, problems: Problems): MpvisorConfig {
  const source = opts.sourceName ? path.resolve(opts.sourceName) : null;
  const baseDir = source ? path.dirname(source) : process.cwd();
  const doc = parseIni(text, problems, opts.env ?? process.env);

  const singles: Record<Single, IniSection[]> = { mqtt: [], global: [], system: [] };
  const zoneSections: { section: IniSection; kind: ZoneKind; name: string }[] = [];
  for (const s of doc.sections) {
    const c = classifySection(s);
    switch (c.role) {
      case 'mqtt':
      case 'system':
        singles[c.role].push(s);
        break;
      case 'global':
        singles.global.push(foldLegacyUpperKeys(s, 'global', problems));
        break;
      case 'zone':
        zoneSections.push({ section: foldLegacyUpperKeys(s, 'zone', problems), kind: c.kind, name: c.name });
        break;
      case 'skip':
        problems.warn(s.name, undefined, s.line, c.message);
        break;
      case 'invalid':
        problems.error(s.name, c.key, c.key ? (s.entries.get(c.key)?.line ?? s.line) : s.line, c.message);
        break;
      case 'toplevel':
        for (const e of s.entries.values()) problems.warn('', e.key, e.line, 'key outside any section, ignored');
        break;
      case 'broken':
        break;
    }
  }

  const reader = (kind: Single, name: string) =>
    new SectionReader(mergeRepeated(singles[kind], problems), name, problems);
  const mqttR = reader('mqtt', 'mqtt');
  const globalR = reader('global', 'global');
  const systemR = reader('system', 'system:main');

  const mqtt = readMqtt(mqttR, globalR, baseDir);
  const global = readGlobal(globalR, mqtt.base_topic, baseDir);
  const system = readSystem(systemR, mqtt.base_topic);

  const readers = new Map<ZoneConfig, SectionReader>();
  const zones = zoneSections.map(({ section, kind, name }) => {
    const r = new SectionReader(section, section.name, problems);
    const z = readZone(r, section, kind, name, { baseTopic: mqtt.base_topic, global, restart: system.restart });
    readers.set(z, r);
    return z;
  });
  crossCheck(zones, system.topic, readers, problems);
  checkReplyPrefix(mqttR, mqtt, global.heartbeat_topic, system.topic, zones);

  return { source, mqtt, global, system, zones, problems: [] };
}

export function parseConfigText(text: string, opts: ParseOptions = {}): ParseResult {
  const problems = new Problems();
  let config: MpvisorConfig | null = null;
  try {
    config = build(typeof text === 'string' ? text : String(text), opts, problems);
  } catch (e) {
    // A bug here must not crash `config check`; report it like any other problem.
    problems.error(
      '',
      undefined,
      undefined,
      `internal error while reading the configuration: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const all = problems.sorted();
  if (!config || problems.hasErrors) return { config: null, problems: all };
  const checked = mpvisorConfigSchema.safeParse({ ...config, problems: all.filter((p) => p.severity === 'warning') });
  if (checked.success) return { config: deepFreeze(checked.data), problems: all };
  // The reader and the schema disagree: a bug, reported like any other problem rather than thrown.
  const mismatch: ConfigProblem = {
    severity: 'error',
    section: '',
    message: `internal error: the configuration read does not match its schema: ${formatIssues(checked.error)}`,
  };
  return { config: null, problems: [...all, mismatch] };
}
