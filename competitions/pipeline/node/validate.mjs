// Runs the Khronos glTF-Validator on one scene, serving external resources only from inside the bundle.
//
//   node validate.mjs SCENE ROOT [MAX_ISSUES]   prints the validator's JSON report on stdout
//   node validate.mjs --serve                    reads one JSON request per line on stdin,
//                                                {"scene": ..., "root": ..., "maxIssues": N},
//                                                and answers one JSON line per request: {"report": {...}}
//                                                or {"error": "..."}; one process validates many scenes.
//
// The validator never touches the network or the disk by itself: every external resource goes through
// `serveFromBundle`, which refuses URIs with a scheme, absolute paths and paths that resolve (after
// percent-decoding and following symlinks) outside the bundle root. A refused resource rejects the
// promise, so the validator reports it as an IO_ERROR in the report.
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import * as validator from "./node_modules/gltf-validator/module.mjs";

const DEFAULT_MAX_ISSUES = 1000;
const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;
const DRIVE = /^[a-zA-Z]:/;

function inside(root, target) {
  return target === root || target.startsWith(root + path.sep);
}

function serveFromBundle(sceneDir, rootReal) {
  return (uri) =>
    new Promise((resolve, reject) => {
      if (SCHEME.test(uri) || uri.startsWith("//")) {
        reject(`Refused to load '${uri}': only files inside the uploaded bundle can be read.`);
        return;
      }
      let decoded;
      try {
        decoded = decodeURIComponent(uri.split(/[?#]/)[0]).replace(/\\/g, "/");
      } catch {
        reject(`Refused to load '${uri}': it is not a valid percent-encoded path.`);
        return;
      }
      if (decoded.startsWith("/") || DRIVE.test(decoded) || decoded.includes("\0")) {
        reject(`Refused to load '${uri}': absolute paths are not allowed.`);
        return;
      }
      const wanted = path.resolve(sceneDir, decoded);
      if (!inside(rootReal, wanted)) {
        reject(`Refused to load '${uri}': it points outside the uploaded bundle.`);
        return;
      }
      let real;
      try {
        real = fs.realpathSync(wanted);
      } catch {
        reject(`Resource not found (${uri}).`);
        return;
      }
      if (!inside(rootReal, real) || !fs.statSync(real).isFile()) {
        reject(`Refused to load '${uri}': it points outside the uploaded bundle.`);
        return;
      }
      fs.readFile(real, (err, data) => {
        if (err) reject(`Resource cannot be read (${uri}).`);
        else resolve(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      });
    });
}

async function validate(scene, root, maxIssues) {
  const rootReal = fs.realpathSync(root);
  const sceneReal = fs.realpathSync(scene);
  if (!inside(rootReal, sceneReal)) {
    throw new Error(`The scene ${scene} is not inside the bundle root ${root}.`);
  }
  const data = fs.readFileSync(sceneReal);
  return validator.validateBytes(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), {
    uri: path.basename(scene),
    format: scene.toLowerCase().endsWith(".glb") ? "glb" : "gltf",
    maxIssues,
    writeTimestamp: false,
    externalResourceFunction: serveFromBundle(path.dirname(sceneReal), rootReal),
  });
}

function describe(error) {
  return error instanceof Error ? error.message : String(error);
}

async function serve() {
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let answer;
    try {
      const request = JSON.parse(line);
      const report = await validate(request.scene, request.root, request.maxIssues ?? DEFAULT_MAX_ISSUES);
      answer = { report };
    } catch (error) {
      answer = { error: describe(error) };
    }
    process.stdout.write(JSON.stringify(answer) + "\n");
  }
}

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === "--serve") {
    await serve();
    return;
  }
  if (args.length < 2) {
    process.stderr.write("usage: node validate.mjs SCENE ROOT [MAX_ISSUES] | node validate.mjs --serve\n");
    process.exit(2);
  }
  const maxIssues = args[2] === undefined ? DEFAULT_MAX_ISSUES : Number(args[2]);
  try {
    const report = await validate(args[0], args[1], maxIssues);
    process.stdout.write(JSON.stringify(report));
  } catch (error) {
    process.stderr.write(describe(error) + "\n");
    process.exit(1);
  }
}

main();
