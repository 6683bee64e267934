/**
 * Scores the redactor against the outside corpus (tests/fixtures/redaction-corpus): per class, how many
 * secrets were redacted whole (recall) and how many must-survive tokens came through byte for byte
 * (survival), then every miss (never printing a secret) and every over-redacted survivor.
 *   npm run bench:corpus            # report
 *   npm run bench:corpus -- --check # exit 1 unless recall is 100% and survival >= 99%
 */
import { redact } from '../dist/src/index.js';
import { loadCorpus, scoreFile } from './redact-corpus-lib.mjs';

const check = process.argv.includes('--check');
const byClass = new Map();
const misses = [];
const lost = [];
for (const entry of loadCorpus()) {
  const { text } = await redact(entry.text, { file: entry.file, ephemeralKey: true });
  const r = scoreFile(entry, text);
  const c = byClass.get(entry.class) ?? { files: 0, secrets: 0, hit: 0, survivors: 0, kept: 0 };
  c.files += 1;
  c.secrets += r.secrets;
  c.hit += r.secrets - r.misses.length;
  c.survivors += r.survivors;
  c.kept += r.survivors - r.lost.length;
  byClass.set(entry.class, c);
  misses.push(...r.misses);
  lost.push(...r.lost.map((v) => `${entry.file}: ${entry.class}: ${v}`));
}

const pct = (a, b) => (b === 0 ? '-' : `${((100 * a) / b).toFixed(1)}%`);
const total = { files: 0, secrets: 0, hit: 0, survivors: 0, kept: 0 };
const rows = [['class', 'files', 'secrets', 'recall', 'survivors', 'survival']];
for (const [name, c] of [...byClass].sort(([a], [b]) => a.localeCompare(b))) {
  for (const k of Object.keys(total)) total[k] += c[k];
  rows.push([name, c.files, c.secrets, pct(c.hit, c.secrets), c.survivors, pct(c.kept, c.survivors)]);
}
rows.push(['total', total.files, total.secrets, pct(total.hit, total.secrets), total.survivors, pct(total.kept, total.survivors)]);
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
for (const r of rows) console.log(r.map((v, i) => (i === 0 ? String(v).padEnd(widths[i]) : String(v).padStart(widths[i]))).join('  '));

console.log(`\nmisses (${misses.length}):`);
for (const m of misses) console.log(`  ${m}`);
console.log(`\nover-redacted survivors (${lost.length}):`);
for (const l of lost) console.log(`  ${l}`);

if (check) {
  const ok = total.hit === total.secrets && total.kept >= 0.99 * total.survivors;
  if (!ok) {
    console.error(`\ncheck failed: recall ${pct(total.hit, total.secrets)} (needs 100%), survival ${pct(total.kept, total.survivors)} (needs >= 99%)`);
    process.exit(1);
  }
}
