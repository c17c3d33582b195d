//! The widget's Trunk build (`PLOG_WIDGET_DIR`, default `dist/`) as plog serves it: the loader
//! `plog.js` with this build's content-hashed file names filled in. Read once at start-up;
//! `http::widget_files` serves it, `plog doctor` checks it is there.

use std::path::Path;

use anyhow::Context;

/// The loader with this build's file names, ready to serve.
#[derive(Debug, Clone)]
pub struct WidgetAssets {
    loader: String,
}

impl WidgetAssets {
    /// Reads the Trunk build in `dir`: the loader and the names of the hashed glue and .wasm.
    pub fn load(dir: &Path) -> anyhow::Result<WidgetAssets> {
        let loader = std::fs::read_to_string(dir.join("plog.js")).with_context(|| {
            format!("Failed to read {}/plog.js (build the widget: trunk build --release)", dir.display())
        })?;
        let mut js = None;
        let mut wasm = None;
        for entry in std::fs::read_dir(dir).with_context(|| format!("Failed to list {}", dir.display()))? {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if name.starts_with("plog-widget") && name.ends_with("_bg.wasm") {
                wasm = Some(name);
            } else if name.starts_with("plog-widget") && name.ends_with(".js") {
                js = Some(name);
            }
        }
        let js = js.with_context(|| format!("No plog-widget*.js in {}", dir.display()))?;
        let wasm = wasm.with_context(|| format!("No plog-widget*_bg.wasm in {}", dir.display()))?;
        Ok(WidgetAssets { loader: loader.replace("__PLOG_WIDGET_JS__", &js).replace("__PLOG_WIDGET_WASM__", &wasm) })
    }

    /// The loader's text, with the hashed names filled in.
    pub fn loader(&self) -> &str {
        &self.loader
    }
}
