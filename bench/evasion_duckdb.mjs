// evasion_duckdb.mjs — the DuckDB side of bench_evasion.sh: the same flows
// CSV (period,reporter,partner,flow,hs,value,qty,unit) loaded into an
// in-memory DuckDB table, then the SQL equivalents of
//   diversion CN-2024-46: per hub, the A→B and B→C legs of the controlled
//     codes and of every other product, before/after 2024-12, both sides
//     (exporter's and importer's reports) — the sums chokepoint starts from;
//   mirror 854231: every exporter→importer×month with both reports joined
//     (full outer join of X and M rows).
// Only the queries are timed (best of 3; the load is reported apart).
//
//   node bench/evasion_duckdb.mjs FILE THREADS
// Prints: rows R load_s L diversion_s D mirror_s M mirror_rows N
import { performance } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';

const [file, threads = '2'] = process.argv.slice(2);
if (!file) {
  console.error('usage: node evasion_duckdb.mjs FILE THREADS');
  process.exit(2);
}
const lit = "'" + file.replaceAll("'", "''") + "'";
const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const conn = await instance.connect();

let t0 = performance.now();
await conn.run(`CREATE TABLE f AS SELECT * FROM read_csv(${lit}, header = true, delim = ',',
  columns = {'period': 'VARCHAR', 'reporter': 'VARCHAR', 'partner': 'VARCHAR', 'flow': 'VARCHAR',
             'hs': 'VARCHAR', 'value': 'DOUBLE', 'qty': 'DOUBLE', 'unit': 'VARCHAR'},
  nullstr = ['', 'NA'])`);
const loadS = (performance.now() - t0) / 1000;
const rows = Number((await conn.runAndReadAll('SELECT count(*) FROM f')).getRows()[0][0]);

const P = "('811292','811299','282560','285000','285390','261710','811010','811020','811090','282580')";
const divSql = `
  WITH r AS (
    SELECT CASE WHEN flow = 'X' THEN reporter ELSE partner END AS e,
           CASE WHEN flow = 'X' THEN partner ELSE reporter END AS i,
           flow, hs IN ${P} AS ctl, period >= '2024-12' AS after, value
    FROM f WHERE period BETWEEN '2023-12' AND '2025-11')
  SELECT CASE WHEN e = 'CHN' THEN i ELSE e END AS hub, flow, ctl, after, sum(value) AS v
  FROM r WHERE (e = 'CHN' AND i <> 'USA') OR (i = 'USA' AND e <> 'CHN')
  GROUP BY ALL`;
const mirSql = `
  WITH x AS (SELECT reporter AS e, partner AS i, period, value AS xv FROM f
             WHERE hs = '854231' AND flow = 'X'),
       m AS (SELECT partner AS e, reporter AS i, period, value AS mv FROM f
             WHERE hs = '854231' AND flow = 'M')
  SELECT coalesce(x.e, m.e) AS e, coalesce(x.i, m.i) AS i, coalesce(x.period, m.period) AS p,
         xv, mv, ln(mv / xv) AS lg
  FROM x FULL OUTER JOIN m ON x.e = m.e AND x.i = m.i AND x.period = m.period`;

async function best(sql) {
  let b = Infinity, n = 0;
  for (let k = 0; k < 3; k++) {
    t0 = performance.now();
    const res = await conn.runAndReadAll(sql);
    b = Math.min(b, (performance.now() - t0) / 1000);
    n = res.getRows().length;
  }
  return [b, n];
}
const [divS] = await best(divSql);
const [mirS, mirN] = await best(mirSql);
console.log(`rows ${rows} load_s ${loadS.toFixed(2)} diversion_s ${divS.toFixed(3)} ` +
            `mirror_s ${mirS.toFixed(3)} mirror_rows ${mirN}`);
