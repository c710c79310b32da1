// Drives the real `weft lsp` as the extension would start it (`<weft.path> lsp` over
// stdio), through vscode-languageclient's own JSON-RPC layer (vscode-jsonrpc), with
// the initialize parameters VS Code sends: open documents with errors, get their
// diagnostics, fix one by an incremental edit, ask hover and completion, shut down.
// The server is $WEFT_BIN (tests/textmate.rs sets it), else the repository's
// target/debug/weft; without either the test says `skipped: ...`.
'use strict';

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { test } = require('node:test');
// The JSON-RPC layer vscode-languageclient itself uses, wherever npm put it.
const rpc = require(
  require.resolve('vscode-jsonrpc/node', { paths: [path.dirname(require.resolve('vscode-languageclient/package.json'))] })
);

const repo = path.join(__dirname, '..', '..', '..');
const weft = process.env.WEFT_BIN || path.join(repo, 'target', 'debug', process.platform === 'win32' ? 'weft.exe' : 'weft');

// The client capabilities vscode-languageclient 9 announces for the features
// `weft lsp` offers (a subset of its full list).
const capabilities = {
  general: {
    positionEncodings: ['utf-16'],
    regularExpressions: { engine: 'ECMAScript', version: 'ES2020' },
    markdown: { parser: 'marked', version: '1.1.0' },
    staleRequestSupport: { cancel: true, retryOnContentModified: [] },
  },
  workspace: {
    applyEdit: true,
    workspaceEdit: { documentChanges: true, resourceOperations: ['create', 'rename', 'delete'] },
    didChangeConfiguration: { dynamicRegistration: true },
    configuration: true,
    workspaceFolders: true,
  },
  textDocument: {
    synchronization: { dynamicRegistration: true, willSave: true, willSaveWaitUntil: true, didSave: true },
    publishDiagnostics: {
      relatedInformation: true,
      versionSupport: false,
      tagSupport: { valueSet: [1, 2] },
      codeDescriptionSupport: true,
      dataSupport: true,
    },
    hover: { dynamicRegistration: true, contentFormat: ['markdown', 'plaintext'] },
    completion: {
      dynamicRegistration: true,
      contextSupport: true,
      completionItem: {
        snippetSupport: true,
        commitCharactersSupport: true,
        documentationFormat: ['markdown', 'plaintext'],
        deprecatedSupport: true,
        preselectSupport: true,
        insertReplaceSupport: true,
        labelDetailsSupport: true,
        resolveSupport: { properties: ['documentation', 'detail', 'additionalTextEdits'] },
        insertTextModeSupport: { valueSet: [1, 2] },
      },
      insertTextMode: 2,
      completionItemKind: { valueSet: Array.from({ length: 25 }, (_, i) => i + 1) },
    },
    definition: { dynamicRegistration: true, linkSupport: true },
    documentSymbol: { dynamicRegistration: true, hierarchicalDocumentSymbolSupport: true, labelSupport: true },
    rename: { dynamicRegistration: true, prepareSupport: true, honorsChangeAnnotations: true },
  },
  window: { workDoneProgress: true, showMessage: { messageActionItem: { additionalPropertiesSupport: true } } },
};

// The source of the file on disk; JavaScript string offsets are UTF-16 code
// units, the positions VS Code uses.
const MAIN = [
  'import time',
  '',
  '// Says hello to someone.',
  'fn greet(name) { return "hi ${name}" }',
  '',
  'let smile = "😀😀" + greet(nope)',
  'await time.sleep(1)',
  '',
].join('\n');

function at(text, needle, offset = 0) {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  assert.ok(line >= 0, `${needle} not in the source`);
  return { line, character: lines[line].indexOf(needle) + offset };
}

const labels = (result) => (Array.isArray(result) ? result : result.items).map((i) => i.label);

