// Small long-lived buffers (neighbour addresses, cached headers) carved from shared slabs, as the
// kernel's kmem caches do: a Buffer of its own costs ~200 bytes of object and backing store
// around 6 bytes of MAC, which dominated the size of a neighbour entry.

const SLAB_SIZE = 64 * 1024;
let slab = Buffer.alloc(SLAB_SIZE);
let used = 0;

/** A zero-filled `len`-byte view that lives as long as the caller keeps it (8-byte aligned). */
export function slabAlloc(len: number): Buffer {
  if (len > SLAB_SIZE / 8) return Buffer.alloc(len);
  if (used + len > SLAB_SIZE) {
    slab = Buffer.alloc(SLAB_SIZE);
    used = 0;
  }
  const b = slab.subarray(used, used + len);
  used = (used + len + 7) & ~7;
  return b;
}

/** A shared zero-length buffer for fields that are filled in later. */
export const EMPTY_BUFFER: Buffer = Buffer.alloc(0);
