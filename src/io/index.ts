/**
 * descent/io: the safetensors format, pure bytes in and out, so it runs in browsers too.
 * File access (atomicWrite, readers) stays in Node-only modules beside it and is not re-exported here.
 */
export { parseSafetensors, parseSafetensorsWithMetadata, serializeSafetensors } from './safetensors.js';
export type { SafetensorsDType, SafetensorsEntry, SafetensorsInput } from './safetensors.js';
