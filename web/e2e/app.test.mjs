// Browser tests of the web app against the real `yidi serve`, in headless Debian Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import path from 'node:path';
import { ROOT, startServer, stopServer, launch, openApp, shot, record, idNumber, today } from './harness.mjs';

let srv;
let browser;
before(async () => {
  srv = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  if (srv) await stopServer(srv);
});

/** Walk the filing wizard to its review step. */
async function fileUpTo(page, { name, certno, category, province, city, materials }) {
  await page.goto(`${srv.base}/#/filing`);
  await page.waitForSelector('#f-name');
  await page.fill('#f-name', name);
  await page.fill('#f-certno', certno);
  await page.click('#f-next');
  await page.check(`#cat-${category}`);
  await page.click('#f-next');
  await page.selectOption('#f-province', province);
  await page.selectOption('#f-city', city);
  await page.click('#f-next');
  await page.click('#f-next');
  for (const m of materials) await page.check(m);
  await page.click('#f-next');
}

test('file a temporary referral and see its validity window', async () => {
  const { ctx, page, errors } = await openApp(browser, srv.base, '#/filing');
  // A missing name is reported next to its field, not as a generic error.
  await page.click('#f-next');
  const nameErr = await page.textContent('#f-name-err');
  assert.match(nameErr, /姓名/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'f-name', 'focus moves to the field in error');
  assert.equal(await page.getAttribute('#f-certno', 'aria-invalid'), null);
  const certno = idNumber();
  // Registering 门诊慢特病 with the filing (001 §8): shown on the review and kept by the server.
  await fileUpTo(page, { name: '王五', certno, category: 'referral', province: '330000', city: '330100', materials: ['#f-refcert', '#f-chronic'] });
  assert.equal(await page.textContent('#review-chronic'), '同时登记');
  const window = await page.textContent('#validity-window');
  const start = today();
  assert.ok(window.startsWith(start), `window starts today: ${window}`);
  // Xi'an's pack: a temporary filing is valid 6 months (002 经办规程§12.2).
  assert.match(window, /至 \d{4}-\d{2}-\d{2}（含，6 个月）/);
  assert.match(await page.textContent('#validity'), /有效期内入院/);
  await shot(page, 'filing-review');
  await page.click('#f-submit');
  await page.waitForSelector('#receipt-id');
  const id = await page.textContent('#receipt-id');
  assert.match(id, /^F[0-9a-f]+$/);
  assert.match(await page.textContent('#validity-window'), /6 个月/);
  await shot(page, 'filing-receipt');
  // The filing is listed under "My filings" with its window, read back from the server.
  await page.goto(`${srv.base}/#/filings`);
  const item = page.locator(`[data-filing-id="${id}"]`);
  await item.locator('.status-active').waitFor();
  assert.match(await item.locator('.validity-window').textContent(), new RegExp(`^${start} 至 \\d{4}-\\d{2}-\\d{2}$`));
  assert.equal(await item.locator('.chronic').textContent(), '已登记');
  await shot(page, 'my-filings');
  // Withdrawing the 门诊慢特病 registration is a change the core allows on a temporary filing; the server
  // keeps the filing (same number, still active) without it.
  await page.click(`#change-${id}`);
  await page.selectOption(`#c-chronic-${id}`, '0');
  await page.click(`#c-submit-${id}`);
  await item.locator('.ok-box').waitFor();
  await item.locator('.status-active').waitFor();
  assert.equal(await item.locator('.chronic').count(), 0, 'the registration is withdrawn');
  // A second referral to the same city: the page cannot know the server's records, the server refuses
  // with the core's reason and citation, and the page shows them.
  await fileUpTo(page, { name: '王五', certno, category: 'referral', province: '330000', city: '330100', materials: ['#f-refcert'] });
  await page.click('#f-submit');
  await page.waitForSelector('.error-box');
  const refused = await page.textContent('.error-box');
  assert.match(refused, /已有有效的异地转诊人员备案/);
  assert.match(refused, /001 §10; 003 §13/);
  assert.match(refused, /E_FILING_REFUSED/);
  await shot(page, 'filing-refused-by-server');
  // Cancelling the temporary filing is allowed (no lock on temporary filings).
  await page.goto(`${srv.base}/#/filings`);
  await item.locator('.status-active').waitFor();
  await page.click(`#cancel-${id}`);
  await page.click(`#c-submit-${id}`);
  await item.locator('.status-cancelled').waitFor();
  assert.deepEqual(errors.filter((e) => !/status of 422/.test(e)), []);
  await ctx.close();
});

