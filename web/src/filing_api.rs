//! Filing data of the page: the wizard's form, the request it makes of the core (`filing.validate`), and the
//! host's filing registry (`/v1/filings…`), with the receipts kept on this device.

use crate::core_api::ApiErr;
use crate::dom;
use crate::host_api;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Clone, PartialEq, Debug)]
pub struct FilingForm {
    pub insured: String,
    pub insutype: String,
    pub psn_type: String,
    pub psn_name: String,
    pub certno: String,
    pub category: String,
    pub province: String,
    pub city: String,
    pub begndate: String,
    pub retroactive: bool,
    pub admission: String,
    pub residence_proof: bool,
    pub commitment: bool,
    pub referral_certificate: bool,
    /// Also register chronic/special outpatient diseases (门诊慢特病) with the filing: where the insured place
    /// asks for it separately (Hunan, 001 §8), such visits settle directly only when registered.
    pub chronic_disease: bool,
    /// The day of application (today, from the browser's clock; the core has none).
    pub applied: String,
}

impl FilingForm {
    pub fn new(today: &str) -> Self {
        FilingForm {
            insured: "610100".into(),
            insutype: "310".into(),
            psn_type: "11".into(),
            psn_name: String::new(),
            certno: String::new(),
            category: String::new(),
            province: String::new(),
            city: String::new(),
            begndate: today.into(),
            retroactive: false,
            admission: String::new(),
            residence_proof: false,
            commitment: false,
            referral_certificate: false,
            chronic_disease: false,
            applied: today.into(),
        }
    }
    pub fn new_today() -> Self {
        Self::new(&dom::today())
    }

    /// The page's own checks of a step (presence and shape); the rules themselves are the core's.
    pub fn check_step(&self, step: usize) -> Result<(), ApiErr> {
        let miss = |field: &str, zh: &str, en: &str| Err(ApiErr::new("E_MISSING_FIELD", zh, en).at(field));
        match step {
            0 => {
                if self.psn_name.trim().is_empty() {
                    return miss("psn_name", "请填写姓名", "Please enter your name");
                }
                if !certno_shape_ok(&self.certno) {
                    return miss(
                        "certno",
                        "身份证号应为 18 位：17 位数字加 1 位数字或 X",
                        "An ID card number has 18 characters: 17 digits and a digit or X",
                    );
                }
                Ok(())
            }
            1 if self.category.is_empty() => miss("category", "请选择人员类别", "Please choose a category"),
            2 if self.province.is_empty() => miss("province", "请选择省份", "Please choose a province"),
            2 if self.city.is_empty() => miss("city", "请选择地市", "Please choose a city"),
            3 if self.retroactive && self.admission.is_empty() => miss(
                "admission",
                "补办备案请填写入院日期",
                "Please enter the admission date for a retroactive filing",
            ),
            3 if !self.retroactive && self.begndate.is_empty() => {
                miss("begndate", "请填写开始日期", "Please enter the start date")
            }
            _ => Ok(()),
        }
    }

    pub fn start(&self) -> &str {
        if self.retroactive {
            &self.admission
        } else {
            &self.begndate
        }
    }

    pub fn applicant(&self) -> Value {
        json!({ "insuplc_admdvs": self.insured, "insutype": self.insutype })
    }

    /// The `filing.validate` request (the core's `FilingApplication`). It carries no `existing`: this device
    /// keeps only receipts, not the filings themselves. The host adds the person's filings on record when it
    /// validates the submission again, so a second filing for the same place is refused there.
    pub fn validate_request(&self) -> Value {
        let mut r = json!({
            "applicant": self.applicant(),
            "category": self.category,
            "rloc_admdvs": self.city,
            "begndate": self.start(),
            "applied_date": self.applied,
            "materials": {
                "residence_proof": self.residence_proof,
                "commitment": self.commitment,
                "referral_certificate": self.referral_certificate,
            },
            "chronic_disease": self.chronic_disease,
        });
        if self.retroactive {
            r["retroactive"] = json!({ "admission_date": self.admission, "discharge_settled": false });
        }
        r
    }
}

fn certno_shape_ok(c: &str) -> bool {
    c.len() == 18
        && c[..17].chars().all(|ch| ch.is_ascii_digit())
        && c[17..].chars().all(|ch| ch.is_ascii_digit() || ch == 'X')
}

/// What the host hands back once: the filing's number and its receipt token (the only key to it).
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Receipt {
    pub id: String,
    pub token: String,
    #[serde(default)]
    pub decision: Value,
}

const STORE_KEY: &str = "yidi.filings";

/// Receipts saved on this device (newest first).
pub fn saved() -> Vec<Receipt> {
    dom::load(STORE_KEY)
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default()
}

pub fn save_all(all: &[Receipt]) {
    if let Ok(s) = serde_json::to_string(all) {
        dom::save(STORE_KEY, &s);
    }
}

fn remember(r: &Receipt) {
    let mut all = saved();
    all.retain(|x| x.id != r.id);
    all.insert(
        0,
        Receipt {
            decision: Value::Null,
            ..r.clone()
        },
    );
    save_all(&all);
}

