// The Weft extension's entry point: runs `weft lsp` (the executable named by the
// `weft.path` setting) as the language server of every Weft document, over stdio.
'use strict';

const fs = require('fs');
const path = require('path');
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;

// The absolute path of `command` (a path, or a name looked up on PATH), or undefined.
function findExecutable(command) {
  const exts = process.platform === 'win32'
    ? (process.env.PATHEXT || '.EXE;.CMD;.BAT').split(';').concat([''])
    : [''];
  const isFile = (p) => {
    try {
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (command.includes('/') || command.includes(path.sep)) {
    const found = exts.map((e) => command + e).find(isFile);
    return found && path.resolve(found);
  }
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const found = exts.map((e) => path.join(dir, command + e)).find(isFile);
    if (found) return found;
  }
  return undefined;
}

async function startClient() {
  const command = vscode.workspace.getConfiguration('weft').get('path') || 'weft';
  const executable = findExecutable(command);
  if (!executable) {
    const choice = await vscode.window.showErrorMessage(
      `Weft: cannot find the weft executable "${command}", so the language server ` +
        '(diagnostics, go-to-definition, hover, completion) is off. Install weft and put it ' +
        'on PATH, or set "weft.path" to its full path.',
      'Open Settings'
    );
    if (choice === 'Open Settings') {
      vscode.commands.executeCommand('workbench.action.openSettings', 'weft.path');
    }
    return;
  }
  const run = { command: executable, args: ['lsp'], transport: TransportKind.stdio };
  // The client id `weft` makes the `weft.trace.server` setting trace its messages.
  client = new LanguageClient(
    'weft',
    'Weft',
    { run, debug: run },
    { documentSelector: [{ language: 'weft' }] }
  );
  try {
    await client.start();
  } catch (err) {
    client = undefined;
    vscode.window.showErrorMessage(`Weft: "${executable} lsp" failed to start: ${err.message || err}`);
  }
}

async function stopClient() {
  const old = client;
  client = undefined;
  if (old) await old.stop();
}

async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('weft.restartServer', async () => {
      await stopClient();
      await startClient();
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration('weft.path')) {
        await stopClient();
        await startClient();
      }
    })
  );
  await startClient();
}

function deactivate() {
  return stopClient();
}

module.exports = { activate, deactivate };
