import { z } from 'zod';

/**
 * The one catalog of `error_type` values a program can branch on. docs/mqtt-api.md lists the same
 * codes; a test keeps the two in step, so add a code here and there together.
 */
export const ERROR_TYPES = {
  payload_too_large: 'The payload is larger than the size limit and was not read.',
  invalid_json: 'The payload is not valid JSON.',
  not_an_object: 'The payload is JSON but not an object (array, string, number, null).',
  too_deep: 'The payload nests objects or arrays deeper than allowed.',
  missing_command: 'The payload has no `command` (or `Command`) string.',
  unknown_command: 'No command of that name exists on this topic.',
  invalid_id: 'The `id` is not a string of at most 64 characters.',
  invalid_argument: 'An argument has the wrong type, is out of range, or is missing.',
  path_outside_media: "A media path leaves the zone's media folder.",
  file_not_found: 'The media file does not exist or cannot be read.',
  unknown_zone: 'No enabled zone of that name exists.',
  not_supported: 'The zone type does not support that command.',
  zone_unavailable: 'The zone worker is not running (starting, restarting or failed).',
  media_error: 'mpv refused or failed to play the media.',
  no_display:
    'The screen zone has no display: no X display for the browser, neither an X nor a Wayland display for screen power.',
  display_power_failed:
    "No way of switching the screen's power worked (sleepScreen, wakeScreen, recoverScreens); the message names each one tried and its answer.",
  browser_error: 'The browser is not enabled, Chromium could not start, or its window could not be found or moved.',
  busy: 'Another operation of the same kind is running, or the zone has too many requests waiting; try again later.',
  limit_reached: 'A per-zone limit is reached (duck ids); release something first.',
  queue_full:
    'The speech or video queue was full: its oldest waiting item was dropped (or, with a queue max of 0, the item was not queued).',
  timeout: 'The command did not finish within its time limit.',
  not_implemented: 'The command is known but not implemented yet.',
  shutting_down: 'The supervisor is stopping and takes no new commands.',
  disabled: 'The command is disabled by configuration.',
  paused: 'The system is paused; the media command was accepted but will not be heard until resume.',
  config_error: 'The configuration is invalid.',
  internal: 'An unexpected error inside mpvisor; see the log.',
} as const;

export type ErrorType = keyof typeof ERROR_TYPES;

export const isErrorType = (value: string): value is ErrorType => Object.hasOwn(ERROR_TYPES, value);

/** An `error_type` read from outside (a worker's answer, an outcome): one of the catalog's codes. */
export const errorTypeSchema = z.custom<ErrorType>(
  (v) => typeof v === 'string' && isErrorType(v),
  'unknown error_type',
);

/** An error that knows which outcome and error_type it should become. */
export class CommandError extends Error {
  constructor(
    readonly errorType: ErrorType,
    message: string,
    readonly outcome: 'failed' | 'invalid' = 'failed',
  ) {
    super(message);
    this.name = 'CommandError';
  }
}
