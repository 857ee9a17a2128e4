/**
 * @module otlp/types: the codec table's keys, the signal and the encoding of a request. The decoded
 * request shapes the normalisers take are normalise/otlp-types.ts.
 */

export type Signal = 'traces' | 'logs' | 'metrics';
export type Encoding = 'protobuf' | 'json';
