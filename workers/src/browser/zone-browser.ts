import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { failed, success, warning, type HandlerResult, type PfxBrowserState } from '@mpvisor/protocol';
import type { Reporter } from '../reporter.js';
import { findChromium, killProfileProcesses, launchChromium } from './chromium.js';
import { fillScreen, hideWindow, showWindow, waitForWindow } from './x-window.js';

const WINDOW_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 2000;
const BACKOFF_FIRST_MS = 250;
const BACKOFF_MAX_MS = 10_000;
/** A Chromium that ran this long before dying starts its backoff from the beginning again. */
const STABLE_MS = 30_000;

export interface ZoneBrowserOptions {
  zone: string;
  display: string | undefined;
  runDir: string;
  reporter: Reporter;
  changed: () => void;
}

type Started = { ok: true } | { ok: false; reason: string };

/**
 * ParadoxFX's browser of a screen zone: a kiosk Chromium, a child of the worker like its mpv. Shown, it
 * covers the screen above mpv; hidden, its window is unmapped and mpv's picture shows. It is restarted
 * with backoff when it dies while enabled (unless setBrowserKeepAlive turned that off), reported to the
 * supervisor's ownership ledger, and killed with every helper process when disabled or the zone stops.
 */
export class ZoneBrowser {
  private proc: ChildProcess | null = null;
  private enabled = false;
  private url: string | null = null;
  private visible = false;
  private windowId: string | null = null;
  private keepAlive = true;
  private failures = 0;
  private startedAt = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private readonly profileDir: string;
  private readonly windowClass: string;

  constructor(private readonly o: ZoneBrowserOptions) {
    this.profileDir = path.join(o.runDir, `browser-${o.zone}`);
    this.windowClass = `mpvisor-${o.zone}`;
    // The worker exits at once when the supervisor goes away (stdin EOF): mpv follows through its socket,
    // Chromium would not. Synchronous, so it runs on every exit path.
    process.once('exit', () => killProfileProcesses(this.profileDir, 'SIGKILL'));
  }

  async enable(url: string): Promise<HandlerResult> {
    if (!this.o.display)
      return failed(
        'no_display',
        `no X display for zone ${this.o.zone}: set display = :0 in its section to run a browser`,
      );
    if (this.enabled && url === this.url) return success('browser already enabled', this.state());
    if (this.enabled) return this.setUrl(url);
    this.enabled = true;
    this.url = url;
    this.visible = false;
    const started = await this.start();
    return started.ok
      ? success(`browser enabled on ${url} (hidden until showBrowser)`, this.state())
      : this.startFailed(started.reason);
  }

  async disable(): Promise<HandlerResult> {
    if (!this.enabled) return success('browser already disabled', this.state());
    this.enabled = false;
    this.visible = false;
    await this.stopProcess();
    this.o.changed();
    return success('browser disabled', this.state());
  }

  async setUrl(url: string): Promise<HandlerResult> {
    this.url = url;
    if (!this.enabled) {
      this.o.changed();
      return success(`browser URL ${url} kept for enableBrowser`, this.state());
    }
    // Kiosk Chromium has no address bar to drive: a new URL is a new Chromium, visibility kept.
    await this.stopProcess();
    const started = await this.start();
    return started.ok ? success(`browser on ${url}`, this.state()) : this.startFailed(started.reason);
  }

  async show(): Promise<HandlerResult> {
    if (!this.enabled) return failed('browser_error', 'browser not enabled: send enableBrowser {url} first');
    this.visible = true;
    this.o.changed();
    if (!this.windowId || !this.o.display)
      return warning('browser is restarting: it is shown as soon as its window is back', this.state());
    return (await showWindow(this.o.display, this.windowId))
      ? success('browser shown', this.state())
      : failed('browser_error', `could not raise browser window ${this.windowId}`, this.state());
  }

  async hide(): Promise<HandlerResult> {
    this.visible = false;
    this.o.changed();
    if (!this.enabled) return success('browser not enabled: nothing to hide', this.state());
    if (!this.windowId || !this.o.display) return success('browser hidden (it is restarting)', this.state());
    return (await hideWindow(this.o.display, this.windowId))
      ? success('browser hidden', this.state())
      : failed('browser_error', `could not unmap browser window ${this.windowId}`, this.state());
  }

