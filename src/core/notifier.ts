// Notifier chains (kernel/notifier.c): an ordered list of callbacks that one subsystem uses to
// tell others about events without importing them, e.g. netdev events reaching ARP.

export class NotifierChain<F extends (...args: never[]) => void> {
  private blocks: { fn: F; priority: number }[] = [];

  /** Higher priority runs first; equal priorities run in registration order. */
  register(fn: F, priority = 0): () => void {
    let i = this.blocks.length;
    while (i > 0 && this.blocks[i - 1].priority < priority) i--;
    this.blocks.splice(i, 0, { fn, priority });
    return () => this.unregister(fn);
  }

  unregister(fn: F): void {
    const i = this.blocks.findIndex((b) => b.fn === fn);
    if (i >= 0) this.blocks.splice(i, 1);
  }

  get size(): number {
    return this.blocks.length;
  }

  call(...args: Parameters<F>): void {
    // Iterate over a snapshot: a callback may unregister itself.
    for (const b of this.blocks.slice()) b.fn(...args);
  }
}
