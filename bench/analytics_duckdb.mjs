// analytics_duckdb.mjs — the DuckDB side of bench_analytics.sh: the same
// BACI-format file loaded into an in-memory DuckDB table, then the SQL
// equivalents of chokepoint's `dependency` (one importer × HS6 × year:
// supplier shares and HHI) and `chokepoints` (top supplier, share, HHI,
// value and supplier count of every importer × HS6 × year; the 100 groups
// with the most value from their top supplier).
//
//   node bench/analytics_duckdb.mjs FILE IMPORTER_BACI HS6 YEAR THREADS [DEP_REPEATS] [SCAN_REPEATS]
//
// Only the queries are timed (the load is reported apart).  Prints
//   duckdb: threads T rows R load_s L dependency_ms_median D chokepoints_s S groups G
import { performance } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';

const [file, imp, hs, year, threads = '2', depRep = '20', scanRep = '2'] = process.argv.slice(2);
if (!file || !imp || !hs || !year) {
  console.error('usage: node analytics_duckdb.mjs FILE IMPORTER_BACI HS6 YEAR THREADS [DEP_REPEATS] [SCAN_REPEATS]');
  process.exit(2);
}
const lit = "'" + file.replaceAll("'", "''") + "'";
const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const conn = await instance.connect();

let t0 = performance.now();
await conn.run(`CREATE TABLE baci AS SELECT * FROM read_csv(${lit}, header = true, delim = ',',
  columns = {'t': 'SMALLINT', 'i': 'SMALLINT', 'j': 'SMALLINT', 'k': 'INTEGER', 'v': 'DOUBLE', 'q': 'DOUBLE'})`);
const loadS = (performance.now() - t0) / 1000;
const rows = Number((await conn.runAndReadAll('SELECT count(*) FROM baci')).getRows()[0][0]);

// dependency: supplier shares, rank and HHI of one importer × product × year
const depSql = `WITH s AS (SELECT i, sum(v) AS v FROM baci
    WHERE j = ${Number(imp)} AND k = ${Number(hs)} AND t = ${Number(year)} GROUP BY i)
  SELECT i, v, v / sum(v) OVER () AS share, rank() OVER (ORDER BY v DESC) AS rank,
         10000 * sum(v * v) OVER () / (sum(v) OVER () * sum(v) OVER ()) AS hhi
  FROM s ORDER BY v DESC`;
const dep = [];
let depRows = 0;
for (let r = 0; r < Number(depRep); r++) {
  t0 = performance.now();
  const res = await conn.runAndReadAll(depSql);
  dep.push(performance.now() - t0);
  depRows = res.getRows().length;
}
dep.sort((a, b) => a - b);

// chokepoints: every importer × product × year
const scanSql = `WITH g AS (SELECT t, j, k, i, sum(v) AS v FROM baci GROUP BY t, j, k, i),
  s AS (SELECT t, j, k, sum(v) AS tot, max(v) AS mx, arg_max(i, v) AS top, count(*) AS n,
               sum(v * v) AS sq FROM g GROUP BY t, j, k)
  SELECT j, k, t, top, mx / tot AS top_share, 10000 * sq / (tot * tot) AS hhi, tot, n,
         mx AS score, (SELECT count(*) FROM s) AS groups
  FROM s ORDER BY mx DESC LIMIT 100`;
let best = Infinity;
let groups = 0;
for (let r = 0; r < Number(scanRep); r++) {
  t0 = performance.now();
  const res = await conn.runAndReadAll(scanSql);
  const dt = (performance.now() - t0) / 1000;
  if (dt < best) best = dt;
  groups = Number(res.getRows()[0][9]);
}
console.log(`duckdb: threads ${threads} rows ${rows} load_s ${loadS.toFixed(2)} ` +
  `dependency_ms_median ${dep[Math.floor(dep.length / 2)].toFixed(2)} dependency_rows ${depRows} ` +
  `chokepoints_s ${best.toFixed(3)} groups ${groups}`);
