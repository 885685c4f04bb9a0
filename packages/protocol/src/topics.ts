export interface ZoneTopics {
  commands: string;
  state: string;
  events: string;
  warnings: string;
}

export interface SystemTopics {
  command: string;
  commands: string;
  state: string;
  events: string;
  warnings: string;
  metrics: string;
}

const trim = (t: string) => t.replace(/\/+$/, '');

export const zoneTopics = (topic: string): ZoneTopics => {
  const t = trim(topic);
  return { commands: `${t}/commands`, state: `${t}/state`, events: `${t}/events`, warnings: `${t}/warnings` };
};

export const systemTopics = (topic: string): SystemTopics => {
  const t = trim(topic);
  return {
    command: `${t}/command`,
    commands: `${t}/commands`,
    state: `${t}/state`,
    events: `${t}/events`,
    warnings: `${t}/warnings`,
    metrics: `${t}/metrics`,
  };
};

export const availabilityTopic = (baseTopic: string, deviceName: string): string =>
  `${trim(baseTopic)}/${deviceName}/availability`;
