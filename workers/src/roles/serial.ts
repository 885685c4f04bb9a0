/**
 * Runs a role's playback operations one at a time, in call order, so a command and the resume after an
 * mpv restart never interleave their mpv writes (a stop written before the resume's loadfile would
 * leave mpv playing while the zone reports it stopped). A failed task does not stop the ones behind it.
 */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
