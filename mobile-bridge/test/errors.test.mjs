// Errors: the core's refusals arrive as typed YidiError (stable code, both messages, path) in every
// flavour alike, and the bridge refuses inexact or non-JSON requests before the core, with the same shape.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { flavours } from './helpers.mjs';

for (const flavour of flavours) {
  describe(flavour.name, () => {
    let yidi, mod;
    before(async () => { mod = await flavour.module(); yidi = await flavour.load(); });

    const thrown = (f) => {
      try { f(); } catch (e) { return e; }
      assert.fail('expected a throw');
    };

    it('a core error is a YidiError with code, both messages, path and op', () => {
      const e = thrown(() => yidi.amountDaxie({}));
      assert.equal(Object.prototype.toString.call(e), '[object Error]'); // an Error of its own realm
      assert.ok(e instanceof mod.YidiError, 'instanceof the exported YidiError');
      assert.equal(e.name, 'YidiError');
      assert.equal(e.code, 'E_MISSING_FIELD');
      assert.equal(e.op, 'amount.daxie');
      assert.match(e.message_zh, /amount/);
      assert.equal(e.message_en, 'missing required field amount');
      assert.equal(e.path, 'request.amount');
      assert.equal(e.message, `E_MISSING_FIELD: ${e.message_en} (at request.amount)`);
    });

    it('an unknown op names itself', () => {
      const e = thrown(() => yidi.call('settle.everything', {}));
      assert.equal(e.code, 'E_UNKNOWN_OP');
      assert.equal(e.path, 'op');
    });

    if (flavour.agency) {
      it('holds the agency toolkit: calendar.years answers', () => {
        assert.ok(Array.isArray(yidi.call('calendar.years', {}).years));
      });
    } else {
      it('has no agency toolkit: each clearing.* / calendar.* op is a typed E_UNKNOWN_OP at "op", listing only the ops it has', () => {
        for (const op of ['calendar.years', 'calendar.deadline', 'clearing.month', 'clearing.prepayment', 'clearing.xiecha']) {
          const e = thrown(() => yidi.call(op, {}));
          assert.ok(e instanceof mod.YidiError, op);
          assert.equal(e.code, 'E_UNKNOWN_OP', op);
          assert.equal(e.path, 'op', op);
          assert.equal(e.op, op);
          assert.match(e.message_en, new RegExp(`^unknown op "${op.replace('.', '\\.')}"; ops: version, `));
          assert.match(e.message_zh, /未知操作/);
          assert.doesNotMatch(e.message_en, /ops:.*(clearing|calendar)\./);
          assert.match(e.message_en, /settle, settle\.reverse, settle\.refund, estimate, verify, precheck$/);
        }
      });
    }

    // A pack given with a call: the wasm-bindgen flavour reads it; the mini-program module uses only its shipped
    // packs (no pack parser in it) and refuses, typed, rather than silently answering with the shipped pack.
    it(flavour.agency ? 'reads a policy pack given with the call' : 'takes no policy pack with a call: a typed E_PACK at "packs"', () => {
      const pack = yidi.getPack({ region: '610100' });
      const req = { insuplc_admdvs: '610100', category: 'referral', begndate: '2025-07-01' };
      if (flavour.agency) {
        assert.ok(yidi.filingWindow(req, { packs: [pack] }));
        return;
      }
      const e = thrown(() => yidi.filingWindow(req, { packs: [pack] }));
      assert.ok(e instanceof mod.YidiError);
      assert.equal(e.code, 'E_PACK');
      assert.equal(e.path, 'packs');
      assert.match(e.message_en, /shipped policy packs only/);
      assert.ok(yidi.filingWindow(req, { packs: [] }), 'an empty pack list is no pack');
    });

    // A catalog given with a call: the filing and estimate pages' modules (yidi.wasm, yidi-estimate.wasm) use the
    // catalogs they ship with and carry no CSV reader, so they refuse one, typed, as they refuse packs; the hospital's
    // module reads it (a hospital prices against its own catalog; a malformed one is then its own error). The
    // wasm-bindgen flavour reads it everywhere.
    it(flavour.agency ? 'reads a catalog given with any call' : 'the filing and estimate pages\' modules take no catalog with a call (E_PACK at "catalogs"); the hospital\'s reads it', () => {
      const req = { insuplc_admdvs: '610100', category: 'referral', begndate: '2025-07-01' };
      const csv = '# region: 610100\n# name: t\n' +
        'med_list_codg,med_list_name,med_chrgitm_type,chrgitm_lv,selfpay_prop,pric_uplmt_amt,lmt_used_flag,verified,cite\n' +
        'A,n,01,01,0.1,999999,0,true,t\n';
      const malformed = [{ name: 'x.csv', csv: 'no metadata' }];
      if (flavour.agency) {
        assert.ok(yidi.filingWindow(req, { catalogs: [{ name: '610100.csv', csv }] }));
        const e = thrown(() => yidi.call('estimate', {}, { catalogs: malformed }));
        assert.equal(e.code, 'E_PACK');
        assert.equal(e.path, 'catalogs[0]');
        assert.match(e.message_en, /# region/);
      } else {
        // The filing page's op and the estimate page's: each module refuses, naming the field.
        for (const [op, request] of [['filing.window', req], ['coverage.resolve', {}], ['estimate', {}]]) {
          const e = thrown(() => yidi.call(op, request, { catalogs: [{ name: '610100.csv', csv }] }));
          assert.ok(e instanceof mod.YidiError, op);
          assert.equal(e.code, 'E_PACK', op);
          assert.equal(e.path, 'catalogs', op);
          assert.match(e.message_en, /shipped catalogs only and takes no catalogs with a request/, op);
          assert.match(e.message_zh, /只使用内置诊疗目录/, op);
        }
        assert.ok(yidi.filingWindow(req, { catalogs: [] }), 'an empty catalog list is no catalog');
        // The hospital's op reads the catalog before its request: a malformed one is refused as malformed.
        const e = thrown(() => yidi.call('settle', {}, { catalogs: malformed }));
        assert.equal(e.code, 'E_PACK');
        assert.equal(e.path, 'catalogs[0]');
        assert.match(e.message_en, /# region/);
      }
    });

    it('a JS number with a fraction is refused where it stands: money is a decimal string', () => {
      const e = thrown(() => yidi.call('settle', { lines: [{ pric: '1.00' }, { pric: 0.1 + 0.2 }] }));
      assert.equal(e.name, 'YidiError');
      assert.equal(e.code, 'E_JSON');
      assert.equal(e.path, 'request.lines[1].pric');
      assert.match(e.message_en, /decimal strings/);
      assert.match(e.message_zh, /十进制字符串/);
      // NaN, Infinity and integers past 2^53 are not exact either.
      for (const bad of [NaN, Infinity, 2 ** 53]) assert.equal(thrown(() => yidi.amountDaxie({ amount: bad })).code, 'E_JSON');
    });

    it('integers pass (counts, flags), and undefined members are left out as JSON.stringify does', () => {
      assert.equal(yidi.amountDaxie({ amount: 100, note: undefined }).daxie, '壹佰元整');
      assert.equal(yidi.amountDaxie({ amount: '-2.35' }).daxie, '负贰元叁角伍分');
    });

    it('Dates, Maps, class instances, cycles, BigInt, functions and holes are refused with their path', () => {
      const cyc = { amount: '1' };
      cyc.self = cyc;
      class Amount { constructor() { this.amount = '1'; } }
      const cases = [
        [{ amount: '1', when: new Date(0) }, 'request.when'],
        [{ amount: '1', m: new Map() }, 'request.m'],
        [new Amount(), 'request'],
        [cyc, 'request.self'],
        [{ amount: 1n }, 'request.amount'],
        [{ amount: () => '1' }, 'request.amount'],
        [{ amount: '1', list: [undefined] }, 'request.list[0]']
      ];
      for (const [req, path] of cases) {
        const e = thrown(() => yidi.amountDaxie(req));
        assert.equal(e.code, 'E_JSON', path);
        assert.equal(e.path, path);
      }
      // A prototype-less object is plain data.
      const bare = Object.create(null);
      bare.amount = '0.50';
      assert.equal(yidi.amountDaxie(bare).daxie, '伍角');
    });

    it('callJson passes malformed text to the core and returns its error envelope', () => {
      const out = JSON.parse(yidi.callJson('{"api_version":"1","op":'));
      assert.equal(out.ok, false);
      assert.equal(out.error.code, 'E_JSON');
      assert.throws(() => yidi.callJson({ op: 'version' }), { name: 'TypeError' });
    });

    it('the instance keeps serving after errors', () => {
      for (let i = 0; i < 50; i++) thrown(() => yidi.amountDaxie({ amount: 'x' + i }));
      assert.equal(yidi.version().api_version, '1');
    });
  });
}

describe('large requests: memory grows during the call, every flavour answers alike', () => {
  it('a 3 MB request is answered, and one over the core limit gets E_TOO_LARGE, identically', async () => {
    const answers = [];
    for (const flavour of flavours) {
      const yidi = await flavour.load();
      const big = JSON.stringify({ api_version: '1', op: 'amount.daxie', request: { amount: '1.00', note: '备'.repeat(1_000_000) } });
      const huge = JSON.stringify({ api_version: '1', op: 'version', request: { pad: 'x'.repeat(9 * 1024 * 1024) } });
      const a = yidi.callJson(big);
      assert.equal(JSON.parse(a).result.daxie, '壹元整', flavour.name);
      const b = JSON.parse(yidi.callJson(huge));
      assert.equal(b.error.code, 'E_TOO_LARGE', flavour.name);
      assert.equal(yidi.version().api_version, '1', `${flavour.name} still serves`);
      answers.push([a, JSON.stringify(b)]);
    }
    for (const a of answers.slice(1)) assert.deepEqual(a, answers[0]);
  });
});
