// Every golden case (tests/golden/**) and every bridge case (test/cases/*) through every flavour of the
// package, compared byte for byte with the native core's response.
//
// The mini-program flavours run the guest built without the agency toolkit (clearing.*, calendar.*). For
// them the agency cases are skipped from the comparison with the full core: each must instead answer
// E_UNKNOWN_OP, byte-identical to the native core built the same way (yidi-bridge --no-default-features).
// Answers that are E_UNKNOWN_OP in the full core list every op, so they too are compared with that build.
// The mini-program module also takes no inline policy packs (core feature `runtime-packs` off: it uses the packs
// it ships with). Cases giving `packs` are skipped from the comparison with the full core in the same way: each
// must answer E_PACK at "packs", byte-identical to the native core built without that feature.
// Every other case must be byte-identical to the full native core. The mini-program flavour is three modules; its
// loader sends the estimate page's ops and the hospital's to their own: the counts say how many cases each answered.
import assert from 'node:assert/strict';
import { describe, it, before } from 'node:test';
import { caseFiles, envelopeText, errorCode, flavours, hasInlinePacks, isAgencyCase, isEstimateCase, isHospitalCase, nativeAnswers, sameText } from './helpers.mjs';

const answers = nativeAnswers();
const withoutAgency = new Map(nativeAnswers(undefined, { agency: false }).map((a) => [a.file, a]));
const agencyCases = answers.filter(isAgencyCase).length;
const inlinePackCases = answers.filter((a) => hasInlinePacks(a) && !isAgencyCase(a)).length;

it('the native answers cover every case file, and there are golden cases', () => {
  const files = caseFiles();
  assert.deepEqual(answers.map((a) => a.file).filter((f) => !files.includes(f)), []);
  assert.deepEqual(files.filter((f) => !answers.some((a) => a.file === f)), []);
  assert.deepEqual([...withoutAgency.keys()], answers.map((a) => a.file));
  assert.ok(answers.filter((a) => a.file.includes('tests/golden')).length > 0, 'no golden cases found');
});

it('the core built as the mini-program module answers every agency case E_UNKNOWN_OP at "op", every inline-pack case E_PACK at "packs", and every other case as the full core does (unknown-op lists aside)', () => {
  for (const a of answers) {
    const lite = withoutAgency.get(a.file);
    assert.equal(lite.input, a.input, a.file);
    if (isAgencyCase(a)) {
      const err = JSON.parse(lite.output).error;
      assert.equal(err.code, 'E_UNKNOWN_OP', a.file);
      assert.equal(err.path, 'op', a.file);
      assert.doesNotMatch(err.message_en, /ops:.*(clearing|calendar)\./, `${a.file}: the op list offers no agency op`);
    } else if (hasInlinePacks(a)) {
      const err = JSON.parse(lite.output).error;
      assert.equal(err.code, 'E_PACK', a.file);
      assert.equal(err.path, 'packs', a.file);
    } else if (errorCode(a.output) !== 'E_UNKNOWN_OP') {
      sameText(lite.output, a.output, a.file);
    }
  }
});

/** The answer a flavour must give, and whether it is the full core's (false: the core without agency ops). */
function expected(flavour, a) {
  if (flavour.agency || !(isAgencyCase(a) || hasInlinePacks(a) || errorCode(a.output) === 'E_UNKNOWN_OP')) return { text: a.output, full: true };
  return { text: withoutAgency.get(a.file).output, full: false };
}

function report(t, flavour, counts) {
  if (flavour.agency) return t.diagnostic(`${counts.full} cases byte-identical to the full native core`);
  t.diagnostic(
    `${counts.full} cases byte-identical to the full native core; ${counts.skipped} agency (clearing.*/calendar.*) ` +
      `cases skipped: this module has no agency toolkit, each answered E_UNKNOWN_OP; ${counts.skippedPacks} inline-pack ` +
      `cases skipped: this module takes no packs at runtime, each answered E_PACK; ${counts.unknownOp} unknown-op ` +
      `cases compared with the core built without them (their op list differs); ${counts.estimate} cases answered by ` +
      `the estimate module (yidi-estimate.wasm), ${counts.hospital} by the hospital module (yidi-hospital.wasm), ` +
      `${counts.total - counts.hospital - counts.estimate} by the first (yidi.wasm)`,
  );
}

// Requests the object API must refuse before the core: a JS number with a fraction is not exact money.
const inexact = (v) => (typeof v === 'number' ? !Number.isSafeInteger(v) : v && typeof v === 'object' ? Object.values(v).some(inexact) : false);

// Whether the JSON text holds a number token with a fraction or an exponent that JSON.parse turns into a safe
// integer (200.00000000000000000001 → 200, 5.0 → 5): the object the test builds is then not the request the
// native core read (which keeps every digit), so that case is for callJson only.
function jsRewritesANumber(text) {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      const token = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i))[0];
      if (/[.eE]/.test(token) && Number.isSafeInteger(Number(token))) return true;
      i += token.length - 1;
    }
  }
  return false;
}

for (const flavour of flavours) {
  describe(flavour.name, () => {
    let yidi;
    before(async () => { yidi = await flavour.load(); });

    it('callJson: byte-identical to the native core on every case', (t) => {
      const counts = { full: 0, skipped: 0, skippedPacks: 0, unknownOp: 0, hospital: 0, estimate: 0, total: 0 };
      for (const a of answers) {
        const want = expected(flavour, a);
        sameText(yidi.callJson(a.input), want.text, a.file);
        counts.total++;
        if (isHospitalCase(a)) counts.hospital++;
        if (isEstimateCase(a)) counts.estimate++;
        if (want.full) counts.full++;
        else if (isAgencyCase(a)) counts.skipped++;
        else if (hasInlinePacks(a)) counts.skippedPacks++;
        else counts.unknownOp++;
      }
      if (!flavour.agency) {
        assert.equal(counts.skipped, agencyCases, 'every agency case, and only those, skipped');
        assert.equal(counts.skippedPacks, inlinePackCases, 'every inline-pack case, and only those, skipped');
        assert.ok(counts.hospital > 0 && counts.estimate > 0 && counts.hospital + counts.estimate < counts.total, 'each module answers golden cases');
      }
      report(t, flavour, counts);
    });

    it('object API: the same result or the same YidiError as the native core', (t) => {
      const counts = { full: 0, skipped: 0, skippedPacks: 0, unknownOp: 0, hospital: 0, estimate: 0, total: 0 };
      let compared = 0;
      let rewritten = 0;
      for (const a of answers) {
        let env;
        try { env = JSON.parse(a.input); } catch { continue; } // malformed text: callJson covers it
        if (jsRewritesANumber(a.input)) { rewritten++; continue; }
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
        const want = expected(flavour, a);
        sameText(envelopeText(env.op, outcome), want.text, a.file);
        counts.total++;
        if (isHospitalCase(a)) counts.hospital++;
        if (isEstimateCase(a)) counts.estimate++;
        if (want.full) counts.full++;
        else if (isAgencyCase(a)) counts.skipped++;
        else if (hasInlinePacks(a)) counts.skippedPacks++;
        else counts.unknownOp++;
        compared++;
      }
      assert.ok(compared > answers.length / 2, `only ${compared} of ${answers.length} compared`);
      assert.ok(rewritten >= 1, 'the case whose number JS cannot hold (number_read_as_written_not_through_float) is seen');
      t.diagnostic(`${rewritten} cases skipped: JSON.parse rewrites one of their numbers (callJson compares them)`);
      report(t, flavour, counts);
    });
  });
}
