// Decides what each INI section is. ParadoxFX files carry device types mpvisor does not drive
// (lights, relays, controllers) and free-form sections ([pi4_optimization], [logging], ...):
// those are skipped with one warning each, never an error, so a pfx.ini loads as it is.
import type { IniSection } from './ini-parse.js';
import { ZONE_KINDS, type ZoneKind } from '@mpvisor/protocol';
const NOT_DRIVEN = new Set(['light', 'light-group', 'light_group', 'relay', 'controller']);

export type SectionRole =
  | { role: 'mqtt' | 'global' | 'system' | 'toplevel' | 'broken' }
  | { role: 'zone'; kind: ZoneKind; name: string }
  | { role: 'skip'; message: string }
  | { role: 'invalid'; key?: string; message: string };

export function asZoneKind(v: string | undefined): ZoneKind | undefined {
  const lower = v?.trim().toLowerCase();
  return ZONE_KINDS.find((k) => k === lower);
}

function typeValue(s: IniSection, key: string): string | undefined {
  return s.entries.get(key)?.value;
}

export function classifySection(s: IniSection): SectionRole {
  if (s.broken) return { role: 'broken' };
  if (s.name === '') return { role: 'toplevel' };
  const lower = s.name.toLowerCase();
  if (lower === 'mqtt' || lower === 'global') return { role: lower };
  if (lower === 'system:main') return { role: 'system' };

  const colon = s.name.indexOf(':');
  if (colon < 0) {
    if (lower === 'system') {
      return { role: 'skip', message: 'section [system] is not read; the supervisor settings go in [system:main]' };
    }
    const oldType = (typeValue(s, 'device_type') ?? typeValue(s, 'type'))?.trim().toLowerCase();
    if (oldType !== undefined && NOT_DRIVEN.has(oldType)) {
      return { role: 'skip', message: `ParadoxFX ${oldType} devices are not driven by mpvisor; section skipped` };
    }
    const oldKind = asZoneKind(oldType);
    if (oldKind) {
      const id = typeValue(s, 'name') ?? s.name;
      return {
        role: 'skip',
        message: `old ParadoxFX section format without a colon, section skipped; to drive this zone write it as [${oldKind}:${id}]`,
      };
    }
    return { role: 'skip', message: `section [${s.name}] is not used by mpvisor, skipped` };
  }

  const prefix = s.name.slice(0, colon).trim().toLowerCase();
  const name = s.name.slice(colon + 1).trim();
  const kind = asZoneKind(prefix);
  if (kind) return { role: 'zone', kind, name };
  if (prefix === 'system') {
    return { role: 'skip', message: `only [system:main] is read; [${s.name}] skipped` };
  }
  if (NOT_DRIVEN.has(prefix)) {
    return { role: 'skip', message: `ParadoxFX ${prefix} devices are not driven by mpvisor; section skipped` };
  }
  const typed = asZoneKind(typeValue(s, 'type'));
  if (typed) {
    return {
      role: 'invalid',
      key: 'type',
      message: `"${prefix}" is not a zone section type although type = ${typed}; write the section as [${typed}:${name}]`,
    };
  }
  return {
    role: 'skip',
    message: `unknown section type "${prefix}" (zones are audio, screen, combined-audio); section skipped`,
  };
}
