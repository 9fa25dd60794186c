// duckdb_csv.mjs — the DuckDB side of bench_csv.sh: DuckDB's read_csv on the
// same file, through @duckdb/node-api (bench/package.json pins the version).
//
//   node bench/duckdb_csv.mjs FILE THREADS MODE [REPEATS]
//
// MODE count: SELECT count(*) and an aggregate over every column FROM
//             read_csv(...) — every column is parsed, nothing is stored;
// MODE ctas:  CREATE TABLE t AS SELECT * FROM read_csv(...) in an in-memory
//             database (dropped between runs).
// The columns and their types are given, so DuckDB skips its sniffer (its
// best case).  Only the query is timed, not Node's start-up.  Prints the best
// of REPEATS (default 3) as
//   duckdb: MODE threads T rows R bytes B seconds S mb_per_s M rows_per_s N
//           cpu_seconds C cpu_mb_per_s M
// (wall clock, and the process's CPU time — all threads, user + system).
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';

const [file, threads = '1', mode = 'count', repeatsArg = '3'] = process.argv.slice(2);
if (!file || !['count', 'ctas'].includes(mode)) {
  console.error('usage: node duckdb_csv.mjs FILE THREADS count|ctas [REPEATS]');
  process.exit(2);
}
const repeats = Math.max(1, parseInt(repeatsArg, 10) || 1);
const bytes = statSync(file).size;
const lit = "'" + file.replaceAll("'", "''") + "'";
const src = `read_csv(${lit}, header = true, delim = ',', quote = '"', escape = '"',
  columns = {'t': 'SMALLINT', 'i': 'SMALLINT', 'j': 'SMALLINT', 'k': 'VARCHAR',
             'v': 'DOUBLE', 'q': 'DOUBLE', 'name': 'VARCHAR', 'desc': 'VARCHAR'})`;
const countSql = `SELECT count(*) AS n, sum(t), sum(i), sum(j), max(k), sum(v), sum(q),
  sum(length(name)), sum(length("desc")) FROM ${src}`;

const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const conn = await instance.connect();
let best = Infinity;
let bestCpu = Infinity;
let rows = 0;
for (let r = 0; r < repeats; r++) {
  if (mode === 'ctas') await conn.run('DROP TABLE IF EXISTS t');
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  if (mode === 'count') {
    const res = await conn.runAndReadAll(countSql);
    rows = Number(res.getRows()[0][0]);
  } else {
    await conn.run(`CREATE TABLE t AS SELECT * FROM ${src}`);
  }
  const dt = (performance.now() - t0) / 1000;
  const cu = process.cpuUsage(c0);
  const dc = (cu.user + cu.system) / 1e6;
  if (mode === 'ctas') {
    const res = await conn.runAndReadAll('SELECT count(*) FROM t');
    rows = Number(res.getRows()[0][0]);
  }
  if (dt < best) best = dt;
  if (dc < bestCpu) bestCpu = dc;
}
console.log(`duckdb: ${mode} threads ${threads} rows ${rows} bytes ${bytes} ` +
  `seconds ${best.toFixed(3)} mb_per_s ${(bytes / best / 1e6).toFixed(1)} ` +
  `rows_per_s ${(rows / best).toFixed(0)} cpu_seconds ${bestCpu.toFixed(3)} ` +
  `cpu_mb_per_s ${(bytes / bestCpu / 1e6).toFixed(1)}`);
conn.closeSync?.();
