// Runs the journeys' steps (browser.mjs, console.mjs, ...) one after another in one node process
// with one Chromium, for a test process (tests/test_portal.py's node()): each step as
// `node SCRIPT ARGS...` runs it (the script evaluated afresh, its process.argv and its one JSON
// line on stdout as there), but without starting node, playwright-core and Chromium again each
// time (some 1.1 CPU-seconds and 0.9 s a step). Each step has contexts of its own (launch() in
// pages.mjs: the step's browser.close() closes them), so no cookie, cache or page outlives it.
// Reads one request a line on stdin, {"argv": [SCRIPT, ARGS...]}; writes one answer a line on
// stdout, {"code": 0 or 1, "stdout": what the step printed, "stderr": its errors}. Ends, closing
// Chromium, when stdin does.
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { endStep } from './pages.mjs';

globalThis.imvoSteps = true;              // launch() shares one Chromium
const write = process.stdout.write.bind(process.stdout);
// A promise a step let fail unawaited ends `node SCRIPT` with an error: here it fails the step
// that runs (or, after it, the next one) instead of the process.
let failed = '';
process.on('unhandledRejection', (e) => { failed += `unhandled rejection: ${e && e.stack || e}\n`; });
let n = 0;
for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (!line.trim())
    continue;
  const { argv } = JSON.parse(line);
  const answer = { code: 0, stdout: '', stderr: '' };
  const log = console.log, error = console.error, warn = console.warn;
  console.log = (...a) => { answer.stdout += format(...a) + '\n'; };
  console.error = console.warn = (...a) => { answer.stderr += format(...a) + '\n'; };
  process.argv = [process.argv[0], argv[0], ...argv.slice(1)];
  try {
    // A query of its own: the module is evaluated again (pages.mjs, which it imports, is not).
    await import(`${pathToFileURL(argv[0]).href}?step=${++n}`);
  } catch (e) {
    answer.code = 1;
    answer.stderr += `${e && e.stack || e}\n`;
  } finally {
    console.log = log;
    console.error = error;
    console.warn = warn;
    try {
      await endStep();
    } catch (e) {
      answer.code = 1;
      answer.stderr += `closing the step's contexts: ${e && e.stack || e}\n`;
    }
  }
  if (failed) {
    answer.code = 1;
    answer.stderr += failed;
    failed = '';
  }
  write(JSON.stringify(answer) + '\n');
}
await endStep(true);
