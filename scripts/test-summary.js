// Prints jest's totals as the one closing line CI reads: "tests: N passed, N failed[, N skipped]".
'use strict';
const fs = require('node:fs');
const file = process.argv[2];
let report;
try {
  report = JSON.parse(fs.readFileSync(file, 'utf8'));
} catch (err) {
  console.error(`test-summary: no jest report at ${file}: ${err.message}`);
  process.exit(1);
}
const failedSuites = report.numFailedTestSuites + (report.numRuntimeErrorTestSuites || 0);
const skipped = report.numPendingTests + report.numTodoTests;
if (failedSuites > 0) console.log(`test suites failed to run or failed: ${failedSuites}`);
console.log(`tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ''));
process.exit(report.success && report.numTotalTests > 0 ? 0 : 1);
