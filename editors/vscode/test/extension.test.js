// Tests extension.js without VS Code: loads it with stand-ins for the `vscode` and
// `vscode-languageclient/node` modules and checks how it starts, restarts and stops
// `weft lsp`, what it tells the user when the executable is missing, and that
// package.json declares what the code uses.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');
const { test, beforeEach, afterEach } = require('node:test');

const root = path.join(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const extensionPath = require.resolve(path.join(root, pkg.main));

// vscode-languageclient's values.
const TransportKind = { stdio: 0, ipc: 1, pipe: 2, socket: 3 };

function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

// A fresh fake VS Code: settings, workspace folders, and a record of what the
// extension registered, showed and created.
function makeHost() {
  const host = {
    settings: {},
    folders: undefined,
    commands: new Map(),
    executed: [],
    configListeners: [],
    errors: [],
    // How showErrorMessage answers: a function of the message, giving a promise.
    answerError: () => Promise.resolve(undefined),
    clients: [],
    // How the next LanguageClient's start() ends: undefined (at once), or a deferred.
    nextStart: undefined,
    nextStop: undefined,
  };
  const disposable = () => ({ dispose() {} });
  host.vscode = {
    workspace: {
      getConfiguration(section) {
        return {
          get: (key, fallback) => {
            const v = host.settings[`${section}.${key}`];
            return v === undefined ? fallback : v;
          },
        };
      },
      get workspaceFolders() {
        return host.folders;
      },
      onDidChangeConfiguration(listener) {
        host.configListeners.push(listener);
        return disposable();
      },
    },
    window: {
      showErrorMessage(message, ...actions) {
        const entry = { message, actions };
        host.errors.push(entry);
        return host.answerError(entry);
      },
    },
    commands: {
      registerCommand(name, fn) {
        assert.ok(!host.commands.has(name), `command ${name} registered twice`);
        host.commands.set(name, fn);
        return disposable();
      },
      executeCommand(name, ...args) {
        host.executed.push([name, ...args]);
        return Promise.resolve();
      },
    },
  };

  class LanguageClient {
    constructor(id, name, serverOptions, clientOptions) {
      Object.assign(this, { id, name, serverOptions, clientOptions });
      this.state = 'initial';
      this.starts = 0;
      this.stops = 0;
      this.startPlan = host.nextStart;
      this.stopPlan = host.nextStop;
      host.nextStart = undefined;
      host.nextStop = undefined;
      host.clients.push(this);
    }
    async start() {
      this.starts += 1;
      this.state = 'starting';
      try {
        if (this.startPlan) await this.startPlan.promise;
      } catch (e) {
        this.state = 'startFailed';
        throw e;
      }
      this.state = 'running';
    }
    // As vscode-languageclient 9 does: only a running client can be stopped.
    async stop() {
      this.stops += 1;
      if (this.state === 'initial' || this.state === 'stopped') return;
      if (this.state !== 'running') {
        throw new Error(`Client is not running and can't be stopped. It's current state is: ${this.state}`);
      }
      this.state = 'stopping';
      try {
        if (this.stopPlan) await this.stopPlan.promise;
      } finally {
        this.state = 'stopped';
      }
    }
  }
  host.languageclient = { LanguageClient, TransportKind };

  // What VS Code does when a setting changes.
  host.changeSettings = async (changes) => {
    Object.assign(host.settings, changes);
    const event = {
      affectsConfiguration: (s) => Object.keys(changes).some((k) => k === s || k.startsWith(`${s}.`)),
    };
    await Promise.all(host.configListeners.map((l) => l(event)));
  };
  return host;
}

let host;
let extension;
let context;
let savedLoad;
let savedEnv;
let tmp;

// A file named `name` in `dir`, executable unless told otherwise.
function makeFile(dir, name, executable = true) {
  fs.mkdirSync(dir, { recursive: true });
  const p = path.join(dir, name);
  fs.writeFileSync(p, '#!/bin/sh\nexit 0\n');
  fs.chmodSync(p, executable ? 0o755 : 0o644);
  return p;
}

beforeEach(() => {
  host = makeHost();
  savedLoad = Module._load;
  Module._load = function (request, parent, isMain) {
    if (request === 'vscode') return host.vscode;
    if (request === 'vscode-languageclient/node') return host.languageclient;
    return savedLoad.call(this, request, parent, isMain);
  };
  delete require.cache[extensionPath];
  extension = require(extensionPath);
  context = { subscriptions: [] };
  savedEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'weft-vsx-'));
  // `weft` on PATH, and nothing else.
  process.env.PATH = path.join(tmp, 'bin');
  makeFile(path.join(tmp, 'bin'), 'weft');
});

