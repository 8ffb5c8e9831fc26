// check.mjs: proves ctxframe's Arrow IPC context is readable and writable
// without ctxframe, with apache-arrow for JavaScript.
//
//   node check.mjs <dir with context.arrows and context.arrow> <output file>
//
// It reads both golden files (written by the Go adapter) and checks the
// frame, column, row and cell context it finds and that user metadata is
// untouched, then writes an Arrow IPC file with context of its own that the
// Go test reads back. It exits non-zero on the first mismatch.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deepStrictEqual, strictEqual } from 'node:assert/strict';
import {
  Field, Float64, RecordBatch, Schema, Table, Utf8,
  tableFromIPC, tableToIPC, vectorFromArray,
} from 'apache-arrow';

const [dir, out] = process.argv.slice(2);
if (!dir || !out) {
  console.error('usage: node check.mjs <golden dir> <output file>');
  process.exit(2);
}

// What the Go test (ipcGoldenContext in adapters/arrow) stored for the frame.
const frameID = 'weather/golden';
const want = {
  frame: { rev: 3, tags: ['test', 'golden'], title: 'Weather golden' },
  columns: {
    station: { desc: 'station code' },
    'temp °C': { precision: 0.25, unit: '°C' },
    reading: { desc: 'reading number' },
    pos: { crs: 'WGS84' },
  },
  rows: [[0, { checked: true }], [4, { flag: 'outlier', score: 9.5 }]],
  cells: [[1, 'temp °C', { missing: 'sensor offline' }], [3, 'station', { renamed_from: 'D-4' }]],
};

function checkGolden(name) {
  const table = tableFromIPC(readFileSync(join(dir, name)));
  const md = table.schema.metadata;
  strictEqual(md.get('ctxframe.version'), '1', `${name}: version`);
  strictEqual(JSON.parse(md.get('ctxframe.frame_id')), frameID, `${name}: frame ID`);
  deepStrictEqual(JSON.parse(md.get('ctxframe.frame')), want.frame, `${name}: frame context`);
  deepStrictEqual(JSON.parse(md.get('ctxframe.rows')), want.rows, `${name}: row context`);
  deepStrictEqual(JSON.parse(md.get('ctxframe.cells')), want.cells, `${name}: cell context`);

  // User metadata, untouched, beside ours.
  strictEqual(md.get('owner'), 'etl team', `${name}: schema user metadata`);
  strictEqual(md.get('created_by'), 'ctxframe golden test', `${name}: schema user metadata`);
  for (const key of md.keys()) {
    if (!key.startsWith('ctxframe.') && key !== 'owner' && key !== 'created_by') {
      throw new Error(`${name}: unexpected schema key ${key}`);
    }
  }
  for (const field of table.schema.fields) {
    const col = field.metadata.get('ctxframe.column');
    deepStrictEqual(JSON.parse(col), want.columns[field.name], `${name}: context of column ${field.name}`);
  }
  const station = table.schema.fields.find((f) => f.name === 'station');
  strictEqual(station.metadata.get('source'), 'registry', `${name}: field user metadata`);
  const lat = table.schema.fields.find((f) => f.name === 'pos').type.children[0];
  strictEqual(lat.metadata.get('unit'), 'deg', `${name}: nested child metadata`);

  // Row positions are global across batches: row 4 is in the second batch.
  strictEqual(table.batches.length, 2, `${name}: batches`);
  strictEqual(table.numRows, 5, `${name}: rows`);
  strictEqual(table.get(4).station, 'E5', `${name}: row 4`);
  strictEqual(table.get(3).station, 'D4', `${name}: row 3`);
  strictEqual(table.get(1)['temp °C'], null, `${name}: row 1 temperature`);
  console.log(`${name}: frame, ${table.schema.fields.length} columns, ${want.rows.length} rows, ${want.cells.length} cells of context verified`);
}

checkGolden('context.arrows');
checkGolden('context.arrow');

// Write a file with context as the specification describes, for Go to read.
// Types are explicit: inferred string columns would be dictionary-encoded.
const data = new Table({
  city: vectorFromArray(['Oslo', 'Lima', 'Pune'], new Utf8()),
  temp: vectorFromArray([3.5, 18.25, 31], new Float64()),
});
const schema = new Schema(
  [
    new Field('city', new Utf8(), true, new Map([
      ['note', 'user metadata'],
      ['ctxframe.column', JSON.stringify({ desc: 'city name' })],
    ])),
    new Field('temp', new Float64(), true, new Map([
      ['ctxframe.column', JSON.stringify({ unit: 'C', offset: 0.5 })],
    ])),
  ],
  new Map([
    ['producer', 'apache-arrow js'],
    ['ctxframe.version', '1'],
    ['ctxframe.frame_id', JSON.stringify('node-frame')],
    ['ctxframe.frame', JSON.stringify({ made_by: 'apache-arrow js', n: 2 })],
    ['ctxframe.rows', JSON.stringify([[2, { hot: true }]])],
    ['ctxframe.cells', JSON.stringify([[0, 'city', { note: 'capital ✓' }]])],
  ]),
);
const table = new Table(schema, data.batches.map((b) => new RecordBatch(schema, b.data)));
writeFileSync(out, tableToIPC(table, 'file'));
console.log(`wrote ${out}: ${table.numRows} rows with context`);
