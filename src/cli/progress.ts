/**
 * The training progress bar: cli-progress on stderr, only when stderr is a terminal (pipes and
 * --json runs stay clean). Shows the epoch, batches, the running train loss and samples per second.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  startEpoch(epoch: number, epochs: number, batches: number): void;
  update(batchesDone: number, runningLoss: number, samplesPerSecond: number): void;
  stop(): void;
}

const silent: Progress = { startEpoch() {}, update() {}, stop() {} };

/** A bar when `enabled` and stderr is a TTY; otherwise a no-op. */
export function createProgress(enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY) return silent;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'epoch {epoch}/{epochs} |{bar}| {value}/{total} batches | loss {loss} | {rate} samples/s',
      hideCursor: true,
      clearOnComplete: true,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    startEpoch(epoch, epochs, batches) {
      if (started) bar.stop();
      bar.start(batches, 0, { epoch, epochs, loss: '-', rate: '-' });
      started = true;
    },
    update(done, loss, rate) {
      bar.update(done, { loss: loss.toPrecision(4), rate: Math.round(rate).toString() });
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}

/** A counting bar (`label |bar| done/total`) on stderr when `enabled` and stderr is a TTY; a no-op otherwise. */
export function createCountProgress(enabled: boolean, label: string): { update(done: number, total: number): void; stop(): void } {
  if (!enabled || !process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: `${label} |{bar}| {value}/{total} grid points`, hideCursor: true, clearOnComplete: true, fps: 10 },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
