// Browser test: an agency suspends a person's filing (暂停) through the registry's agency endpoint; "My filings"
// shows it suspended with the reason and the core's explanation in Chinese and English, offers no change or
// cancellation; after the agency restores it (恢复) it is active again. Real `yidi serve`, headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, launch, openApp, shot, idNumber, today, AGENCY_KEY } from './harness.mjs';

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

async function agency(id, action, body) {
  const r = await fetch(`${srv.base}/v1/registry/filings/${id}/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-agency-key': AGENCY_KEY },
    body: JSON.stringify(body),
  });
  assert.equal(r.status, 200, await r.clone().text());
  return r.json();
}

test('a filing suspended by the agency shows as suspended, with why, in both languages; restored, it is active again', async () => {
  const r = await fetch(`${srv.base}/v1/filings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ certno: idNumber(), applicant: { insuplc_admdvs: '610100', insutype: '310' },
      category: 'other_temporary', rloc_admdvs: '110000', begndate: today(), materials: {} }),
  });
  assert.equal(r.status, 201, await r.clone().text());
  const { result } = await r.json();
  const id = result.filing_id;
  const { ctx, page, errors } = await openApp(browser, srv.base, '#/');
  // The receipt kept on this device, as the filing page keeps it.
  await page.evaluate((rec) => localStorage.setItem('yidi.filings', JSON.stringify([rec])), { id, token: result.receipt_token });
  await agency(id, 'suspend', { reason: '就医地发现冒名就医，已上报', actor: 'treatment_place' });

  await page.goto(`${srv.base}/#/filings`);
  const item = page.locator(`[data-filing-id="${id}"]`);
  await item.locator('.status-suspended').waitFor();
  assert.match(await item.locator('.status-suspended').textContent(), /直接结算已暂停/);
  const note = await item.locator('.treatment-note').textContent();
  assert.match(note, /就医地发现冒名就医，已上报/);
  assert.match(note, /暂停期间不能凭该备案直接结算/);
  assert.match(note, /002 §58/);
  assert.equal(await page.locator(`#change-${id}`).count(), 0, 'no change while suspended');
  assert.equal(await page.locator(`#cancel-${id}`).count(), 0, 'no cancellation while suspended');
  await shot(page, 'filing-suspended');

  await page.click('#lang-switch');
  await item.locator('.status-suspended').waitFor();
  assert.match(await item.locator('.status-suspended').textContent(), /direct settlement suspended/);
  assert.match(await item.locator('.treatment-note').textContent(), /cannot be used for direct settlement until the insured place's agency restores it/);
  await page.click('#lang-switch');

  await agency(id, 'resume', { reason: '核查完毕' });
  await page.reload();
  await item.locator('.status-active').waitFor();
  assert.match(await item.locator('.treatment-note').textContent(), /恢复/);
  assert.equal(await page.locator(`#cancel-${id}`).count(), 1, 'active again: it may be cancelled');
  assert.deepEqual(errors, []);
  await ctx.close();
});
