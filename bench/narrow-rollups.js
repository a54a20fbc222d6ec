// The narrow rollups (totals, one dimension per 15 minutes, one dimension per day) derived from the
// full rollups in SQL, as the store's own migrations derive them: the generating benchmarks write
// only the full rollups and call this once, instead of paying the store's per-record upkeep.
'use strict';
const { DIMENSION_COLUMNS, MEASURE_COLUMNS } = require('../collector-service/dist/storage/sqlite/rollup-columns');

const SUMS = MEASURE_COLUMNS.map((column) => `SUM(${column})`).join(', ');
const COLUMNS = DIMENSION_COLUMNS;

/** Fills rollup_totals, rollup_dims and rollup_dims_day of a freshly migrated store from its rollups table. */
function deriveNarrowRollups(db) {
  db.exec(`INSERT INTO rollup_totals SELECT tenant, bucket, ${SUMS} FROM rollups GROUP BY tenant, bucket`);
  for (const [dim, column] of Object.entries(COLUMNS))
    db.exec(`INSERT INTO rollup_dims SELECT tenant, '${dim}', bucket, ${column}, ${SUMS} FROM rollups GROUP BY tenant, bucket, ${column}`);
  // Only the dimensions': the value rollups (conversations, tag values) are written with their day rows.
  const dims = Object.keys(COLUMNS)
    .map((dim) => `'${dim}'`)
    .join(', ');
  db.exec(
    `INSERT INTO rollup_dims_day SELECT tenant, dim, bucket - (bucket % 86400000), value, ${SUMS} FROM rollup_dims WHERE dim IN (${dims}) GROUP BY tenant, dim, bucket - (bucket % 86400000), value`,
  );
}

module.exports = { deriveNarrowRollups, SUMS };
