/**
 * Writes the .pb twin of every hand-written OTLP/JSON fixture under test/fixtures/otlp/, encoded with
 * our protobuf codec (src/otlp/protobuf.ts). Run with `npx tsx test/helpers/make-pb-fixtures.ts`.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeRequestProtobuf } from './otlp-protobuf.js';
import { listFixtures, readFixtureJson, toProtobufObject } from '../fixtures/otlp/fixtures.js';

for (const f of listFixtures()) {
  const bytes = encodeRequestProtobuf(f.signal, toProtobufObject(readFixtureJson(f)) as object);
  writeFileSync(f.pbPath, bytes);
  console.log(`${path.relative(process.cwd(), f.pbPath)}  ${bytes.length} bytes`);
}
