#!/usr/bin/env node
import { main } from './main.js';

main(process.argv.slice(2), {
  in: process.stdin,
  out: process.stdout,
  err: process.stderr,
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Reached only by a bug: say so plainly, without a stack trace for the user.
    process.stderr.write(
      `axn: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