  setKeepAlive(on: boolean): HandlerResult {
    this.keepAlive = on;
    if (!on && this.restartTimer) {
      clearTimeout(this.restartTimer);
      this.restartTimer = null;
    }
    return success(`browser keep-alive ${on ? 'on' : 'off'}`, { keep_alive: on });
  }

  state(): PfxBrowserState {
    return {
      enabled: this.enabled,
      url: this.url,
      focused: this.enabled && this.visible && this.windowId !== null,
      process_id: this.proc?.pid ?? null,
      window_id: this.windowId,
    };
  }

  async close(): Promise<void> {
    this.enabled = false;
    await this.stopProcess();
  }

  private startFailed(reason: string): HandlerResult {
    return failed('browser_error', reason, this.state());
  }

  private async start(): Promise<Started> {
    const display = this.o.display!;
    const binary = findChromium();
    if (!binary) return { ok: false, reason: 'no chromium, chromium-browser or google-chrome on PATH' };
    killProfileProcesses(this.profileDir, 'SIGKILL');
    const proc = launchChromium({
      binary,
      url: this.url!,
      display,
      profileDir: this.profileDir,
      windowClass: this.windowClass,
    });
    this.proc = proc;
    this.windowId = null;
    this.startedAt = Date.now();
    proc.once('error', (err) => this.o.reporter.warn(`chromium could not start: ${err.message}`, { role: 'browser' }));
    proc.once('exit', (code, signal) => this.onExit(proc, code, signal));
    if (proc.pid)
      this.o.reporter.send({
        type: 'process',
        action: 'spawned',
        role: 'browser',
        instance: `${this.o.zone}/browser`,
        pid: proc.pid,
      });
    const live = () => this.proc === proc && proc.exitCode === null && proc.signalCode === null;
    const id = await waitForWindow(display, this.windowClass, WINDOW_TIMEOUT_MS, live);
    if (!id || !live()) {
      if (live()) await this.stopProcess();
      return { ok: false, reason: `chromium showed no window within ${WINDOW_TIMEOUT_MS} ms on ${display}` };
    }
    this.windowId = id;
    await fillScreen(display, id);
    if (this.visible) await showWindow(display, id);
    else await hideWindow(display, id);
    this.o.changed();
    return { ok: true };
  }

  private onExit(proc: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (proc.pid)
      this.o.reporter.send({
        type: 'process',
        action: 'exited',
        role: 'browser',
        instance: `${this.o.zone}/browser`,
        pid: proc.pid,
      });
    if (this.proc !== proc) return;
    this.proc = null;
    this.windowId = null;
    killProfileProcesses(this.profileDir, 'SIGKILL');
    this.o.changed();
    if (!this.enabled) return;
    if (!this.keepAlive) {
      this.o.reporter.warn(`chromium exited (${signal ?? `code ${code}`}); keep-alive is off, the browser stays down`, {
        role: 'browser',
      });
      return;
    }
    if (Date.now() - this.startedAt > STABLE_MS) this.failures = 0;
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.failures);
    this.failures++;
    this.o.reporter.warn(`chromium exited (${signal ?? `code ${code}`}); restarting it in ${delay} ms`, {
      role: 'browser',
    });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.enabled && !this.proc) {
        void this.start().then((r) => {
          if (!r.ok) this.o.reporter.warn(`browser restart failed: ${r.reason}`, { role: 'browser' });
        });
      }
    }, delay);
  }

  /** SIGTERM, then SIGKILL of every process with this zone's profile after a grace period. */
  private async stopProcess(): Promise<void> {
    if (this.restartTimer) {
      clearTimeout(this.restartTimer);
      this.restartTimer = null;
    }
    const proc = this.proc;
    this.proc = null;
    this.windowId = null;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, STOP_GRACE_MS))]);
    }
    killProfileProcesses(this.profileDir, 'SIGKILL');
  }
}
