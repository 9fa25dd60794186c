// ingest_duckdb.mjs — the DuckDB side of bench_ingest.sh: load the same
// BACI-format file into a table, through @duckdb/node-api.
//
//   node bench/ingest_duckdb.mjs FILE THREADS [REPEATS]
//
// CREATE TABLE t AS SELECT * FROM read_csv(FILE, columns given) in an
// in-memory database (dropped between runs); the column types are given so
// DuckDB skips its sniffer (its best case).  Only the query is timed.  Prints
// the best of REPEATS (default 3), wall and CPU (user + system, all threads):
//   duckdb: ctas threads T rows R bytes B seconds S cpu_seconds C mb_per_s M rows_per_s N
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';

const [file, threads = '2', repeatsArg = '3'] = process.argv.slice(2);
if (!file) {
  console.error('usage: node ingest_duckdb.mjs FILE THREADS [REPEATS]');
  process.exit(2);
}
const repeats = Math.max(1, parseInt(repeatsArg, 10) || 1);
const bytes = statSync(file).size;
const lit = "'" + file.replaceAll("'", "''") + "'";
const src = `read_csv(${lit}, header = true, delim = ',', quote = '"',
  columns = {'t': 'SMALLINT', 'i': 'SMALLINT', 'j': 'SMALLINT', 'k': 'INTEGER',
             'v': 'DOUBLE', 'q': 'DOUBLE'}, nullstr = ['', 'NA'])`;
const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const conn = await instance.connect();
let best = Infinity;
let bestCpu = Infinity;
let rows = 0;
for (let r = 0; r < repeats; r++) {
  await conn.run('DROP TABLE IF EXISTS t');
  const c0 = process.cpuUsage(); // the whole process: DuckDB's threads included
  const t0 = performance.now();
  await conn.run(`CREATE TABLE t AS SELECT * FROM ${src}`);
  const dt = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  const res = await conn.runAndReadAll('SELECT count(*) FROM t');
  rows = Number(res.getRows()[0][0]);
  if (dt < best) best = dt;
  if (cpu < bestCpu) bestCpu = cpu;
}
console.log(`duckdb: ctas threads ${threads} rows ${rows} bytes ${bytes} ` +
  `seconds ${best.toFixed(3)} cpu_seconds ${bestCpu.toFixed(3)} ` +
  `mb_per_s ${(bytes / best / 1e6).toFixed(1)} rows_per_s ${(rows / best).toFixed(0)}`);
