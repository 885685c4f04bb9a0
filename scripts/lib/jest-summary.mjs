// One closing line for a test run made of several jest runs: `N passed, N failed, N skipped`, from their
// --json reports (a missing report counts as a failure: that run did not finish).
//   node scripts/lib/jest-summary.mjs unit.json integration.json
import { existsSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    failed++;
    continue;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests + r.numRuntimeErrorTestSuites;
  skipped += r.numPendingTests;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
