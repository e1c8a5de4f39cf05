'use strict';
// Every word the editor and the runtime show comes from the locale catalogues, in English and in Russian alike:
// the same keys and placeholders in both, every key the editor files and the runtime code use, a text for every
// error code, help in both languages, and no hard-coded text in the dialogs.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const LANGUAGES = ['en-US', 'ru'];
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const TYPES = Object.keys(pkg['node-red'].nodes);
/** The catalogue every node reaches for shared texts (see src/nodes/localised-error.ts). */
const SHARED = 'bitrix24-portal';

function read(...parts) {
  return fs.readFileSync(path.join(root, ...parts), 'utf8');
}

function catalogue(lang, type) {
  return JSON.parse(read('nodes', 'locales', lang, `${type}.json`));
}

/** Every leaf of a catalogue as `dotted.key -> text`. */
function leaves(value, prefix = '', out = new Map()) {
  for (const [key, child] of Object.entries(value)) {
    const name = prefix === '' ? key : `${prefix}.${key}`;
    if (typeof child === 'object' && child !== null) leaves(child, name, out);
    else out.set(name, child);
  }
  return out;
}

/** The placeholders of a text, sorted: `__count__`, `__source__`, ... */
function placeholders(text) {
  return (String(text).match(/__[a-zA-Z]+__/g) || []).sort();
}

/** i18n keys an editor file uses: data-i18n attributes and literal `_('...')` calls. */
function editorKeys(html) {
  const keys = new Set();
  for (const [, list] of html.matchAll(/data-i18n="([^"]+)"/g)) {
    for (const entry of list.split(';')) keys.add(entry.replace(/^\[[^\]]+\]/, ''));
  }
  // Keys in the scripts: every quoted `bitrix24….key` (not a file name); a trailing dot before `+` asks for a family.
  for (const [, key, family] of html.matchAll(/'(bitrix24[a-z0-9-]*(?:\.[a-zA-Z0-9]+)*(\.)?)'/g)) {
    if (!key.includes('.') || key.endsWith('.svg')) continue;
    keys.add(family ? `${key}*` : key);
  }
  return keys;
}

/** The text of every TypeScript file under these folders of src/, subfolders included. */
function sourceFiles(dirs) {
  const walk = (dir) =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return walk(full);
      return entry.name.endsWith('.ts') ? [fs.readFileSync(full, 'utf8')] : [];
    });
  return dirs.flatMap((dir) => walk(path.join(root, 'src', dir)));
}

/** Whether a catalogue has `key`; `prefix.*` asks for at least one key under the prefix. */
function hasKey(texts, key) {
  if (key.endsWith('.*')) return [...texts.keys()].some((name) => name.startsWith(key.slice(0, -1)));
  return texts.has(key);
}

describe('locale catalogues (en-US and ru)', function () {
  for (const type of TYPES) {
    it(`${type}: both languages have the same keys, placeholders and no empty text`, () => {
      const [english, russian] = LANGUAGES.map((lang) => leaves(catalogue(lang, type)));
      assert.deepEqual([...russian.keys()].sort(), [...english.keys()].sort());
      for (const [key, text] of english) {
        assert.notEqual(String(text).trim(), '', `en-US ${key} is empty`);
        assert.notEqual(String(russian.get(key)).trim(), '', `ru ${key} is empty`);
        assert.deepEqual(placeholders(russian.get(key)), placeholders(text), `placeholders of ${key}`);
      }
      const russianText = [...russian.values()].join(' ');
      assert.match(russianText, /[а-яё]/i, 'the Russian catalogue holds Russian text');
    });

    it(`${type}: every key its editor file uses exists in both languages`, () => {
      const keys = editorKeys(read('nodes', `${type}.html`));
      assert.ok(keys.size > 0);
      for (const lang of LANGUAGES) {
        const texts = leaves(catalogue(lang, type));
        for (const key of keys) assert.ok(hasKey(texts, key), `${lang} ${type}.json lacks ${key}`);
      }
    });

    it(`${type}: the dialog holds no hard-coded text`, () => {
      const html = read('nodes', `${type}.html`);
      const template = /<script type="text\/html" data-template-name="[^"]+">([\s\S]*?)<\/script>/.exec(html);
      assert.ok(template, 'no dialog template');
      const visible = template[1]
        .replace(/<style>[\s\S]*?<\/style>/g, '')
        .replace(/<[^>]+>/g, '')
        .replace(/&nbsp;/g, '')
        .trim();
      assert.equal(visible, '', `text outside the catalogue: ${visible}`);
    });

    it(`${type}: help in both languages, in Node-RED's style`, () => {
      const outputs = Number((/outputs:\s*(\d+)/.exec(read('nodes', `${type}.html`)) || [0, 0])[1]);
      const sections = LANGUAGES.map((lang) => {
        const help = read('nodes', 'locales', lang, `${type}.html`);
        assert.match(help, new RegExp(`<script type="text/html" data-help-name="${type}">\\s*<p>`), `${lang}: the help starts with its summary paragraph`);
        if (outputs > 1) {
          const ports = /<ol class="node-ports">([\s\S]*?)<\/ol>/.exec(help);
          assert.ok(ports, `${lang}: no node-ports list`);
          assert.equal((ports[1].match(/^\s*<li>/gm) || []).length, outputs, `${lang}: one entry per output`);
        }
        return (help.match(/<h3>/g) || []).length;
      });
      assert.equal(sections[1], sections[0], 'the same sections in both languages');
    });
  }

  it('has every text the runtime code asks for, in both languages', () => {
    const used = new Set();
    for (const source of sourceFiles(['nodes'])) {
      for (const [, key] of source.matchAll(/\$\{CATALOGUE\}\.([a-zA-Z]+\.[a-zA-Z]+)`/g)) used.add(`bitrix24.${key}`);
    }
    assert.ok(used.size >= 3);
    for (const lang of LANGUAGES) {
      const texts = leaves(catalogue(lang, SHARED));
      for (const key of used) assert.ok(texts.has(key), `${lang} lacks ${key}`);
    }
  });

  it('has a message for every error code the package raises, documents or knows, in both languages', () => {
    const { ERROR_FACTS } = require('../../dist/bitrix24/error-codes');
    const codes = new Set(Object.keys(ERROR_FACTS));
    const raised = new Set();
    for (const source of sourceFiles(['bitrix24', 'nodes'])) {
      for (const [, code] of source.matchAll(/Bitrix24Error\(\s*'([A-Za-z0-9_]+)'/g)) raised.add(code);
    }
    assert.deepEqual([...raised].filter((code) => !codes.has(code)), [], 'codes raised but missing from the error table');
    const readmeTable = read('README.md').split('### Error codes')[1].split('\n\n')[1];
    for (const [, cell] of readmeTable.matchAll(/^\| ([^|]+) \|/gm)) {
      for (const [, code] of cell.matchAll(/`([A-Za-z0-9_]+)`/g)) codes.add(code);
    }
    assert.ok(codes.size >= 20, `only ${codes.size} codes found`);
    for (const lang of LANGUAGES) {
      const texts = leaves(catalogue(lang, SHARED));
      const missing = [...codes].filter((code) => !texts.has(`bitrix24.errors.${code}`));
      assert.deepEqual(missing, [], `${lang} has no message for these codes`);
    }
  });
});
