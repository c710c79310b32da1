// The Weft extension's entry point: runs `weft lsp` (the executable named by the
// `weft.path` setting) as the language server of every Weft document, over stdio.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;

// Starts and stops run one at a time, in order: a restart asked for while the
// server is still starting waits for it (vscode-languageclient refuses to stop a
// client that is not running yet).
let queue = Promise.resolve();
function serialized(task) {
  const done = queue.then(task);
  queue = done.catch(() => {});
  return done;
}

// Whether `p` is a file this process may run.
function isExecutable(p) {
  try {
    if (!fs.statSync(p).isFile()) return false;
    if (process.platform !== 'win32') fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// The absolute path of `command`, or undefined. `command` is a name looked up on
// PATH, an absolute path, a path starting with `~/` (the home folder), or a
// relative path such as `./target/debug/weft`, read from each of `baseDirs` (the
// workspace folders) in turn.
function findExecutable(command, baseDirs) {
  const exts = process.platform === 'win32'
    ? (process.env.PATHEXT || '.EXE;.CMD;.BAT').split(';').concat([''])
    : [''];
  const first = (base) => exts.map((e) => base + e).find(isExecutable);
  if (command === '~' || command.startsWith('~/') || command.startsWith('~\\')) {
    command = path.join(os.homedir(), command.slice(1));
  }
  if (path.isAbsolute(command)) return first(command);
  if (command.includes('/') || command.includes(path.sep)) {
    for (const dir of baseDirs) {
      const found = first(path.resolve(dir, command));
      if (found) return found;
    }
    return undefined;
  }
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const found = first(path.join(dir, command));
    if (found) return found;
  }
  return undefined;
}

// The folders a relative `weft.path` is read from: the workspace folders on disk.
function workspaceDirs() {
  return (vscode.workspace.workspaceFolders || [])
    .filter((f) => f.uri.scheme === 'file')
    .map((f) => f.uri.fsPath);
}

// Shows an error. Not awaited by its callers: a notification can stay open for
// as long as the user leaves it, and activation and restarts must not wait.
function showError(message, ...actions) {
  return Promise.resolve(vscode.window.showErrorMessage(message, ...actions));
}

async function startClient() {
  const setting = vscode.workspace.getConfiguration('weft').get('path');
  const command = (typeof setting === 'string' && setting.trim()) || 'weft';
  const executable = findExecutable(command, workspaceDirs());
  if (!executable) {
    void showError(
      `Weft: cannot find the weft executable "${command}", so the language server ` +
        '(diagnostics, go-to-definition, hover, completion) is off. Install weft and put it ' +
        'on PATH, or set "weft.path" to its full path.',
      'Open Settings'
    ).then((choice) => {
      if (choice === 'Open Settings') {
        return vscode.commands.executeCommand('workbench.action.openSettings', 'weft.path');
      }
      return undefined;
    });
    return;
  }
  const run = { command: executable, args: ['lsp'], transport: TransportKind.stdio };
  // The client id `weft` makes the `weft.trace.server` setting trace its messages.
  // Files on disk and new unsaved files; not the read-only copies of other
  // schemes (the old side of a git diff, say), whose errors are not the user's.
  const started = new LanguageClient(
    'weft',
    'Weft',
    { run, debug: run },
    {
      documentSelector: [
        { scheme: 'file', language: 'weft' },
        { scheme: 'untitled', language: 'weft' },
      ],
    }
  );
  client = started;
  try {
    await started.start();
  } catch (err) {
    if (client === started) client = undefined;
    void showError(`Weft: "${executable} lsp" failed to start: ${(err && err.message) || err}`);
  }
}

async function stopClient() {
  const old = client;
  client = undefined;
  if (!old) return;
  try {
    await old.stop();
  } catch {
    // The server had already stopped (it crashed, say) or did not answer
    // `shutdown` in time; vscode-languageclient ends its process either way.
  }
}

function restart() {
  return serialized(async () => {
    await stopClient();
    await startClient();
  });
}

function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('weft.restartServer', restart),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('weft.path')) return restart();
      return undefined;
    })
  );
  return serialized(startClient);
}

function deactivate() {
  return serialized(stopClient);
}

module.exports = { activate, deactivate };
