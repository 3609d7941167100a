//! A small table of 医保区划 codes for the destination picker: every province-level unit and its major
//! cities. Filing goes to a city or a municipality; only 海南, 西藏 and 新疆生产建设兵团 may be filed at
//! province level (002 经办规程§14; 003 §11). The core decides validity; this table only offers choices.

pub struct Province {
    pub code: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    /// 直辖市: the municipality itself is the filing destination.
    pub municipality: bool,
    /// 海南, 西藏, 兵团: the whole province may be chosen.
    pub province_level_filing: bool,
    pub cities: &'static [(&'static str, &'static str, &'static str)],
}

const fn p(
    code: &'static str,
    zh: &'static str,
    en: &'static str,
    cities: &'static [(&'static str, &'static str, &'static str)],
) -> Province {
    Province {
        code,
        zh,
        en,
        municipality: false,
        province_level_filing: false,
        cities,
    }
}
const fn m(code: &'static str, zh: &'static str, en: &'static str) -> Province {
    Province {
        code,
        zh,
        en,
        municipality: true,
        province_level_filing: false,
        cities: &[],
    }
}
const fn whole(
    code: &'static str,
    zh: &'static str,
    en: &'static str,
    cities: &'static [(&'static str, &'static str, &'static str)],
) -> Province {
    Province {
        code,
        zh,
        en,
        municipality: false,
        province_level_filing: true,
        cities,
    }
}

pub const PROVINCES: &[Province] = &[
    m("110000", "北京市", "Beijing"),
    m("120000", "天津市", "Tianjin"),
    p(
        "130000",
        "河北省",
        "Hebei",
        &[
            ("130100", "石家庄市", "Shijiazhuang"),
            ("130200", "唐山市", "Tangshan"),
            ("130600", "保定市", "Baoding"),
        ],
    ),
    p(
        "140000",
        "山西省",
        "Shanxi",
        &[("140100", "太原市", "Taiyuan"), ("140200", "大同市", "Datong")],
    ),
    p(
        "150000",
        "内蒙古自治区",
        "Inner Mongolia",
        &[("150100", "呼和浩特市", "Hohhot"), ("150200", "包头市", "Baotou")],
    ),
    p(
        "210000",
        "辽宁省",
        "Liaoning",
        &[("210100", "沈阳市", "Shenyang"), ("210200", "大连市", "Dalian")],
    ),
    p(
        "220000",
        "吉林省",
        "Jilin",
        &[
            ("220100", "长春市", "Changchun"),
            ("220200", "吉林市", "Jilin City"),
        ],
    ),
    p(
        "230000",
        "黑龙江省",
        "Heilongjiang",
        &[
            ("230100", "哈尔滨市", "Harbin"),
            ("230200", "齐齐哈尔市", "Qiqihar"),
            ("230600", "大庆市", "Daqing"),
        ],
    ),
    m("310000", "上海市", "Shanghai"),
    p(
        "320000",
        "江苏省",
        "Jiangsu",
        &[
            ("320100", "南京市", "Nanjing"),
            ("320200", "无锡市", "Wuxi"),
            ("320500", "苏州市", "Suzhou"),
        ],
    ),
    p(
        "330000",
        "浙江省",
        "Zhejiang",
        &[
            ("330100", "杭州市", "Hangzhou"),
            ("330200", "宁波市", "Ningbo"),
            ("330300", "温州市", "Wenzhou"),
        ],
    ),
    p(
        "340000",
        "安徽省",
        "Anhui",
        &[("340100", "合肥市", "Hefei"), ("340200", "芜湖市", "Wuhu")],
    ),
    p(
        "350000",
        "福建省",
        "Fujian",
        &[("350100", "福州市", "Fuzhou"), ("350200", "厦门市", "Xiamen")],
    ),
    p(
        "360000",
        "江西省",
        "Jiangxi",
        &[("360100", "南昌市", "Nanchang"), ("360700", "赣州市", "Ganzhou")],
    ),
    p(
        "370000",
        "山东省",
        "Shandong",
        &[("370100", "济南市", "Jinan"), ("370200", "青岛市", "Qingdao")],
    ),
    p(
        "410000",
        "河南省",
        "Henan",
        &[("410100", "郑州市", "Zhengzhou"), ("410300", "洛阳市", "Luoyang")],
    ),
    p(
        "420000",
        "湖北省",
        "Hubei",
        &[("420100", "武汉市", "Wuhan"), ("420500", "宜昌市", "Yichang")],
    ),
    p(
        "430000",
        "湖南省",
        "Hunan",
        &[
            ("430100", "长沙市", "Changsha"),
            ("430200", "株洲市", "Zhuzhou"),
            ("430300", "湘潭市", "Xiangtan"),
        ],
    ),
    p(
        "440000",
        "广东省",
        "Guangdong",
        &[
            ("440100", "广州市", "Guangzhou"),
            ("440300", "深圳市", "Shenzhen"),
            ("440600", "佛山市", "Foshan"),
        ],
    ),
    p(
        "450000",
        "广西壮族自治区",
        "Guangxi",
        &[("450100", "南宁市", "Nanning"), ("450300", "桂林市", "Guilin")],
    ),
    whole(
        "460000",
        "海南省",
        "Hainan",
        &[("460100", "海口市", "Haikou"), ("460200", "三亚市", "Sanya")],
    ),
    m("500000", "重庆市", "Chongqing"),
    p(
        "510000",
        "四川省",
        "Sichuan",
        &[("510100", "成都市", "Chengdu"), ("510700", "绵阳市", "Mianyang")],
    ),
    p(
        "520000",
        "贵州省",
        "Guizhou",
        &[("520100", "贵阳市", "Guiyang"), ("520300", "遵义市", "Zunyi")],
    ),
    p(
        "530000",
        "云南省",
        "Yunnan",
        &[
            ("530100", "昆明市", "Kunming"),
            ("532900", "大理白族自治州", "Dali"),
        ],
    ),
    whole("540000", "西藏自治区", "Tibet", &[("540100", "拉萨市", "Lhasa")]),
    p(
        "610000",
        "陕西省",
        "Shaanxi",
        &[
            ("610100", "西安市", "Xi'an"),
            ("610300", "宝鸡市", "Baoji"),
            ("610400", "咸阳市", "Xianyang"),
        ],
    ),
    p("620000", "甘肃省", "Gansu", &[("620100", "兰州市", "Lanzhou")]),
    p("630000", "青海省", "Qinghai", &[("630100", "西宁市", "Xining")]),
    p(
        "640000",
        "宁夏回族自治区",
        "Ningxia",
        &[("640100", "银川市", "Yinchuan")],
    ),
    p(
        "650000",
        "新疆维吾尔自治区",
        "Xinjiang",
        &[("650100", "乌鲁木齐市", "Ürümqi")],
    ),
    whole(
        "660000",
        "新疆生产建设兵团",
        "Xinjiang Production and Construction Corps",
        &[],
    ),
];

