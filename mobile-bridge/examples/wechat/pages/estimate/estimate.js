// WeChat mini-program page: estimate what an insured person pays with and without a filing.
// `npm install yidi-bridge`, then 构建 npm: the package's `miniprogram` folder (with yidi.wasm.br)
// lands in miniprogram_npm/yidi-bridge/. WXWebAssembly takes only a path inside the package.
const { load } = require('yidi-bridge');

// An estimate page needs only the estimate module (filing: false, hospital: false skip the other two).
const core = load({ wasm: '/miniprogram_npm/yidi-bridge/yidi.wasm.br', filing: false, hospital: false });

Page({
  data: { payWithFiling: '', payWithout: '', saves: '', savesDaxie: '', error: '' },

  async onLoad() {
    const yidi = await core;
    try {
      const r = yidi.estimate({
        person: { psn_no: 'P610003', insutype: '390', psn_type: '1501', insuplc_admdvs: '610100' },
        mdtrtarea_admvs: '330100', // Hangzhou
        hosp_lv: '3',
        filing: 'other_temporary',
        begndate: '2025-08-01',
        // Money is always a decimal string, never a JS number.
        costs: { jia: '8000', yi: '2000', bing: '500', yi_selfpay_prop: '0.10' }
      });
      const [withFiling, without] = r.scenarios;
      this.setData({
        payWithFiling: withFiling.pay_at_facility,
        payWithout: without.pay_at_facility,
        saves: r.filing_saves,
        savesDaxie: yidi.amountDaxie({ amount: r.filing_saves }).daxie
      });
    } catch (e) {
      // A YidiError: stable code, messages in both languages, the field at fault.
      this.setData({ error: `${e.code} ${e.message_zh} ${e.path}` });
    }
  }
});