test('weft lsp answers the extension over stdio', async (t) => {
  if (!fs.existsSync(weft)) {
    const reason = `skipped: ${weft} does not exist (run \`cargo build\` or set WEFT_BIN)`;
    console.error(reason);
    t.skip(reason);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weft-vsx-e2e-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'main.weft');
  fs.writeFileSync(file, MAIN);
  const uri = pathToFileURL(file).href;

  // As vscode-languageclient's TransportKind.stdio does.
  const child = spawn(weft, ['lsp'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const connection = rpc.createMessageConnection(
    new rpc.StreamMessageReader(child.stdout),
    new rpc.StreamMessageWriter(child.stdin)
  );

  // Diagnostics as they come, and waiters for the next ones of a document.
  const waiting = [];
  const unexpected = [];
  connection.onNotification('textDocument/publishDiagnostics', (p) => {
    const i = waiting.findIndex((w) => w.uri === p.uri);
    if (i >= 0) waiting.splice(i, 1)[0].resolve(p);
  });
  connection.onNotification((method, params) => unexpected.push({ method, params }));
  connection.onRequest((method) => {
    unexpected.push({ method });
    return null;
  });
  exited.then(({ code, signal }) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`weft lsp exited (${code ?? signal}):\n${stderr}`));
  });
  const diagnostics = (u) => new Promise((resolve, reject) => waiting.push({ uri: u, resolve, reject }));
  connection.listen();

  const init = await connection.sendRequest('initialize', {
    processId: process.pid,
    clientInfo: { name: 'Visual Studio Code', version: '1.82.0' },
    locale: 'en',
    rootPath: dir,
    rootUri: pathToFileURL(dir).href,
    capabilities,
    initializationOptions: undefined,
    trace: 'off',
    workspaceFolders: [{ uri: pathToFileURL(dir).href, name: path.basename(dir) }],
  });
  const caps = init.capabilities;
  assert.equal(init.serverInfo.name, 'weft');
  assert.equal(caps.positionEncoding, 'utf-16');
  const sync = caps.textDocumentSync;
  assert.equal(sync.openClose, true);
  assert.equal(sync.change, 2, 'incremental sync');
  assert.ok(caps.hoverProvider);
  assert.ok(caps.definitionProvider);
  assert.ok(caps.documentSymbolProvider);
  assert.deepEqual(caps.completionProvider.triggerCharacters, ['.']);
  assert.ok(caps.renameProvider);
  await connection.sendNotification('initialized', {});

  // An undefined name: one error, at the name (UTF-16 columns past the emoji).
  let published = diagnostics(uri);
  await connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'weft', version: 1, text: MAIN },
  });
  let p = await published;
  assert.equal(p.diagnostics.length, 1, JSON.stringify(p));
  const [d] = p.diagnostics;
  assert.equal(d.severity, 1);
  assert.equal(d.source, 'weft');
  assert.match(d.message, /nope/);
  assert.deepEqual(d.range.start, at(MAIN, 'nope'));
  assert.deepEqual(d.range.end, at(MAIN, 'nope', 4));

  // Hover on the call after the emoji: the signature and the doc comment, in markdown.
  const hover = await connection.sendRequest('textDocument/hover', {
    textDocument: { uri },
    position: at(MAIN, 'greet(nope)', 2),
  });
  assert.equal(hover.contents.kind, 'markdown');
  assert.ok(hover.contents.value.includes('fn greet(name)'), hover.contents.value);
  assert.ok(hover.contents.value.includes('Says hello to someone.'), hover.contents.value);

  // Completion: the members of a std module after `.`, names and keywords elsewhere.
  let completion = await connection.sendRequest('textDocument/completion', {
    textDocument: { uri },
    position: at(MAIN, 'sleep'),
    context: { triggerKind: 2, triggerCharacter: '.' },
  });
  assert.ok(labels(completion).includes('sleep'), JSON.stringify(labels(completion)));
  assert.ok(!labels(completion).includes('greet'));
  completion = await connection.sendRequest('textDocument/completion', {
    textDocument: { uri },
    position: at(MAIN, 'greet(nope)', 2),
    context: { triggerKind: 1 },
  });
  for (const name of ['greet', 'time', 'print', 'while']) {
    assert.ok(labels(completion).includes(name), `${name} in ${JSON.stringify(labels(completion))}`);
  }

  // Fixed by an incremental edit: no diagnostics for version 2.
  published = diagnostics(uri);
  const nope = at(MAIN, 'nope');
  await connection.sendNotification('textDocument/didChange', {
    textDocument: { uri, version: 2 },
    contentChanges: [{ range: { start: nope, end: at(MAIN, 'nope', 4) }, rangeLength: 4, text: '"you"' }],
  });
  p = await published;
  assert.deepEqual(p.diagnostics, []);
  assert.equal(p.version, 2);

  // A new unsaved file (the extension serves the `untitled` scheme too): a syntax error.
  const untitled = 'untitled:Untitled-1';
  published = diagnostics(untitled);
  await connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri: untitled, languageId: 'weft', version: 1, text: 'let xs = [1, 2\nprint(xs)\n' },
  });
  p = await published;
  assert.equal(p.diagnostics.length, 1, JSON.stringify(p));
  assert.equal(p.diagnostics[0].severity, 1);

  assert.equal(await connection.sendRequest('shutdown'), null);
  await connection.sendNotification('exit');
  assert.deepEqual(await exited, { code: 0, signal: null }, stderr);
  connection.dispose();
  assert.deepEqual(unexpected, []);
  assert.equal(stderr, '');
});