pub fn forget(id: &str) {
    let mut all = saved();
    all.retain(|x| x.id != id);
    save_all(&all);
}

/// Store a filing with the host (which validates it again with the same core).
pub async fn submit(form: &FilingForm) -> Result<Receipt, ApiErr> {
    let mut body = form.validate_request();
    body["certno"] = json!(form.certno);
    let v = host_api::send("POST", "/v1/filings", Some(&body), None, None)
        .await
        .map_err(|e| {
            if e.code == "E_CERTNO" && e.path.is_none() {
                e.at("certno")
            } else {
                e
            }
        })?;
    let id = v
        .get("id")
        .or_else(|| v.get("filing_id"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let token = v
        .get("token")
        .or_else(|| v.get("receipt_token"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if id.is_empty() || token.is_empty() {
        return Err(ApiErr::new(
            "E_HTTP",
            "备案服务的应答缺少编号或凭证",
            "the filing service's reply lacks an id or token",
        ));
    }
    let r = Receipt {
        id,
        token,
        decision: v,
    };
    remember(&r);
    Ok(r)
}

/// One stored filing as the host shows it to its owner.
pub async fn fetch(r: &Receipt) -> Result<Value, ApiErr> {
    host_api::send(
        "GET",
        &format!("/v1/filings/{}", r.id),
        None,
        Some(&r.token),
        None,
    )
    .await
}

/// Change a filing (the host runs `filing.change` of the core and refuses with its citation).
/// `version` is the version the person saw (sent as `If-Match`).
pub async fn change(r: &Receipt, version: Option<i64>, body: &Value) -> Result<Value, ApiErr> {
    host_api::send(
        "PUT",
        &format!("/v1/filings/{}", r.id),
        Some(body),
        Some(&r.token),
        version,
    )
    .await
}

pub async fn cancel(r: &Receipt, version: Option<i64>, body: &Value) -> Result<Value, ApiErr> {
    host_api::send(
        "POST",
        &format!("/v1/filings/{}/cancel", r.id),
        Some(body),
        Some(&r.token),
        version,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_point_errors_at_their_fields() {
        let mut f = FilingForm::new("2026-11-22");
        assert!(f.check_step(0).unwrap_err().is_about("psn_name"));
        f.psn_name = "张三".into();
        f.certno = "61010119800101001".into();
        assert!(f.check_step(0).unwrap_err().is_about("certno"));
        f.certno = "61010119800101001X".into();
        assert!(f.check_step(0).is_ok());
        assert!(f.check_step(1).unwrap_err().is_about("category"));
        f.retroactive = true;
        assert!(f.check_step(3).unwrap_err().is_about("admission"));
        f.admission = "2026-11-20".into();
        assert_eq!(f.validate_request()["begndate"], "2026-11-20");
        assert_eq!(
            f.validate_request()["retroactive"]["admission_date"],
            "2026-11-20"
        );
        assert_eq!(f.validate_request()["chronic_disease"], false);
        f.chronic_disease = true;
        assert_eq!(f.validate_request()["chronic_disease"], true);
    }
}

#[cfg(test)]
mod core_tests {
    use super::*;
    use crate::core_api::call;

    fn form(category: &str, city: &str) -> FilingForm {
        let mut f = FilingForm::new("2026-11-22");
        f.psn_name = "王五".into();
        f.certno = "11010519491231002X".into();
        f.category = category.into();
        f.province = format!("{}0000", &city[..2]);
        f.city = city.into();
        f
    }

    #[test]
    fn a_referral_to_hangzhou_is_accepted_with_a_six_month_window() {
        let mut f = form("referral", "330100");
        f.referral_certificate = true;
        let d = call("filing.validate", f.validate_request()).unwrap();
        assert_eq!(d["accepted"], true, "{d}");
        assert_eq!(d["window"]["months"], 6, "{d}");
        assert_eq!(d["window"]["enddate"], "2027-05-21");
    }

    #[test]
    fn refusals_name_their_field() {
        let f = form("referral", "330100");
        let d = call("filing.validate", f.validate_request()).unwrap();
        assert_eq!(d["accepted"], false);
        assert_eq!(d["refusals"][0]["field"], "materials", "{d}");
    }

    #[test]
    fn a_long_term_change_inside_the_lock_is_refused() {
        let mut f = form("retiree_resettled", "460000");
        f.commitment = true;
        let d = call("filing.validate", f.validate_request()).unwrap();
        assert_eq!(d["accepted"], true, "{d}");
        let change = json!({ "applicant": f.applicant(), "filing": d["filing"], "date": "2026-12-01",
                             "reason": "personal", "documents": false, "changes": { "rloc_admdvs": "430100" } });
        let c = call("filing.change", change).unwrap();
        assert_eq!(c["allowed"], false, "{c}");
        assert_eq!(c["refusals"][0]["code"], "F_CHANGE_LOCKED");
    }
}
