import { describe, expect, it } from '@jest/globals';
import { mpvEnvironment } from '../src/index.js';

describe('mpvEnvironment', () => {
  it('keeps what mpv and its audio and display libraries read, drops everything else', () => {
    const env = mpvEnvironment({
      PATH: '/usr/bin',
      HOME: '/home/show',
      LANG: 'C.UTF-8',
      LC_ALL: 'C',
      PULSE_SERVER: 'unix:/run/pulse',
      PULSE_PROP: 'application.id=mpvisor.lobby',
      PULSE_LATENCY_MSEC: '60',
      DISPLAY: ':0',
      XDG_RUNTIME_DIR: '/run/user/1000',
      MPVISOR_OWNER_RUN_DIR: '/run/mpvisor',
      MQTT_PASSWORD: 'secret',
      MPVISOR_WORKER_BOOTSTRAP: '{"token":"x"}',
      AWS_SECRET_ACCESS_KEY: 'k',
      NODE_OPTIONS: '--require=/tmp/x.js',
      LD_PRELOAD: '/tmp/x.so',
      UNSET: undefined,
    });
    expect(env).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/show',
      LANG: 'C.UTF-8',
      LC_ALL: 'C',
      PULSE_SERVER: 'unix:/run/pulse',
      PULSE_PROP: 'application.id=mpvisor.lobby',
      PULSE_LATENCY_MSEC: '60',
      DISPLAY: ':0',
      XDG_RUNTIME_DIR: '/run/user/1000',
      MPVISOR_OWNER_RUN_DIR: '/run/mpvisor',
    });
  });
});
