/**
 * @module test/helpers/raw-grpc: unary gRPC calls written by hand on node:http2 (headers, length-prefixed
 * messages, end of stream), for what a gRPC client library would not send: odd flags, a message left
 * half-written, a trickle.
 */
import http2 from 'node:http2';
import protobuf from 'protobufjs';

export interface RawGrpcAnswer {
  status: number;
  message: string;
  /** The response's grpc-accept-encoding header. */
  accept?: string;
  /** grpc-status-details-bin, decoded from base64, when sent. */
  details?: Buffer;
}

/** One gRPC message: Compressed-Flag, 4-byte length, payload. */
export function grpcFrame(flag: number, payload: Buffer, declaredLength = payload.length): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt8(flag, 0);
  prefix.writeUInt32BE(declaredLength, 1);
  return Buffer.concat([prefix, payload]);
}

/**
 * Opens one call on its own connection; the caller writes (and ends) `stream`. `answer` resolves with
 * the status the server sent (trailers, or trailers-only headers), NaN if the stream closed without one.
 */
export function openRawGrpcCall(address: string, path: string, headers: Record<string, string> = {}): { stream: http2.ClientHttp2Stream; answer: Promise<RawGrpcAnswer>; close(): void } {
  const session = http2.connect(`http://${address}`);
  const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...headers });
  const answer = new Promise<RawGrpcAnswer>((resolve, reject) => {
    session.on('error', reject);
    let head: http2.IncomingHttpHeaders = {};
    stream.on('response', (h) => { head = h; });
    const finish = (t: http2.IncomingHttpHeaders) => {
      session.close();
      const details = t['grpc-status-details-bin'];
      resolve({
        status: Number(t['grpc-status']), message: decodeURIComponent(String(t['grpc-message'] ?? '')),
        accept: head['grpc-accept-encoding'] as string | undefined,
        ...(typeof details === 'string' ? { details: Buffer.from(details, 'base64') } : {}),
      });
    };
    stream.on('trailers', finish);
    stream.on('end', () => { if (head['grpc-status'] !== undefined) finish(head); });
    stream.on('close', () => finish(head));
    stream.on('data', () => { /* the response message */ });
    stream.on('error', () => { /* a reset stream resolves through close */ });
  });
  return { stream, answer, close: () => session.destroy() };
}

/** One whole unary call: headers, one message with the given Compressed-Flag, end of stream. */
export function rawGrpcCall(address: string, path: string, headers: Record<string, string>, flag: number, payload: Buffer): Promise<RawGrpcAnswer> {
  const call = openRawGrpcCall(address, path, headers);
  call.stream.end(grpcFrame(flag, payload));
  return call.answer;
}

/** google.rpc.Status with its Any details and google.rpc.RetryInfo, declared here from the field numbers (independent of grpc.ts' writer). */
const rpcTypes = protobuf.Root.fromJSON({
  nested: {
    Duration: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
    Any: { fields: { typeUrl: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
    Status: { fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 }, details: { rule: 'repeated', type: 'Any', id: 3 } } },
    RetryInfo: { fields: { retryDelay: { type: 'Duration', id: 1 } } },
  },
});

/** A grpc-status-details-bin value: the Status's code and message, and the delays (seconds) of its RetryInfo details. */
export function decodeStatusDetails(bin: Buffer): { code: number; message: string; delays: number[] } {
  const status = rpcTypes.lookupType('Status').toObject(rpcTypes.lookupType('Status').decode(bin), { longs: Number, defaults: true });
  const delays = (status.details as { typeUrl: string; value: Uint8Array }[])
    .filter((d) => d.typeUrl === 'type.googleapis.com/google.rpc.RetryInfo')
    .map((d) => {
      const ri = rpcTypes.lookupType('RetryInfo').toObject(rpcTypes.lookupType('RetryInfo').decode(d.value), { longs: Number, defaults: true });
      return Number(ri.retryDelay?.seconds ?? 0) + Number(ri.retryDelay?.nanos ?? 0) / 1e9;
    });
  return { code: status.code as number, message: status.message as string, delays };
}
