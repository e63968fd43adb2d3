// Compiles contracts/*.sol with solcjs (the npm `solc` package, pinned in package-lock.json)
// through the standard JSON interface and writes build/contracts.json: per contract its ABI,
// creation bytecode and method selectors. The output records a digest of its inputs (sources,
// settings, compiler version) and is rewritten only when that digest changes, so a test run
// pays for the compiler once.
"use strict";

const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const solc = require("solc");

const HERE = __dirname;
const CONTRACTS = path.join(HERE, "contracts");
const OUT = path.join(HERE, "build", "contracts.json");
// The EVM the contracts are compiled for; ganache is started with the same hardfork (tests/ethnode.py).
const EVM_VERSION = "shanghai";

function main() {
  const sources = {};
  for (const name of fs.readdirSync(CONTRACTS).filter((n) => n.endsWith(".sol")).sort()) {
    sources[name] = { content: fs.readFileSync(path.join(CONTRACTS, name), "utf8") };
  }
  const input = {
    language: "Solidity",
    sources,
    settings: {
      evmVersion: EVM_VERSION,
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.methodIdentifiers"] } },
    },
  };
  const digest = crypto.createHash("sha256")
    .update(solc.version()).update(JSON.stringify(input)).digest("hex");
  if (fs.existsSync(OUT)) {
    try {
      if (JSON.parse(fs.readFileSync(OUT, "utf8")).inputDigest === digest) return;
    } catch (e) {
      // unreadable output: compile again
    }
  }
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (output.errors || []).filter((e) => e.severity === "error");
  for (const e of output.errors || []) process.stderr.write(e.formattedMessage + "\n");
  if (errors.length > 0) process.exit(1);
  const contracts = {};
  for (const file of Object.keys(output.contracts).sort()) {
    for (const [name, c] of Object.entries(output.contracts[file])) {
      if (!c.evm.bytecode.object) continue; // interfaces have no code
      contracts[name] = {
        abi: c.abi,
        bytecode: "0x" + c.evm.bytecode.object,
        methods: c.evm.methodIdentifiers,
      };
    }
  }
  const result = { compiler: solc.version(), evmVersion: EVM_VERSION, inputDigest: digest, contracts };
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  const tmp = OUT + ".tmp";
  fs.writeFileSync(tmp, JSON.stringify(result, null, 2) + "\n");
  fs.renameSync(tmp, OUT);
}

main();