afterEach(() => {
  Module._load = savedLoad;
  delete require.cache[extensionPath];
  process.env.PATH = savedEnv.PATH;
  process.env.HOME = savedEnv.HOME;
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('activate starts `weft lsp` from PATH over stdio for Weft documents', async () => {
  await extension.activate(context);
  assert.equal(host.clients.length, 1);
  const c = host.clients[0];
  assert.equal(c.id, 'weft');
  assert.equal(c.name, 'Weft');
  const run = { command: path.join(tmp, 'bin', 'weft'), args: ['lsp'], transport: TransportKind.stdio };
  assert.deepEqual(c.serverOptions.run, run);
  assert.deepEqual(c.serverOptions.debug, run);
  assert.deepEqual(c.clientOptions.documentSelector, [
    { scheme: 'file', language: 'weft' },
    { scheme: 'untitled', language: 'weft' },
  ]);
  assert.equal(c.starts, 1);
  assert.equal(c.state, 'running');
  assert.deepEqual(host.errors, []);
  // The command and the settings listener are disposed with the extension.
  assert.equal(context.subscriptions.length, 2);
  for (const d of context.subscriptions) assert.equal(typeof d.dispose, 'function');
});

test('deactivate stops the server', async () => {
  await extension.activate(context);
  await extension.deactivate();
  assert.equal(host.clients[0].stops, 1);
  assert.equal(host.clients[0].state, 'stopped');
  // Nothing left to stop.
  await extension.deactivate();
  assert.equal(host.clients[0].stops, 1);
});

test('weft.path: an absolute path, a ~/ path, a path relative to the workspace folder', async () => {
  const abs = makeFile(path.join(tmp, 'opt'), 'weft-dev');
  host.settings['weft.path'] = abs;
  await extension.activate(context);
  assert.equal(host.clients[0].serverOptions.run.command, abs);

  process.env.HOME = path.join(tmp, 'home');
  const inHome = makeFile(path.join(tmp, 'home', '.cargo', 'bin'), 'weft');
  await host.changeSettings({ 'weft.path': '~/.cargo/bin/weft' });
  assert.equal(host.clients[1].serverOptions.run.command, inHome);

  const project = path.join(tmp, 'project');
  const built = makeFile(path.join(project, 'target', 'debug'), 'weft');
  host.folders = [
    { uri: { scheme: 'vscode-vfs', fsPath: '/elsewhere' } },
    { uri: { scheme: 'file', fsPath: project } },
  ];
  await host.changeSettings({ 'weft.path': './target/debug/weft' });
  assert.equal(host.clients[2].serverOptions.run.command, built);
  assert.deepEqual(host.errors, []);

  // An empty setting means the default.
  await host.changeSettings({ 'weft.path': '  ' });
  assert.equal(host.clients[3].serverOptions.run.command, path.join(tmp, 'bin', 'weft'));
});

test('a file on PATH that cannot be run is passed over', { skip: process.platform === 'win32' }, async () => {
  const first = path.join(tmp, 'first');
  makeFile(first, 'weft', false);
  process.env.PATH = [first, path.join(tmp, 'bin')].join(path.delimiter);
  await extension.activate(context);
  assert.equal(host.clients[0].serverOptions.run.command, path.join(tmp, 'bin', 'weft'));
});

test('a missing executable: an error naming it and weft.path, with Open Settings', async () => {
  host.settings['weft.path'] = path.join(tmp, 'nowhere', 'weft');
  const answer = deferred();
  host.answerError = () => answer.promise;
  // Activation does not wait for the user to answer the notification.
  await extension.activate(context);
  assert.equal(host.clients.length, 0);
  assert.equal(host.errors.length, 1);
  const { message, actions } = host.errors[0];
  assert.match(message, /^Weft: cannot find the weft executable "/);
  assert.ok(message.includes(`"${path.join(tmp, 'nowhere', 'weft')}"`), message);
  assert.ok(message.includes('"weft.path"'), message);
  assert.ok(message.includes('PATH'), message);
  assert.deepEqual(actions, ['Open Settings']);
  assert.deepEqual(host.executed, []);
  answer.resolve('Open Settings');
  await answer.promise;
  await new Promise(setImmediate);
  assert.deepEqual(host.executed, [['workbench.action.openSettings', 'weft.path']]);

  // Not on PATH either; dismissing the message opens nothing.
  host.answerError = () => Promise.resolve(undefined);
  process.env.PATH = path.join(tmp, 'empty');
  await host.changeSettings({ 'weft.path': undefined });
  assert.equal(host.errors.length, 2);
  assert.ok(host.errors[1].message.includes('"weft"'), host.errors[1].message);
  await new Promise(setImmediate);
  assert.equal(host.executed.length, 1);

  // Installing it and restarting starts the server.
  process.env.PATH = path.join(tmp, 'bin');
  await host.commands.get('weft.restartServer')();
  assert.equal(host.clients.length, 1);
  assert.equal(host.clients[0].state, 'running');
});

test('changing weft.path restarts the server with the new executable; other settings do not', async () => {
  await extension.activate(context);
  await host.changeSettings({ 'weft.trace.server': 'verbose' });
  assert.equal(host.clients.length, 1);
  const other = makeFile(path.join(tmp, 'other'), 'weft');
  await host.changeSettings({ 'weft.path': other });
  assert.equal(host.clients.length, 2);
  assert.equal(host.clients[0].state, 'stopped');
  assert.equal(host.clients[1].state, 'running');
  assert.equal(host.clients[1].serverOptions.run.command, other);
  await extension.deactivate();
  assert.equal(host.clients[1].state, 'stopped');
});

test('the restart command package.json declares stops the server and starts a new one', async () => {
  await extension.activate(context);
  const declared = pkg.contributes.commands.map((c) => c.command);
  assert.ok(declared.includes('weft.restartServer'));
  const restart = host.commands.get('weft.restartServer');
  assert.equal(typeof restart, 'function');
  await restart();
  assert.equal(host.clients.length, 2);
  assert.equal(host.clients[0].stops, 1);
  assert.equal(host.clients[0].state, 'stopped');
  assert.equal(host.clients[1].state, 'running');
});

test('a restart asked for while the server is starting waits for it, then restarts', async () => {
  const start = deferred();
  host.nextStart = start;
  const activated = extension.activate(context);
  await new Promise(setImmediate);
  assert.equal(host.clients[0].state, 'starting');
  const changed = host.changeSettings({ 'weft.path': 'weft' });
  const restarted = host.commands.get('weft.restartServer')();
  start.resolve();
  await Promise.all([activated, changed, restarted]);
  assert.equal(host.clients.length, 3);
  assert.deepEqual(host.clients.map((c) => c.state), ['stopped', 'stopped', 'running']);
  assert.deepEqual(host.errors, []);
});

test('a server that fails to start: an error, and nothing to stop later', async () => {
  host.nextStart = deferred();
  host.nextStart.reject(new Error('spawn EACCES'));
  await extension.activate(context);
  assert.equal(host.errors.length, 1);
  assert.match(host.errors[0].message, /^Weft: ".*weft lsp" failed to start: spawn EACCES$/);
  await extension.deactivate();
  assert.equal(host.clients[0].stops, 0);
  // A restart tries again.
  await host.commands.get('weft.restartServer')();
  assert.equal(host.clients[1].state, 'running');
});

test('a server that does not stop cleanly does not prevent the restart', async () => {
  host.nextStop = deferred();
  host.nextStop.reject(new Error('Stopping the server timed out'));
  await extension.activate(context);
  await host.commands.get('weft.restartServer')();
  assert.equal(host.clients.length, 2);
  assert.equal(host.clients[1].state, 'running');
});

test('package.json: main, activation events, commands and settings match the code', async () => {
  assert.equal(extensionPath, path.join(root, 'extension.js'));
  const languages = pkg.contributes.languages.map((l) => l.id);
  assert.deepEqual(languages, ['weft']);
  for (const id of languages) {
    assert.ok(pkg.activationEvents.includes(`onLanguage:${id}`), `activationEvents lacks onLanguage:${id}`);
  }
  await extension.activate(context);
  const declared = pkg.contributes.commands.map((c) => c.command).sort();
  assert.deepEqual([...host.commands.keys()].sort(), declared);
  for (const c of pkg.contributes.commands) {
    assert.ok(c.title && c.category === 'Weft', `command ${c.command} has a title and the Weft category`);
  }
  // The documents the client serves are of a contributed language.
  for (const sel of host.clients[0].clientOptions.documentSelector) {
    assert.ok(languages.includes(sel.language), JSON.stringify(sel));
  }
  // The settings the code reads, and the trace setting of the client id.
  const props = pkg.contributes.configuration.properties;
  assert.equal(props['weft.path'].default, 'weft');
  assert.ok(props[`${host.clients[0].id}.trace.server`], 'the trace setting matches the client id');
  assert.deepEqual(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations, ['weft.path']);
  assert.ok(pkg.dependencies['vscode-languageclient']);
});
