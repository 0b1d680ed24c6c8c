// The protocol-neutral neighbour subsystem (net/core/neighbour.c): public surface.
export * from './nud.js';
export * from './parms.js';
export * from './neighbour.js';
export * from './pneigh.js';
export * from './table.js';
