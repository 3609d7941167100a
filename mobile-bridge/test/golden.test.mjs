// Every golden case (tests/golden/**) and every bridge case (test/cases/*) through every flavour of the
// package, compared byte for byte with the native core's response.
import assert from 'node:assert/strict';
import { describe, it, before } from 'node:test';
import { caseFiles, envelopeText, flavours, nativeAnswers, sameText } from './helpers.mjs';

const answers = nativeAnswers();

it('the native answers cover every case file, and there are golden cases', () => {
  const files = caseFiles();
  assert.deepEqual(answers.map((a) => a.file).filter((f) => !files.includes(f)), []);
  assert.deepEqual(files.filter((f) => !answers.some((a) => a.file === f)), []);
  assert.ok(answers.filter((a) => a.file.includes('tests/golden')).length > 0, 'no golden cases found');
});

// Requests the object API must refuse before the core: a JS number with a fraction is not exact money.
const inexact = (v) => (typeof v === 'number' ? !Number.isSafeInteger(v) : v && typeof v === 'object' ? Object.values(v).some(inexact) : false);

for (const flavour of flavours) {
  describe(flavour.name, () => {
    let yidi;
    before(async () => { yidi = await flavour.load(); });

    it('callJson: byte-identical to the native core on every case', () => {
      for (const a of answers) sameText(yidi.callJson(a.input), a.output, a.file);
    });

    it('object API: the same result or the same YidiError as the native core', () => {
      let compared = 0;
      for (const a of answers) {
        let env;
        try { env = JSON.parse(a.input); } catch { continue; } // malformed text: callJson covers it
        if (env.api_version !== '1' || typeof env.op !== 'string' || !env.request || typeof env.request !== 'object') continue;
        let outcome;
        try {
          outcome = { ok: true, result: yidi.call(env.op, env.request, { packs: env.packs, catalogs: env.catalogs }) };
        } catch (e) {
          assert.equal(e.name, 'YidiError', `${a.file}: ${e.stack}`);
          outcome = { ok: false, error: e };
        }
        if (inexact(env)) {
          assert.equal(outcome.ok, false, a.file);
          assert.equal(outcome.error.code, 'E_JSON', a.file);
          assert.match(outcome.error.message_en, /decimal strings/, a.file);
          continue;
        }
        sameText(envelopeText(env.op, outcome), a.output, a.file);
        compared++;
      }
      assert.ok(compared > answers.length / 2, `only ${compared} of ${answers.length} compared`);
    });
  });
}
