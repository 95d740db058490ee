/** Share links: scenarios in the URL hash (see ./link.ts). */
export * from './link.ts';
