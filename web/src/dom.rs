//! Small browser helpers: today's date, local storage, file download, print. Everything fallible
//! degrades quietly (a private window without storage still works, it just forgets).

use wasm_bindgen::JsCast;

/// Today's date in China (UTC+8), as `YYYY-MM-DD` (the core takes dates as inputs, it has no clock).
/// Not the device's time zone: filing dates follow the Chinese calendar day, and the registry checks an
/// application's dates against China's today — a phone set to another zone would otherwise propose a
/// start date the server refuses as past (or accept one a day early).
pub fn today() -> String {
    const UTC8_MS: f64 = 8.0 * 3600.0 * 1000.0;
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(js_sys::Date::now() + UTC8_MS));
    format!(
        "{:04}-{:02}-{:02}",
        d.get_utc_full_year(),
        d.get_utc_month() + 1,
        d.get_utc_date()
    )
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn load(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

pub fn save(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

/// Offer `text` as a file download (CSV export).
pub fn download(filename: &str, mime: &str, text: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(a) = doc
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        a.set_href(&url);
        a.set_download(filename);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

pub fn print() {
    if let Some(w) = web_sys::window() {
        let _ = w.print();
    }
}

pub fn set_document_lang(tag: &str) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = el.set_attribute("lang", tag);
    }
}

pub fn hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Milliseconds since navigation start (for the time-to-first-estimate measurement).
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// Read an uploaded file as text: UTF-8, else GB18030 — what Excel on Chinese Windows and many hospital
/// systems save (the same rule as `yidi verify`'s file reader). `File.text()` alone would turn every
/// Chinese name of such a file into replacement characters.
pub async fn read_file(file: web_sys::File) -> Result<String, String> {
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| format!("{e:?}"))?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    if let Ok(s) = String::from_utf8(bytes.clone()) {
        return Ok(s.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(s));
    }
    let strict = web_sys::TextDecoderOptions::new();
    strict.set_fatal(true);
    web_sys::TextDecoder::new_with_label_and_options("gb18030", &strict)
        .and_then(|d| d.decode_with_u8_array(&bytes))
        .map_err(|_| {
            "文件既不是 UTF-8 也不是 GB18030 文本 / the file is neither UTF-8 nor GB18030 text".to_string()
        })
}

/// Value of the input/select/textarea an event came from.
pub fn event_value(e: &yew::Event) -> String {
    let Some(t) = e.target() else { return String::new() };
    if let Some(i) = t.dyn_ref::<web_sys::HtmlInputElement>() {
        return i.value();
    }
    if let Some(s) = t.dyn_ref::<web_sys::HtmlSelectElement>() {
        return s.value();
    }
    if let Some(a) = t.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        return a.value();
    }
    String::new()
}

pub fn event_checked(e: &yew::Event) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .is_some_and(|i| i.checked())
}

/// The first file of a file input's change event.
pub fn event_file(e: &yew::Event) -> Option<web_sys::File> {
    e.target()?
        .dyn_into::<web_sys::HtmlInputElement>()
        .ok()?
        .files()?
        .get(0)
}

/// Move the keyboard focus to the control with this id (the field an error is about).
pub fn focus(id: &str) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}
