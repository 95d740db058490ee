/** Randomness and the identifiers made from it. */
export const randomBytes = (n: number): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(n);
  // getRandomValues is limited to 65,536 bytes per call; KMS never asks for more than 1,024.
  crypto.getRandomValues(out);
  return out;
};

export const toHex = (b: Uint8Array): string =>
  Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export const fromHex = (hex: string): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
};

export const newKeyId = (): string => crypto.randomUUID();
export const newMultiRegionKeyId = (): string => `mrk-${toHex(randomBytes(16))}`;
export const newRequestId = (): string => crypto.randomUUID();
export const newHexId = (bytes = 32): string => toHex(randomBytes(bytes));
