/*
 * A progress line on stderr for reads that take a while: stacks read of the total, and the time
 * elapsed. Nothing is shown for a read that ends within the first second, so quick commands and
 * their tests print nothing extra. On a terminal the line is redrawn in place; elsewhere (CI logs)
 * a new line is written every few seconds.
 */

export interface ProgressOptions {
  /** What is being read, e.g. the backend URL. */
  label: string;
  write?: (s: string) => void;
  isTTY?: boolean;
  /** Milliseconds before the first line (default 1000). */
  delayMs?: number;
  /** Milliseconds between lines when not on a terminal (default 5000). */
  everyMs?: number;
  now?: () => number;
}

/** What a reader reports as it goes; Progress draws it. */
export interface ProgressSink {
  total(n: number): void;
  tick(): void;
  finish(): void;
}

export class Progress implements ProgressSink {
  readonly #o: Required<ProgressOptions>;
  readonly #start: number;
  #total = 0;
  #done = 0;
  #shown = false;
  #lastLine = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: ProgressOptions) {
    this.#o = {
      write: (s) => void process.stderr.write(s),
      isTTY: process.stderr.isTTY === true,
      delayMs: 1000,
      everyMs: 5000,
      now: () => performance.now(),
      ...opts,
    };
    this.#start = this.#o.now();
    // A timer, not only the ticks: a slow first object must still show that the read is alive.
    this.#timer = setInterval(() => this.#maybeShow(), Math.min(this.#o.delayMs, this.#o.isTTY ? 200 : this.#o.everyMs));
    this.#timer.unref();
  }

  total(n: number): void {
    this.#total = n;
  }

  tick(): void {
    this.#done++;
    this.#maybeShow();
  }

  #line(): string {
    const s = ((this.#o.now() - this.#start) / 1000).toFixed(1);
    return `vendorgate: reading ${this.#o.label}: ${this.#done}/${this.#total} stacks, ${s} s`;
  }

  #maybeShow(): void {
    const now = this.#o.now();
    if (now - this.#start < this.#o.delayMs) return;
    if (this.#o.isTTY) {
      if (now - this.#lastLine < 100) return;
      this.#o.write(`\r${this.#line()}\u001b[K`);
    } else {
      if (this.#shown && now - this.#lastLine < this.#o.everyMs) return;
      this.#o.write(`${this.#line()}\n`);
    }
    this.#shown = true;
    this.#lastLine = now;
  }

  /** Ends the line; the final count is written when a line was shown at all. */
  finish(): void {
    clearInterval(this.#timer);
    if (!this.#shown) return;
    this.#o.write(this.#o.isTTY ? `\r${this.#line()}\u001b[K\n` : `${this.#line()}\n`);
  }
}
