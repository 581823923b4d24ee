// ODK's own form engine (@getodk/xforms-engine, the engine of ODK Web Forms) on many forms in one process,
// for the side-by-side conformance suite (tests/conformance). Same engine calls as ../shared/tools/odk-oracle/
// run.mjs, plus: form attachments read from a folder (CSV, XML, GeoJSON), a missing one loads blank (as ours
// does), and one compact state line per dump.
//
//   node oracle_batch.mjs ORACLE_DIR JOBS.json > RESULTS.jsonl
//
// ORACLE_DIR: a copy of odk-oracle with its node_modules installed. JOBS: [{id, form, media, ops}]; ops as in
// run.mjs: ["set", ref, text], ["add", repeatRef], ["remove", repeatRef, index0], ["dump", label], and
// ["count", repeatRef] (our engine applies jr:count there; this engine keeps counted repeats live: no-op).
// Output lines: {id, error} | {id, op, error} | {id, label, nodes: [[ref, type, relevant, required, value,
// constraintValid], ...]} | {id, done: true}.
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const oracleDir = resolve(process.argv[2]);
const jobsFile = process.argv[3];
const require = createRequire(join(oracleDir, 'package.json'));
const { JSDOM } = require('jsdom');
const w = new JSDOM('<!DOCTYPE html><html><head></head><body></body></html>').window;
for (const k of ['document', 'DOMParser', 'XMLSerializer', 'Node', 'Element', 'Document', 'XMLDocument', 'Attr',
                 'Text', 'NodeFilter', 'XPathResult', 'HTMLElement']) if (!(k in globalThis)) globalThis[k] = w[k];
globalThis.__dirname = oracleDir;
const engine = await import(pathToFileURL(require.resolve('@getodk/xforms-engine')).href);

const out = (o) => process.stdout.write(JSON.stringify(o, (k, v) => typeof v === 'bigint' ? String(v) : v) + '\n');

function find(node, ref) {
  if (node.currentState.reference === ref) return node;
  for (const c of node.currentState.children ?? []) {
    const r = c.currentState.reference;
    if (ref === r || ref.startsWith(r + '/') || ref.startsWith(r + '[')) { const f = find(c, ref); if (f) return f; }
  }
  return null;
}

function text(node) {
  const s = node.currentState;
  if (node.nodeType === 'trigger') return s.value ? 'OK' : '';
  if ('instanceValue' in s && typeof s.instanceValue === 'string') return s.instanceValue;
  const v = s.value;
  if (v === null || v === undefined) return null;
  return typeof v === 'object' ? String(v) : String(v);
}

function dump(node, acc) {
  const s = node.currentState;
  const vs = node.validationState;
  acc.push([s.reference, node.nodeType, s.relevant, s.required, s.children ? null : text(node),
            vs?.constraint?.valid ?? null]);
  for (const c of s.children ?? []) dump(c, acc);
  return acc;
}

function attachments(media) {
  return async (url) => {
    const name = decodeURIComponent(String(url.href ?? url).split('/').pop());
    const path = media ? join(media, basename(name)) : null;
    if (!path || !existsSync(path)) return new Response('', { status: 404 });
    return new Response(readFileSync(path), { status: 200 });
  };
}

function apply(root, op) {
  const n = find(root, op[1]);
  if (!n) return 'no node';
  if (op[0] === 'set') {
    const v = op[2];
    if (n.nodeType === 'trigger') n.setValue(v === 'OK');
    else if (n.nodeType === 'rank') n.setValues(v ? v.split(' ') : []);
    else if (n.nodeType === 'select') {
      if (n.selectType === 'select') n.selectValues(v ? v.split(' ') : []); else n.selectValue(v || null);
    } else if (typeof n.setValue === 'function') n.setValue(v);
    else return 'cannot set ' + n.nodeType;
  } else if (op[0] === 'add') {
    n.addInstances(n.currentState.children.length - 1, 1);
  } else if (op[0] === 'remove') {
    n.removeInstances(op[2], 1);
  }
  return null;
}

const jobs = JSON.parse(readFileSync(jobsFile, 'utf8'));
for (const job of jobs) {
  let form;
  try {
    form = await engine.loadForm(readFileSync(job.form, 'utf8'), {
      fetchFormAttachment: attachments(job.media), missingResourceBehavior: "BLANK",
    });
  } catch (e) { out({ id: job.id, error: String(e?.message ?? e).slice(0, 500) }); continue; }
  if (form.status === 'failure') { out({ id: job.id, error: String(form.error?.message).slice(0, 500) }); continue; }
  let root;
  try {
    root = form.createInstance({ preloadProperties: { deviceID: 'conformance:0000', username: 'conformance' } }).root;
  } catch (e) { out({ id: job.id, error: String(e?.message ?? e).slice(0, 500) }); continue; }
  for (const op of job.ops) {
    try {
      if (op[0] === 'dump') { out({ id: job.id, label: op[1], nodes: dump(root, []) }); continue; }
      if (op[0] === 'count') continue;
      const err = apply(root, op);
      if (err) out({ id: job.id, op, error: err });
    } catch (e) { out({ id: job.id, op, error: String(e?.message ?? e).slice(0, 300) }); }
  }
  out({ id: job.id, done: true });
}
