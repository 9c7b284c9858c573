#!/usr/bin/env node
// `lambda-iot` entry point: dispatch argv to the command table and exit with its code.
import { runCli } from './command';
import { allCommands } from './commands';
import { loadConfig } from './config';

runCli(
  allCommands(() => loadConfig()),
  process.argv.slice(2),
  {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(text.startsWith('\r') ? text : `${text}\n`),
    errIsTty: process.stderr.isTTY === true,
  },
).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
