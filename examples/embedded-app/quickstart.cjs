// Reads docs/library-quickstart.md and lays its quick start out for a run: every file shown under a
// "#### `name`" heading is written into the folder given, and the lines of its ```sh blocks are
// printed, one command a line, for the caller to run there exactly as written.
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const [doc, folder] = process.argv.slice(2);
const text = readFileSync(doc, 'utf8');
const blocks = /^(?:#### `([^`]+)`\n[\s\S]*?)?```(\w+)\n([\s\S]*?)^```$/gm;
const files = [];
const commands = [];
for (const [, name, lang, body] of text.matchAll(blocks)) {
  if (name) {
    writeFileSync(join(folder, name), body);
    files.push(name);
  } else if (lang === 'sh') {
    commands.push(...body.split('\n').filter((line) => line.trim() !== ''));
  }
}
if (files.length === 0 || commands.length === 0) {
  console.error(`${doc}: found ${files.length} files and ${commands.length} commands; expected both`);
  process.exit(1);
}
console.error(`quick start: wrote ${files.join(', ')}`);
console.log(commands.join('\n'));
