/** `unconnected_cause` values of the receipts: why a call was not put through to anyone. */
export const UNCONNECTED = { normal: 0, blacklist: 1, noBinding: 2, restricted: 3, other: 4 } as const;
