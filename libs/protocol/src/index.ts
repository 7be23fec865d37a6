// The device wire protocol (proto/comet/v1/comet.proto, DECISIONS D6), shared by comet-gateway and the
// client SDK: it depends on protobufjs only and uses no Node-only API.
export * from './generated';
export { COMET_V1_DESCRIPTOR } from './generated/comet.v1.descriptor';
export { bodyKind, createFrame, decodeFrame, encodeFrame, FRAME_BODY_KINDS, isFrameOf } from './codec';
export type { FrameBody, FrameBodyKind, FrameOf, FrameSizeOptions } from './codec';
export { DEFAULT_MAX_FRAME_BYTES, FrameReader, LENGTH_PREFIX_BYTES, concatBytes, lengthPrefixed } from './framing';
export { isProtocolError, ProtocolError } from './protocol.error';
export type { ProtocolErrorCode } from './protocol.error';
