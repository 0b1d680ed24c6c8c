// An EventEmitter whose listener methods know the emitter's events (no kernel counterpart), so
// `stack.on('neigh', (ev) => ...)` is typed on any @types/node, not only the generic one.
import { EventEmitter } from 'node:events';

/** EventEmitter's own events, which every emitter has. */
export interface EmitterMetaEvents {
  /** Before a listener is added. */
  newListener: [event: string | symbol, listener: (...args: any[]) => void];
  /** After a listener is removed. */
  removeListener: [event: string | symbol, listener: (...args: any[]) => void];
}

/** The events of an emitter with map `M`, EventEmitter's own included. */
export type Events<M> = M & EmitterMetaEvents;

/**
 * EventEmitter with `on`/`once`/`off`/`addListener`/`removeListener`/`prepend*Listener` narrowed
 * to the events in `M` (event name → listener arguments); a listener for any other name gets
 * `unknown` arguments.
 */
export class TypedEventEmitter<M extends Record<keyof M, unknown[]>> extends EventEmitter {
  /** Adds a listener for `event`. */
  override on<K extends keyof Events<M> & string>(event: K, listener: (...args: Events<M>[K]) => void): this;
  override on(event: string | symbol, listener: (...args: unknown[]) => void): this;
  override on(event: string | symbol, listener: (...args: any[]) => void): this {
    return super.on(event, listener);
  }

  /** Adds a listener that runs at most once. */
  override once<K extends keyof Events<M> & string>(event: K, listener: (...args: Events<M>[K]) => void): this;
  override once(event: string | symbol, listener: (...args: unknown[]) => void): this;
  override once(event: string | symbol, listener: (...args: any[]) => void): this {
    return super.once(event, listener);
  }

  /** Removes a listener. */
  override off<K extends keyof Events<M> & string>(event: K, listener: (...args: Events<M>[K]) => void): this;
  override off(event: string | symbol, listener: (...args: unknown[]) => void): this;
  override off(event: string | symbol, listener: (...args: any[]) => void): this {
    return super.off(event, listener);
  }

  /** Same as `on`. */
  override addListener<K extends keyof Events<M> & string>(event: K, listener: (...args: Events<M>[K]) => void): this;
  override addListener(event: string | symbol, listener: (...args: unknown[]) => void): this;
  override addListener(event: string | symbol, listener: (...args: any[]) => void): this {
    return super.addListener(event, listener);
  }

  /** Same as `off`. */
  override removeListener<K extends keyof Events<M> & string>(event: K, listener: (...args: Events<M>[K]) => void): this;
  override removeListener(event: string | symbol, listener: (...args: unknown[]) => void): this;
  override removeListener(event: string | symbol, listener: (...args: any[]) => void): this {
    return super.removeListener(event, listener);
  }

  /** Adds a listener before the existing ones. */
  override prependListener<K extends keyof Events<M> & string>(event: K, listener: (...args: Events<M>[K]) => void): this;
  override prependListener(event: string | symbol, listener: (...args: unknown[]) => void): this;
  override prependListener(event: string | symbol, listener: (...args: any[]) => void): this {
    return super.prependListener(event, listener);
  }

  /** Adds a once-listener before the existing ones. */
  override prependOnceListener<K extends keyof Events<M> & string>(event: K, listener: (...args: Events<M>[K]) => void): this;
  override prependOnceListener(event: string | symbol, listener: (...args: unknown[]) => void): this;
  override prependOnceListener(event: string | symbol, listener: (...args: any[]) => void): this {
    return super.prependOnceListener(event, listener);
  }
}
