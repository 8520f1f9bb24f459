#!/usr/bin/env node
// Assembles the npm platform package `@lambdalint/cli-<platform>-<arch>` from a built binary:
//
//   node npm/scripts/platform-package.js --binary target/release/lambdalint [--target linux-x64] [--out DIR]
//
// The target defaults to this machine (`process.platform`-`process.arch`, the names npm's `os` and
// `cpu` fields use) and must be one of the optionalDependencies of npm/lambdalint/package.json; the
// version is that package's. The folder (default npm/dist/cli-<target>) is then ready for
// `npm pack` / `npm publish`. When the binary can run here it must say it is that version.
"use strict";

const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");

function die(message) {
  process.stderr.write(`platform-package: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i];
    const value = argv[i + 1];
    if (!["--binary", "--target", "--out"].includes(key) || value === undefined) {
      die(`usage: platform-package.js --binary FILE [--target PLATFORM-ARCH] [--out DIR] (got ${key})`);
    }
    args[key.slice(2)] = value;
  }
  if (!args.binary) die("--binary FILE is required");
  return args;
}

const args = parseArgs(process.argv.slice(2));
const main = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "lambdalint", "package.json"), "utf8"));
const target = args.target || `${process.platform}-${process.arch}`;
const name = `@lambdalint/cli-${target}`;
if (!Object.keys(main.optionalDependencies || {}).includes(name)) {
  die(`${name} is not an optional dependency of npm/lambdalint/package.json`);
}
if (main.optionalDependencies[name] !== main.version) {
  die(`npm/lambdalint/package.json: ${name} is at ${main.optionalDependencies[name]}, the package at ${main.version}`);
}
const dash = target.indexOf("-");
const os = target.slice(0, dash);
const cpu = target.slice(dash + 1);
const exe = os === "win32" ? "lambdalint.exe" : "lambdalint";

if (!fs.statSync(args.binary, { throwIfNoEntry: false })?.isFile()) {
  die(`${args.binary} is not a file`);
}
if (target === `${process.platform}-${process.arch}`) {
  const run = spawnSync(args.binary, ["--version"], { encoding: "utf8" });
  const said = (run.stdout || "").trim();
  if (said !== `lambdalint ${main.version}`) {
    die(`${args.binary} --version says "${said}" (${run.error || `exit ${run.status}`}), expected "lambdalint ${main.version}"`);
  }
}

const out = path.resolve(args.out || path.join(__dirname, "..", "dist", `cli-${target}`));
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
fs.copyFileSync(args.binary, path.join(out, exe));
fs.chmodSync(path.join(out, exe), 0o755);

const pkg = {
  name,
  version: main.version,
  description: `The ${target} binary of lambdalint (installed by the lambdalint package)`,
  homepage: main.homepage,
  bugs: main.bugs,
  repository: main.repository,
  os: [os],
  cpu: [cpu],
  files: [exe],
  preferUnplugged: true,
  publishConfig: { access: "public" },
};
fs.writeFileSync(path.join(out, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
fs.writeFileSync(
  path.join(out, "README.md"),
  `# ${name}\n\nThe \`${target}\` binary of [lambdalint](${main.homepage}). Install \`lambdalint\`, ` +
    "which depends on this package on this platform, rather than this package itself:\n\n" +
    "```sh\nnpm install --save-dev lambdalint\nnpx lambdalint check .\n```\n"
);
process.stdout.write(`${out}\n`);
