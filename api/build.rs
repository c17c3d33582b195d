//! Embeds the widget's build (`dist/`, or the folder in `PLOG_WIDGET_BUILD`) into the
//! `plog` binary, so a release build or `cargo install` is a complete plog: it writes
//! `$OUT_DIR/embedded_widget.rs` with every file of the build (`include_bytes!`, so the bytes
//! live in the binary), and sets `PLOG_WIDGET_HASH` to the build's content hash (the
//! one in its file names, scripts/build-widget) for `plog --version`.
//!
//! Without a build a debug binary still compiles (it then serves the widget only from
//! `PLOG_WIDGET_DIR`); a release build refuses, since it would ship a plog that sells nothing.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=PLOG_WIDGET_BUILD");
    let dir = match std::env::var_os("PLOG_WIDGET_BUILD") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("../dist"),
    };
    // A directory here makes cargo rebuild when any file in it changes (a new widget build).
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<(String, PathBuf)> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_file()))
            .map(|entry| (entry.file_name().to_string_lossy().into_owned(), entry.path()))
            .collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    let hash = files.iter().find_map(|(name, _)| {
        name.strip_prefix("plog-widget-").and_then(|rest| rest.strip_suffix("_bg.wasm")).map(str::to_owned)
    });
    let complete = hash.is_some() && files.iter().any(|(name, _)| name == "plog.js");
    if !complete {
        let message = format!(
            "no widget build in {} to embed: run `scripts/build-widget` first (scripts/setup does)",
            dir.display()
        );
        if std::env::var("PROFILE").as_deref() == Ok("release") {
            panic!("{message}; a release plog must carry its widget");
        }
        println!("cargo:warning={message}; this debug plog serves the widget only from PLOG_WIDGET_DIR");
        files.clear();
    }
    let hash = if complete { hash } else { None };
    let mut code = String::from("/// The widget's files, embedded at build time: (file name, bytes).\n");
    code.push_str("pub static FILES: &[(&str, &[u8])] = &[\n");
    for (name, path) in &files {
        let path = path.canonicalize().unwrap();
        writeln!(code, "    ({name:?}, include_bytes!({:?})),", path.display().to_string()).unwrap();
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap()).join("embedded_widget.rs");
    std::fs::write(out, code).unwrap();
    println!("cargo:rustc-env=PLOG_WIDGET_HASH={}", hash.as_deref().unwrap_or("none"));
}
