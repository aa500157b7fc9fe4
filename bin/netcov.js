#!/usr/bin/env node
// Entry point of the installed `netcov` command: runs the compiled CLI (npm run build).
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv.slice(2));
