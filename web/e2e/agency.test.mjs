// Browser tests of the agency page (#/agency) against the real `yidi serve`, in headless Debian Chromium:
// the committed sample month cleared in the page gives the figures documented in core/src/clearing/README.md,
// the rendered notices are byte-identical to tests/samples/clearing/expected/, and it works offline.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, startServer, stopServer, launch, openApp, shot } from './harness.mjs';

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

const expected = (name) => readFileSync(path.join(ROOT, 'tests/samples/clearing/expected', name), 'utf8');

/** The signed net of `party` in a netting table, as shown (+ receives, − pays). */
async function net(page, table, party) {
  return (await page.textContent(`#${table} tr[data-party="${party}"] .net`)).trim();
}

async function download(page, button) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  return { name: d.suggestedFilename(), text: readFileSync(await d.path(), 'utf8') };
}

test('agency page: the sample month of Xi\'an, its notices, netting, calendar and prepayment warnings', async () => {
  const { ctx, page, errors } = await openApp(browser, srv.base, '#/agency');
  await page.waitForSelector('#a-run');
  assert.equal(await page.getAttribute('nav a[href="#/agency"]', 'aria-current'), 'page');

  // Errors are shown next to the field that caused them, and the focus moves there.
  await page.fill('#a-records', '');
  await page.click('#a-run');
  await page.waitForSelector('#a-records-err');
  assert.match(await page.textContent('#a-records-err'), /结算记录/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'a-records');
  assert.equal(await page.getAttribute('#a-records', 'aria-invalid'), 'true');
  await page.fill('#a-region', '6101');
  await page.click('#a-sample');
  await page.click('#a-run');
  await page.waitForSelector('#a-region-err');
  assert.match(await page.textContent('#a-region-err'), /6 位数字/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'a-region');
  await page.fill('#a-prepay', '610100,somewhere,1');
  await page.fill('#a-region', '610100');
  await page.click('#a-run');
  await page.waitForSelector('#a-prepay-err');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'a-prepay');

  // The sample month for Xi'an with its two prepayments, run from the keyboard.
  await page.fill('#a-month', '');
  await page.focus('#a-sample');
  await page.keyboard.press('Enter');
  assert.equal(await page.inputValue('#a-month'), '2026-10');
  assert.match(await page.inputValue('#a-records'), /"setl_id": "S001"/);
  await page.fill('#a-printed', '2026-11-27');
  await page.fill('#a-prepay', '610100,省内,6000.00\n610100,跨省,100000.00');
  await page.focus('#a-run');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#agency-result');

  assert.equal(await page.getAttribute('#a-balanced', 'data-balanced'), 'true');
  assert.equal(await page.textContent('#a-read'), '17');
  assert.equal(await page.textContent('#a-cleared'), '15');
  assert.match(await page.textContent('#a-notes'), /S108/);

  // Cross-province net by province (003 §38) and Shaanxi's intra-province netting (003 四(二)).
  const national = 'netting-cross_province-province-national';
  for (const [party, n] of [['110000', '+40200.00'], ['230000', '−5400.00'], ['330000', '+19800.00'],
    ['430000', '+900.00'], ['610000', '−55500.00']]) {
    assert.equal(await net(page, national, party), n, `cross-province ${party}`);
  }
  assert.match(await page.textContent(`#${national} tr[data-party="230000"]`), /黑龙江省/);
  const intra = 'netting-intra_province-city-610000';
  for (const [party, n] of [['610100', '+21210.30'], ['610200', '−9000.00'], ['610300', '−17810.30'], ['610400', '+5600.00']]) {
    assert.equal(await net(page, intra, party), n, `intra-province ${party}`);
  }
  for (const [party, n] of [['610100', '−58600.00'], ['610200', '−2300.00'], ['610300', '+5400.00']]) {
    assert.equal(await net(page, 'netting-cross_province-city-610000', party), n, `Shaanxi city ${party}`);
  }

  // Xi'an's intra-province receivable notice (002 附件16): 26810.30 with Tongchuan's return starred (§56).
  const recv = '#notice-receivable-intra_province-city-610100';
  assert.equal((await page.textContent(`${recv} .notice-total`)).trim(), '26810.30');
  assert.equal(await page.textContent(`${recv} .daxie`), '贰万陆仟捌佰壹拾元叁角');
  const starred = page.locator(`${recv} tbody tr[data-star="true"]`);
  assert.equal(await starred.count(), 1);
  const cells = (await starred.locator('td').allTextContents()).map((c) => c.trim());
  assert.deepEqual(cells, ['铜川市*', '1', '600.00', '0.00', '600.00']);
  const recvRows = await page.locator(`${recv} tbody tr`).allTextContents();
  assert.equal(recvRows.length, 3);
  assert.match(recvRows[2], /宝鸡市.*18130\.30.*320\.00.*17810\.30/);
  // Cross-province payable: Hunan's return starred, Beijing after the 1000.00 deduction.
  const pay = '#notice-payable-cross_province-city-610100';
  assert.equal((await page.textContent(`${pay} .notice-total`)).trim(), '73400.00');
  assert.match(await page.textContent(`${pay} tbody`), /湖南省\*/);
  assert.equal((await page.textContent('#notice-payable-intra_province-city-610100 .notice-total')).trim(), '5600.00');
  assert.equal((await page.textContent('#notice-receivable-cross_province-city-610100 .notice-total')).trim(), '14800.00');

  // Prepayment warnings: intra 5600 ÷ 6000 = 93.33 % red with the top-up deadline; cross yellow at 72.5 %: the
  // payable notice's 73400.00 less the 900.00 Xi'an returns as a treatment place (starred; 000 §17).
  const red = page.locator('.prepay-warning[data-scope="intra_province"]');
  assert.equal(await red.getAttribute('data-level'), 'red');
  const redText = await red.textContent();
  assert.match(redText, /93\.33%/);
  assert.match(redText, /2026-12-04.*预付金紧急调增.*002 §28/);
  assert.match(redText, /000 §21; 003 §30/);
  const yellow = page.locator('.prepay-warning[data-scope="cross_province"]');
  assert.equal(await yellow.getAttribute('data-level'), 'yellow');
  assert.match(await yellow.textContent(), /72\.5%/);

  // The dated clearing calendar of Shaanxi's profile, each step with its citation.
  const cal = await page.textContent('#a-calendar');
  assert.match(cal, /2026-11-20 前.*跨省：完成清算对账确认.*002 §52/);
  assert.match(cal, /2026-11-27.*下载打印收付款通知书/);
  assert.match(cal, /2027 年的节假日数据/);
  for (const cite of await page.locator('#a-calendar tbody td:last-child').allTextContents()) assert.match(cite, /§/);
  await shot(page, 'agency');

  // English switch.
  await page.click('#lang-switch');
  await page.waitForSelector('text=Prepayment warnings');
  assert.match(await page.textContent('#agency-result'), /Netting/);
  assert.equal(await net(page, national, '610000'), '−55500.00');
  await shot(page, 'agency-en');
  await page.click('#lang-switch');
  await page.waitForSelector('text=预付金预警');

  // Every party's notices (no region) download byte-identical to what `yidi clear` writes.
  await page.fill('#a-region', '');
  await page.fill('#a-prepay', '');
  await page.click('#a-run');
  await page.waitForFunction(() => document.querySelector('#a-notice-count')?.textContent === '25');
  const csv = await download(page, '#a-dl-notices-csv');
  assert.equal(csv.name, 'yidi-2026-10.notices.csv');
  assert.equal(csv.text, expected('2026-10.notices.csv'));
  assert.equal((await download(page, '#a-dl-notices-html')).text, expected('2026-10.notices.html'));
  assert.equal((await download(page, '#a-dl-netting-csv')).text, expected('2026-10.netting.csv'));
  assert.equal((await download(page, '#a-dl-journal-csv')).text, expected('2026-10.journal.csv'));

  // The CSV copy of the sample, uploaded, clears alike.
  await page.setInputFiles('#a-file', path.join(ROOT, 'tests/samples/clearing/2026-10.csv'));
  await page.waitForFunction(() => document.querySelector('#a-records')?.value.startsWith('setl_id'));
  await page.click('#a-run');
  await page.waitForFunction(() => document.querySelector('#a-records')?.value.startsWith('setl_id')
    && document.querySelector('#a-notice-count')?.textContent === '25');
  assert.equal((await download(page, '#a-dl-notices-csv')).text, expected('2026-10.notices.csv'));
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('agency page on a phone, and offline with the sample month', async () => {
  const { ctx, page } = await openApp(browser, srv.base, '#/agency', { viewport: { width: 375, height: 740 } });
  await page.waitForSelector('#a-sample');
  await page.click('#a-sample');
  await page.click('#a-run');
  await page.waitForSelector('#agency-result');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375, `no horizontal scroll on a phone (${width}px)`);
  await shot(page, 'agency-phone');
  // Once the service worker controls the page, the sample month clears with the server stopped.
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  const own = srv;
  await stopServer(own);
  srv = null;
  await assert.rejects(fetch(`${own.base}/v1/health`));
  await page.reload();
  await page.waitForSelector('#a-sample', { timeout: 30000 });
  await page.click('#a-sample');
  await page.click('#a-run');
  await page.waitForSelector('#agency-result');
  assert.equal(await page.getAttribute('#a-balanced', 'data-balanced'), 'true');
  assert.equal((await page.textContent('#notice-receivable-intra_province-city-610100 .notice-total')).trim(), '26810.30');
  await ctx.close();
});