test('a change inside the long-term lock is refused with its citation', async () => {
  const { ctx, page, errors } = await openApp(browser, srv.base, '#/filing');
  await fileUpTo(page, { name: '李四', certno: idNumber('610103', '19550505'), category: 'retiree_resettled', province: '460000', city: '460000', materials: ['#f-commit'] });
  // The commitment text is shown before it is made.
  assert.match(await page.textContent('#validity'), /变更限制/);
  await page.click('#f-submit');
  await page.waitForSelector('#receipt-id');
  const id = await page.textContent('#receipt-id');
  await page.goto(`${srv.base}/#/filings`);
  const item = page.locator(`[data-filing-id="${id}"]`);
  await item.locator('.status-active').waitFor();
  await page.click(`#change-${id}`);
  await page.selectOption(`#c-dest-${id}-province`, '430000');
  await page.selectOption(`#c-dest-${id}-city`, '430100');
  await page.click(`#c-submit-${id}`);
  const refusal = page.locator(`#refusal-${id}`);
  await refusal.waitFor();
  const text = await refusal.textContent();
  assert.match(text, /F_CHANGE_LOCKED/);
  assert.match(text, /个月内/);
  assert.match(text, /§12\.1|§13|二\(四\)/, `a citation is shown: ${text}`);
  await shot(page, 'change-refused');
  // The server still holds the filing unchanged.
  await page.reload();
  await page.locator(`[data-filing-id="${id}"] .status-active`).waitFor();
  assert.match(await page.locator(`[data-filing-id="${id}"]`).textContent(), /460000/);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('an estimate shows the golden case amounts on the settlement sheet', async () => {
  const golden = JSON.parse(readFileSync(path.join(ROOT, 'tests/golden/estimate/filing_saves_money.json'), 'utf8'));
  const req = golden.request.request;
  const { ctx, page, errors } = await openApp(browser, srv.base, '#/estimate');
  await page.waitForSelector('#e-run');
  await page.selectOption('#e-insured', req.person.insuplc_admdvs);
  await page.selectOption('#e-insutype', req.person.insutype);
  await page.selectOption('#e-psntype', req.person.psn_type.slice(0, 2));
  await page.selectOption('#e-dest-province', req.mdtrtarea_admvs.slice(0, 2) + '0000');
  await page.selectOption('#e-dest-city', req.mdtrtarea_admvs);
  await page.selectOption('#e-hosplv', req.hosp_lv);
  await page.selectOption('#e-filing', req.filing);
  await page.fill('#e-begndate', req.begndate);
  await page.fill('#e-jia', req.costs.jia);
  await page.fill('#e-yi', req.costs.yi);
  await page.fill('#e-bing', req.costs.bing);
  await page.click('#e-run');
  await page.waitForSelector('#settlement-sheet');
  for (const [field, amount] of Object.entries(golden.expect['/result/result/setlinfo'])) {
    assert.equal(await page.textContent(`#amt-${field}`), `¥${amount}`, field);
  }
  assert.match(await page.textContent('#filing-saves'), new RegExp(`¥${golden.expect['/result/filing_saves'].replace('.', '\\.')}`));
  const whatif = await page.textContent('#whatif');
  for (const s of golden.expect['/result/scenarios']) assert.ok(whatif.includes(`¥${s.psn_part_amt}`), `what-if shows ${s.psn_part_amt}`);
  // 大写 lines and the chart are there.
  assert.match(await page.textContent('#daxie-fund'), /元/);
  assert.equal(await page.locator('#pay-chart svg rect').count() > 1, true);
  await shot(page, 'estimate');
  await page.emulateMedia({ media: 'print' });
  await shot(page, 'estimate-print');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('switching the language to English and back', async () => {
  const { ctx, page } = await openApp(browser, srv.base, '#/estimate');
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  assert.match(await page.textContent('nav'), /费用估算/);
  await page.click('#lang-switch');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.match(await page.textContent('nav'), /Estimate/);
  assert.match(await page.textContent('h1'), /Cost estimate/);
  await page.click('#e-run');
  await page.waitForSelector('#settlement-sheet');
  assert.match(await page.textContent('#settlement-sheet'), /Total medical costs/);
  await shot(page, 'english');
  // The choice is remembered.
  await page.reload();
  await page.waitForSelector('#lang-switch');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.click('#lang-switch');
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  await ctx.close();
});

test('a retroactive filing for a current stay starts at the admission date', async () => {
  const { ctx, page, errors } = await openApp(browser, srv.base, '#/filings');
  await page.click('a[href="#/filing?retro"]');
  await page.fill('#f-name', '孙七');
  await page.fill('#f-certno', idNumber('610104', '19700707'));
  await page.click('#f-next');
  await page.check('#cat-other_temporary');
  await page.click('#f-next');
  await page.selectOption('#f-province', '110000');
  await page.selectOption('#f-city', '110000');
  await page.click('#f-next');
  assert.equal(await page.isChecked('#f-retro'), true);
  // The admission date is required for a retroactive filing, and the error sits by its field.
  await page.click('#f-next');
  assert.match(await page.textContent('#f-admission-err'), /入院日期/);
  const d = new Date(); d.setDate(d.getDate() - 3);
  const admitted = d.toISOString().slice(0, 10);
  await page.fill('#f-admission', admitted);
  await page.click('#f-next');
  await page.click('#f-next');
  assert.ok((await page.textContent('#validity-window')).startsWith(admitted));
  assert.match(await page.textContent('#validity'), /出院结算前补办备案/);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('phone-sized screen and keyboard use', async () => {
  const { ctx, page } = await openApp(browser, srv.base, '#/filing', { viewport: { width: 375, height: 740 } });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375, `no horizontal scroll on a phone (${width}px)`);
  // Tab from the top reaches the skip link first, then the navigation.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
  await page.focus('#f-name');
  await page.keyboard.type('赵六');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'f-certno');
  await shot(page, 'phone-filing');
  await ctx.close();
});

test('verification: summary, inconsistency table and CSV export', async () => {
  const { ctx, page, errors } = await openApp(browser, srv.base, '#/verify');
  await page.click('#v-example');
  await page.click('#v-run');
  await page.waitForSelector('#verify-result');
  assert.equal(await page.textContent('#v-total'), '2');
  assert.equal(await page.textContent('#v-consistent'), '1');
  assert.equal(await page.textContent('#v-inconsistent'), '1');
  assert.match(await page.textContent('#inconsistencies'), /EX-0002/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#v-export')]);
  const csv = readFileSync(await download.path(), 'utf8');
  assert.match(csv, /^\uFEFFline,setl_id,verdict,field/);
  assert.match(csv, /EX-0002,inconsistent/);
  await shot(page, 'verify');
  // The host's sample files (as `yidi verify` reads them) give the verdicts documented in host/README.md;
  // the GB18030 copy first (what Excel on Chinese Windows saves), so the total changing from the example's
  // 2 to 6 proves it was read.
  for (const sample of ['settlements-gb18030.csv', 'settlements.csv', 'settlements.ndjson']) {
    await page.setInputFiles('#v-file', path.join(ROOT, 'host/samples', sample));
    await page.waitForFunction(() => document.querySelector('#v-total')?.textContent === '6');
    assert.equal(await page.textContent('#v-consistent'), '3', sample);
    assert.equal(await page.textContent('#v-inconsistent'), '3', sample);
    const table = await page.textContent('#inconsistencies');
    for (const id of ['S2026110003', 'S2026110004', 'S2026110006']) assert.ok(table.includes(id), `${sample}: ${id}`);
    assert.ok(!table.includes('S2026110001'), `${sample}: consistent records are not listed`);
  }
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('pre-check of the host\'s sample claims, uploaded', async () => {
  const { ctx, page, errors } = await openApp(browser, srv.base, '#/precheck');
  await page.setInputFiles('#p-file', path.join(ROOT, 'host/samples/precheck.ndjson'));
  await page.waitForFunction(() => document.querySelector('#p-claim').value.includes('ZY2026100006'));
  await page.click('#p-run');
  await page.waitForSelector('#precheck-batch');
  assert.equal(await page.textContent('#p-total'), '7');
  const codes = async (claim) => page.locator(`[data-claim="${claim}"] td[data-code]`).evaluateAll((tds) => tds.map((td) => td.dataset.code));
  // As documented for `yidi precheck host/samples/precheck.ndjson` in host/README.md.
  assert.deepEqual(await codes('ZY2026100001'), []);
  assert.ok((await codes('ZY2026100002')).includes('P_UNFILED_NO_EMERGENCY_MARKER'));
  assert.ok((await codes('ZY2026100003')).includes('P_TRAUMA_NO_COMMITMENT'));
  const c4 = await codes('ZY2026100004');
  assert.ok(c4.includes('P_RESTRICTED_NOT_APPROVED') && c4.includes('P_PRICE_OVER_CEILING'), String(c4));
  assert.ok((await codes('ZY2026100005')).includes('P_FILING_EXPIRED'));
  assert.ok((await codes('ZY2026100006')).includes('P_XIECHA_THRESHOLD'));
  // Errors first: the ID-card reading of 002 经办规程§22 is unverified, so it only warns.
  assert.deepEqual(await codes('ZY2026100007'), ['P_ETIP_NO_FORM', 'P_ID_CARD_INTRA_PROVINCE_ONLY']);
  await shot(page, 'precheck-batch');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('measure: bundle size and time until the estimator answers', async () => {
  const dist = path.join(ROOT, 'web', 'dist');
  const wasm = readFileSync(path.join(dist, 'yidi_web_bg.wasm'));
  const js = readFileSync(path.join(dist, 'yidi_web.js'));
  const size = {
    wasm_raw: wasm.length,
    wasm_gzip: gzipSync(wasm, { level: 9 }).length,
    wasm_brotli: brotliCompressSync(wasm, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    js_raw: js.length,
    js_gzip: gzipSync(js, { level: 9 }).length,
    css_raw: statSync(path.join(dist, 'style.css')).size,
  };
  record('bundle_bytes', size);
  const runs = [];
  for (let i = 0; i < 3; i++) {
    const ctx = await browser.newContext({ serviceWorkers: 'block' });
    const page = await ctx.newPage();
    await page.goto(`${srv.base}/#/estimate`);
    await page.click('#e-run', { timeout: 30000 });
    await page.waitForSelector('#settlement-sheet');
    runs.push(await page.evaluate(() => ({ ready: window.__yidiReady, answered: window.__yidiEstimateMs })));
    await ctx.close();
  }
  const answered = runs.map((r) => r.answered).sort((a, b) => a - b);
  record('time_to_first_estimate_ms', { runs, median_answered_ms: answered[1] });
  console.log('bundle', size, 'first estimate (ms since navigation start)', answered);
  assert.ok(runs.every((r) => r.answered > 0));
});

test('pre-check keeps working with the server stopped (service worker)', async () => {
  // Runs last: it stops the suite's server.
  const own = srv;
  const { ctx, page } = await openApp(browser, own.base, '#/precheck');
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  // Once the worker controls the page, every app file is in its cache.
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await stopServer(own);
  srv = null;
  await assert.rejects(fetch(`${own.base}/v1/health`));
  await page.reload();
  await page.waitForSelector('#p-run', { timeout: 30000 });
  // A Xi'an insured person treated in Hangzhou (the form's defaults) who shows the resident ID card.
  await page.selectOption('#p-cert', '02');
  await page.click('#p-run');
  await page.waitForSelector('#precheck-result');
  const text = await page.textContent('#precheck-result');
  assert.match(text, /3 行|3 lines/);
  assert.ok(await page.locator('#findings tbody tr').count() >= 1, 'findings listed line by line');
  assert.equal(await page.locator('#findings td[data-code="P_ID_CARD_INTRA_PROVINCE_ONLY"]').count(), 1, '002 §22');
  await shot(page, 'precheck-offline');
  // Filing needs the server: it says so clearly instead of failing silently.
  await page.evaluate(() => localStorage.setItem('yidi.filings', JSON.stringify([{ id: 'Fdeadbeef', token: 'x' }])));
  await page.goto(`${own.base}/#/filings`);
  await page.waitForSelector('.error-box');
  assert.match(await page.textContent('.error-box'), /无法连接备案服务/);
  await ctx.close();
});

