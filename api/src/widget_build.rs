//! The widget's Trunk build as plog serves it: every file of the build in memory, and the loader
//! `plog.js` with this build's content-hashed file names filled in. The build is embedded in the
//! binary (`build.rs`), so a `plog` needs no folder beside it; `PLOG_WIDGET_DIR` serves another
//! build from a folder instead (development: a fresh `scripts/build-widget` without rebuilding plog).
//! `http::widget_files` serves it, `plog doctor` checks it is there.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Context;
use axum::body::Bytes;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_widget.rs"));
}

/// Trunk's content hash of the build embedded in this binary (`none` if it was built without).
pub const EMBEDDED_HASH: &str = env!("PLOG_WIDGET_HASH");

/// Where the files came from, for logs and `plog doctor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Built into this binary.
    Embedded,
    /// Read from this folder at start-up.
    Folder(String),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Embedded => write!(f, "embedded in this binary (build {EMBEDDED_HASH})"),
            Origin::Folder(dir) => write!(f, "read from {dir}"),
        }
    }
}

/// The build's files and the loader, ready to serve.
#[derive(Debug, Clone)]
pub struct WidgetAssets {
    loader: String,
    files: HashMap<String, Bytes>,
    origin: Origin,
}

impl WidgetAssets {
    /// The build embedded in this binary, if it was built with one.
    pub fn embedded() -> anyhow::Result<WidgetAssets> {
        anyhow::ensure!(
            !embedded::FILES.is_empty(),
            "this plog was built without the widget (build it with `scripts/build-widget`, then plog; or set PLOG_WIDGET_DIR)"
        );
        let files = embedded::FILES.iter().map(|(name, bytes)| ((*name).to_owned(), Bytes::from_static(bytes)));
        WidgetAssets::from_files(files.collect(), Origin::Embedded)
    }

    /// Reads the Trunk build in `dir`.
    pub fn load(dir: &Path) -> anyhow::Result<WidgetAssets> {
        let mut files = HashMap::new();
        for entry in std::fs::read_dir(dir).with_context(|| format!("Failed to list {}", dir.display()))? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                let bytes =
                    std::fs::read(entry.path()).with_context(|| format!("Failed to read {:?}", entry.path()))?;
                files.insert(entry.file_name().to_string_lossy().into_owned(), Bytes::from(bytes));
            }
        }
        WidgetAssets::from_files(files, Origin::Folder(dir.display().to_string()))
            .with_context(|| format!("{} holds no widget build (build it: scripts/build-widget)", dir.display()))
    }

    /// The build in `dir` if one is given, else the embedded one.
    pub fn find(dir: Option<&Path>) -> anyhow::Result<WidgetAssets> {
        match dir {
            Some(dir) => WidgetAssets::load(dir),
            None => WidgetAssets::embedded(),
        }
    }

    fn from_files(mut files: HashMap<String, Bytes>, origin: Origin) -> anyhow::Result<WidgetAssets> {
        // The stylesheet comes with the widget's components (this binary links them, and the
        // loader paints their HTML): named by its content like the build's files.
        let css = stylesheet_name();
        files.insert(css.clone(), Bytes::from_static(plog_widget::theme::STYLESHEET.as_bytes()));
        let loader = files.get("plog.js").context("no plog.js")?;
        let loader = std::str::from_utf8(loader).context("plog.js is not UTF-8")?;
        let named =
            |suffix: &str| files.keys().find(|name| name.starts_with("plog-widget") && name.ends_with(suffix)).cloned();
        let wasm = named("_bg.wasm").context("no plog-widget*_bg.wasm")?;
        // The glue is the module named like the .wasm; the build's other scripts (the chunks'
        // loader) are imported by it.
        let js = wasm.replace("_bg.wasm", ".js");
        if !files.contains_key(&js) {
            anyhow::bail!("no {js} beside {wasm}");
        }
        // The chunks' loader of a split build (scripts/build-widget), which the glue imports.
        let chunks = Some(wasm.replace("_bg.wasm", "-chunks.js")).filter(|name| files.contains_key(name));
        let loader = loader
            .replace("__PLOG_WIDGET_CHUNKS__", chunks.as_deref().unwrap_or_default())
            .replace("__PLOG_WIDGET_JS__", &js)
            .replace("__PLOG_WIDGET_WASM__", &wasm)
            .replace("__PLOG_WIDGET_CSS__", &css);
        Ok(WidgetAssets { loader, files, origin })
    }

    /// The loader's text, with the hashed names filled in.
    pub fn loader(&self) -> &str {
        &self.loader
    }

    /// One file of the build by its name (`plog-widget-HASH.js`, …), if there is one.
    pub fn file(&self, name: &str) -> Option<Bytes> {
        self.files.get(name).cloned()
    }

    /// Where the files came from.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }
}

/// `plog-widget-HASH.css`: the stylesheet's name, from the first 16 hex digits of its SHA-256.
pub fn stylesheet_name() -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(plog_widget::theme::STYLESHEET.as_bytes());
    format!("plog-widget-{}.css", &hex::encode(digest)[..16])
}
