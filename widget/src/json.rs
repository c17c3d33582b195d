//! Reading the API's JSON with the browser's own `JSON.parse` instead of serde_json: the widget
//! ships to every reader, and a JSON library is the largest thing it would otherwise carry.

use wasm_bindgen::JsValue;

/// Parses JSON text; `None` if it is not JSON.
pub fn parse(text: &str) -> Option<JsValue> {
    js_sys::JSON::parse(text).ok()
}

/// A field of an object.
pub fn field(value: &JsValue, key: &str) -> Option<JsValue> {
    js_sys::Reflect::get(value, &JsValue::from_str(key)).ok().filter(|v| !v.is_undefined() && !v.is_null())
}

/// A string field.
pub fn string(value: &JsValue, key: &str) -> Option<String> {
    field(value, key)?.as_string()
}

/// An integer field (JSON numbers up to 2^53 are exact).
pub fn integer(value: &JsValue, key: &str) -> Option<i64> {
    let n = field(value, key)?.as_f64()?;
    (n.fract() == 0.0 && n.abs() < 9.0e15).then_some(n as i64)
}

/// A boolean field.
pub fn boolean(value: &JsValue, key: &str) -> Option<bool> {
    field(value, key)?.as_bool()
}

/// Builds a plain object from key/value pairs.
pub fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let object = js_sys::Object::new();
    for (key, value) in pairs {
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object.into()
}

/// JSON text of a value (strings escaped by the browser's `JSON.stringify`).
pub fn stringify(value: &JsValue) -> String {
    js_sys::JSON::stringify(value).ok().and_then(|s| s.as_string()).unwrap_or_default()
}
