#!/usr/bin/env node
// The `lambdalint` command of the npm package: runs the native binary that npm installed with the
// platform package `@lambdalint/cli-<platform>-<arch>` (an optional dependency; npm installs only
// the one whose `os`/`cpu` match this machine). No download at install time.
// LAMBDALINT_BINARY=/path/to/lambdalint runs that binary instead.
"use strict";

const { spawnSync } = require("child_process");

function fail(message) {
  process.stderr.write(`lambdalint: ${message}\n`);
  // 2: lambdalint's exit code for a usage or input error (1 means findings).
  process.exit(2);
}

function binaryPath() {
  if (process.env.LAMBDALINT_BINARY) {
    return process.env.LAMBDALINT_BINARY;
  }
  const target = `${process.platform}-${process.arch}`;
  const name = `@lambdalint/cli-${target}`;
  const known = Object.keys(require("../package.json").optionalDependencies || {});
  if (!known.includes(name)) {
    const targets = known.map((n) => n.replace("@lambdalint/cli-", "")).join(", ");
    fail(
      `no prebuilt binary for ${target} (there are: ${targets}).\n` +
        "Build it from source instead (needs Rust):\n" +
        "  cargo install --locked --git https://github.com/lambdalint/lambdalint lambdalint"
    );
  }
  const exe = process.platform === "win32" ? "lambdalint.exe" : "lambdalint";
  try {
    return require.resolve(`${name}/${exe}`);
  } catch (e) {
    return fail(
      `the package ${name}, which holds the binary for this machine, is not installed.\n` +
        "npm leaves optional dependencies out with --omit=optional (or --no-optional), and a\n" +
        "lockfile made on another platform may not list it: install again without those."
    );
  }
}

const result = spawnSync(binaryPath(), process.argv.slice(2), {
  stdio: "inherit",
  windowsHide: true,
});
if (result.error) {
  fail(`could not run ${result.error.path || "the binary"}: ${result.error.message}`);
}
if (result.signal) {
  // Die of the same signal, as a shell expects of the command it ran.
  process.kill(process.pid, result.signal);
}
process.exit(result.status === null ? 2 : result.status);
