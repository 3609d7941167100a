//! # yidi-web — the self-service web app of Yidi (异地)
//!
//! A Yew app for insured persons (备案 filing wizard, cost estimator), hospital billing staff (claim
//! pre-check) and agency auditors (verification of returned splits). The rules core is linked in and
//! runs in the page (wasm), through the same JSON API as every host, so pre-check, estimates and
//! verification keep working offline once the app is cached by its service worker. Only storing and
//! changing filings goes to the host's HTTP API (`yidi serve`, same origin).
//!
//! Built by `scripts/build-web.sh` into `web/dist/` (cargo + wasm-bindgen + wasm-opt, no trunk). The
//! crate also compiles natively so the workspace's clippy and unit tests cover it.

// Natively nothing renders (see `main`), so UI items look unused there; the wasm build uses them all.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

mod core_api;
mod dom;
mod filing_api;
mod host_api;
mod i18n;
mod pages;
mod records;
mod regions;
mod widgets;

use i18n::Lang;
use yew::prelude::*;

/// The app's pages, addressed by the URL hash so a bookmark or the back button works without a router.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Route {
    Home,
    Filing,
    MyFilings,
    Estimate,
    Precheck,
    Verify,
    Agency,
}

impl Route {
    pub const NAV: [Route; 7] = [
        Route::Home,
        Route::Filing,
        Route::MyFilings,
        Route::Estimate,
        Route::Precheck,
        Route::Verify,
        Route::Agency,
    ];
    pub fn from_hash(h: &str) -> Route {
        match h
            .trim_start_matches('#')
            .trim_start_matches('/')
            .split(['/', '?'])
            .next()
            .unwrap_or("")
        {
            "filing" => Route::Filing,
            "filings" => Route::MyFilings,
            "estimate" => Route::Estimate,
            "precheck" => Route::Precheck,
            "verify" => Route::Verify,
            "agency" => Route::Agency,
            _ => Route::Home,
        }
    }
    pub fn href(self) -> &'static str {
        match self {
            Route::Home => "#/",
            Route::Filing => "#/filing",
            Route::MyFilings => "#/filings",
            Route::Estimate => "#/estimate",
            Route::Precheck => "#/precheck",
            Route::Verify => "#/verify",
            Route::Agency => "#/agency",
        }
    }
    pub fn title(self, lang: Lang) -> &'static str {
        match self {
            Route::Home => lang.t("首页", "Home"),
            Route::Filing => lang.t("办理备案", "File"),
            Route::MyFilings => lang.t("我的备案", "My filings"),
            Route::Estimate => lang.t("费用估算", "Estimate"),
            Route::Precheck => lang.t("医院预检", "Pre-check"),
            Route::Verify => lang.t("经办核验", "Verify"),
            Route::Agency => lang.t("清算预警", "Clearing"),
        }
    }
}

#[component]
fn App() -> Html {
    let lang = use_state(|| Lang::from_tag(&dom::load("yidi.lang").unwrap_or_else(|| "zh".into())));
    let route = use_state(|| Route::from_hash(&dom::hash()));

    {
        let route = route.clone();
        use_effect_with((), move |_| {
            let listener = hash_listener(move || route.set(Route::from_hash(&dom::hash())));
            move || drop(listener)
        });
    }
    {
        let l = *lang;
        use_effect_with(l, move |l| {
            dom::set_document_lang(l.tag());
            dom::save("yidi.lang", l.tag());
        });
    }
    let toggle = {
        let lang = lang.clone();
        Callback::from(move |_: MouseEvent| lang.set(if *lang == Lang::Zh { Lang::En } else { Lang::Zh }))
    };
    let l = *lang;
    let page = match *route {
        Route::Home => html! { <pages::home::Home /> },
        Route::Filing => html! { <pages::filing::FilingWizard /> },
        Route::MyFilings => html! { <pages::filings::MyFilings /> },
        Route::Estimate => html! { <pages::estimate::Estimator /> },
        Route::Precheck => html! { <pages::precheck::Precheck /> },
        Route::Verify => html! { <pages::verify::Verify /> },
        Route::Agency => html! { <pages::agency::Agency /> },
    };
    html! {
        <ContextProvider<Lang> context={l}>
            <a class="skip" href="#main">{ l.t("跳到正文", "Skip to content") }</a>
            <header class="top">
                <a class="brand" href="#/">
                    <span class="logo" aria-hidden="true">{ "异" }</span>
                    <span>{ l.t("异地就医 · 自助", "Yidi · cross-region care") }</span>
                </a>
                <nav aria-label={l.t("主导航", "Main")}>
                    <ul>
                        { for Route::NAV.iter().skip(1).map(|r| {
                            let current = (*r == *route).then_some("page");
                            html! { <li><a href={r.href()} aria-current={current}>{ r.title(l) }</a></li> }
                        }) }
                    </ul>
                </nav>
                <button type="button" class="lang" id="lang-switch" onclick={toggle}
                    aria-label={l.t("Switch to English", "切换到中文")}>
                    { l.t("English", "中文") }
                </button>
            </header>
            <main id="main" tabindex="-1" data-route={format!("{:?}", *route)}>{ page }</main>
            <footer class="foot">
                <p>{ l.t(
                    "规则核心在本页面内运行（WebAssembly）：估算、预检、核验断网也可用。金额精确到分，四舍五入。",
                    "The rules core runs inside this page (WebAssembly): estimates, pre-checks and verification work offline. Amounts are exact to the fen, rounded half-up.") }</p>
            </footer>
        </ContextProvider<Lang>>
    }
}

/// Listen to `hashchange`; the listener is removed when the returned guard drops.
fn hash_listener(f: impl Fn() + 'static) -> Option<HashListener> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let window = web_sys::window()?;
    let closure = Closure::<dyn Fn()>::new(f);
    window
        .add_event_listener_with_callback("hashchange", closure.as_ref().unchecked_ref())
        .ok()?;
    Some(HashListener { window, closure })
}

struct HashListener {
    window: web_sys::Window,
    closure: wasm_bindgen::closure::Closure<dyn Fn()>,
}

impl Drop for HashListener {
    fn drop(&mut self) {
        use wasm_bindgen::JsCast;
        let _ = self
            .window
            .remove_event_listener_with_callback("hashchange", self.closure.as_ref().unchecked_ref());
    }
}

fn main() {
    // Natively this binary only exists so the workspace's clippy and tests cover the crate.
    #[cfg(target_arch = "wasm32")]
    yew::Renderer::<App>::new().render();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_round_trip_through_the_hash() {
        for r in Route::NAV {
            assert_eq!(Route::from_hash(r.href()), r);
        }
        assert_eq!(Route::from_hash(""), Route::Home);
        assert_eq!(Route::from_hash("#/estimate?x=1"), Route::Estimate);
    }
}
