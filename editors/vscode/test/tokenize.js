// Tokenizes Weft files with the extension's TextMate grammar, as VS Code does, and
// reports each file that ends inside a string, comment or bracket group (the grammar
// lost track of nesting) or holds a token scoped `invalid.*`. The paths come on stdin,
// one a line; the exit status is 1 when any file is reported.
'use strict';

const fs = require('fs');
const path = require('path');
const tm = require('vscode-textmate');
const onig = require('vscode-oniguruma');

async function main() {
  const wasm = fs.readFileSync(path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));
  await onig.loadWASM(wasm.buffer);
  const grammarPath = path.join(__dirname, '..', 'syntaxes', 'weft.tmLanguage.json');
  const registry = new tm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new onig.OnigScanner(patterns),
      createOnigString: (s) => new onig.OnigString(s),
    }),
    loadGrammar: async (scope) =>
      scope === 'source.weft' ? tm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath) : null,
  });
  const grammar = await registry.loadGrammar('source.weft');
  const files = fs.readFileSync(0, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const problems = [];
  for (const file of files) {
    const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
    let stack = tm.INITIAL;
    let lastScopes = [];
    lines.forEach((line, i) => {
      const r = grammar.tokenizeLine(line, stack);
      stack = r.ruleStack;
      for (const t of r.tokens) {
        lastScopes = t.scopes;
        const bad = t.scopes.find((s) => s.startsWith('invalid.'));
        if (bad) {
          problems.push(`${file}:${i + 1}:${t.startIndex + 1}: ${bad}: ${JSON.stringify(line.slice(t.startIndex, t.endIndex))}`);
        }
      }
    });
    if (stack.depth !== 1) {
      problems.push(`${file}: ends ${stack.depth - 1} level(s) deep, inside ${lastScopes.join(' ')}`);
    }
  }
  for (const p of problems) console.log(p);
  console.log(`${files.length} files tokenized, ${problems.length} problems`);
  process.exit(problems.length === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
