// parquet.mjs: proves ctxframe's Parquet context is readable and writable
// without ctxframe, with DuckDB (@duckdb/node-api).
//
//   node parquet.mjs <dir with context.parquet> <output dir>
//
// It reads the golden file the Go adapter wrote: DuckDB reads its data and
// finds every piece of context in parquet_kv_metadata(). Then it writes two
// files of its own into the output dir for the Go test to read back:
// duckdb-context.parquet, with context under the ctxframe.* keys of
// docs/SPEC.md §5 (COPY ... KV_METADATA), and pandas-attrs.parquet, whose
// only context is PANDAS_ATTRS, as pandas writes df.attrs. It exits non-zero
// on the first mismatch.
import { join } from 'node:path';
import { deepStrictEqual, strictEqual } from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';

const [dir, out] = process.argv.slice(2);
if (!dir || !out) {
  console.error('usage: node parquet.mjs <golden dir> <output dir>');
  process.exit(2);
}

// What the Go test (ipcGoldenContext in adapters/arrow) stored for the frame.
const want = {
  frameID: 'weather/golden',
  frame: { rev: 3, tags: ['test', 'golden'], title: 'Weather golden' },
  columns: {
    pos: { crs: 'WGS84' },
    reading: { desc: 'reading number' },
    station: { desc: 'station code' },
    'temp °C': { precision: 0.25, unit: '°C' },
  },
  rows: [[0, { checked: true }], [4, { flag: 'outlier', score: 9.5 }]],
  cells: [[1, 'temp °C', { missing: 'sensor offline' }], [3, 'station', { renamed_from: 'D-4' }]],
};

const sql = (s) => s.replaceAll("'", "''");
const instance = await DuckDBInstance.create(':memory:');
const db = await instance.connect();
const rows = async (q) => (await db.runAndReadAll(q)).getRowObjectsJS();

// 1. The Go-written file: data and context.
const golden = join(dir, 'context.parquet');
const data = await rows(`SELECT station, "temp °C" AS t, reading FROM read_parquet('${sql(golden)}') ORDER BY reading`);
deepStrictEqual(data.map((r) => r.station), ['A1', 'B2', 'C3', 'D4', 'E5'], 'station column');
deepStrictEqual(data.map((r) => r.t), [21.5, null, -3.25, 0, 12.75], 'temperature column, null kept');
const kv = {};
for (const r of await rows(`SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata('${sql(golden)}')`)) {
  kv[r.k] = r.v;
}
strictEqual(kv['ctxframe.version'], '1', 'version');
strictEqual(JSON.parse(kv['ctxframe.frame_id']), want.frameID, 'frame ID');
deepStrictEqual(JSON.parse(kv['ctxframe.frame']), want.frame, 'frame context');
deepStrictEqual(JSON.parse(kv['ctxframe.columns']), want.columns, 'column context');
deepStrictEqual(JSON.parse(kv['ctxframe.rows']), want.rows, 'row context');
deepStrictEqual(JSON.parse(kv['ctxframe.cells']), want.cells, 'cell context');
deepStrictEqual(JSON.parse(kv.PANDAS_ATTRS), want.frame, 'PANDAS_ATTRS: the frame user fields');
strictEqual(kv.owner, 'etl team', 'user metadata kept');
console.log(`DuckDB read ${data.length} rows and ${Object.keys(kv).filter((k) => k.startsWith('ctxframe.')).length} ctxframe keys from ${golden}`);

// 2. A file DuckDB writes with context of its own, per SPEC §5.
const kvm = {
  'ctxframe.version': '1',
  'ctxframe.frame_id': JSON.stringify('from-duckdb'),
  'ctxframe.frame': JSON.stringify({ tool: 'duckdb', rev: 1 }),
  'ctxframe.columns': JSON.stringify({ temp_c: { unit: 'degC' }, station: { desc: 'WMO id' } }),
  'ctxframe.rows': JSON.stringify([[1, { checked: true }]]),
  'ctxframe.cells': JSON.stringify([[2, 'temp_c', { quality: 'outlier' }]]),
};
const kvSQL = (o) => `{${Object.entries(o).map(([k, v]) => `'${sql(k)}': '${sql(v)}'`).join(', ')}}`;
const table = `SELECT * FROM (VALUES ('OSL', -3.5), ('BER', 4.25), ('ZRH', NULL)) AS t(station, temp_c)`;
await db.run(`COPY (${table}) TO '${sql(join(out, 'duckdb-context.parquet'))}' (FORMAT parquet, KV_METADATA ${kvSQL(kvm)})`);

// 3. A file whose only context is PANDAS_ATTRS, as pandas writes df.attrs.
const attrs = { source: 'met.no', licence: 'CC BY 4.0', stations: 3 };
await db.run(`COPY (${table}) TO '${sql(join(out, 'pandas-attrs.parquet'))}' (FORMAT parquet, KV_METADATA ${kvSQL({ PANDAS_ATTRS: JSON.stringify(attrs) })})`);
console.log(`DuckDB wrote duckdb-context.parquet and pandas-attrs.parquet into ${out}`);
db.closeSync();
instance.closeSync();