/// Regions whose insured-place policy pack ships with the core (the fallback when `packs.list` is absent).
pub const PACK_REGIONS: &[&str] = &["610100", "330100", "430100", "230100"];

pub fn province_of(code: &str) -> Option<&'static Province> {
    let pre = code.get(..2)?;
    PROVINCES.iter().find(|p| &p.code[..2] == pre)
}

/// Display name of a region code (city or province), in both languages.
pub fn name(code: &str) -> Option<(&'static str, &'static str)> {
    let prov = province_of(code)?;
    if code == prov.code {
        return Some((prov.zh, prov.en));
    }
    prov.cities.iter().find(|c| c.0 == code).map(|c| (c.1, c.2))
}

/// Whether a province-level code may be chosen as a destination (municipality or 海南/西藏/兵团).
pub fn province_selectable(p: &Province) -> bool {
    p.municipality || p.province_level_filing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        for p in PROVINCES {
            assert_eq!(&p.code[2..], "0000", "{}", p.zh);
            assert!(
                p.municipality || p.province_level_filing || !p.cities.is_empty(),
                "{} has no city",
                p.zh
            );
            for c in p.cities {
                assert_eq!(&c.0[..2], &p.code[..2], "{}", c.1);
                assert_eq!(&c.0[4..], "00", "{}", c.1);
            }
        }
        let whole: Vec<_> = PROVINCES
            .iter()
            .filter(|p| p.province_level_filing)
            .map(|p| p.code)
            .collect();
        assert_eq!(whole, ["460000", "540000", "660000"]);
        for r in PACK_REGIONS {
            assert!(name(r).is_some(), "{r}");
        }
        assert_eq!(name("610100"), Some(("西安市", "Xi'an")));
    }

    /// The core prints its own names beside region codes on clearing notices
    /// (core/data/calendar/regions.json): a code both tables know must have the same name in both, so
    /// the picker and the notices never call one place two things.
    #[test]
    fn names_agree_with_the_cores_notices() {
        let core: serde_json::Value =
            serde_json::from_str(include_str!("../../core/data/calendar/regions.json")).unwrap_or_default();
        let names = core["names"].as_object().cloned().unwrap_or_default();
        assert!(names.len() > 30, "core names: {}", names.len());
        let mut shared = 0;
        for (code, zh) in &names {
            if let Some((ours, _)) = name(code) {
                assert_eq!(Some(ours), zh.as_str(), "{code}");
                shared += 1;
            }
        }
        assert!(shared > 30, "only {shared} codes in both tables");
    }
}
