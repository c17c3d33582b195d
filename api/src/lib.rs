//! plog's server: an axum API that prices paywalls, creates Stripe PaymentIntents, records
//! purchases from Stripe's signed webhooks and serves paid content to paying readers.
//!
//! `main.rs` only parses the command line ([`cli`]) and runs it; tests build the same
//! [`startup::Application`] on port 0.

pub mod api_tokens;
pub mod catalog;
pub mod cli;
pub mod client_ip;
pub mod clock;
pub mod config;
pub mod dashboard;
pub mod doctor;
pub mod error;
pub mod export;
pub mod http;
pub mod limits;
pub mod mailer;
pub mod markdown;
pub mod metrics;
pub mod offers;
pub mod payments;
pub mod purchase_state;
pub mod receipts;
pub mod report;
pub mod sandbox;
pub mod sites;
pub mod startup;
pub mod state;
pub mod store;
pub mod stripe;
pub mod telemetry;
pub mod tokens;
pub mod wallets;
pub mod widget_build;

/// The text of a page of the docs (`docs/PAGE`) between `<!-- NAME -->` and `<!-- /NAME -->`:
/// generated sections (the sanitizer's allow-list, the purchase state table) that tests keep
/// equal to the code.
#[cfg(test)]
pub(crate) fn doc_section(page: &str, name: &str) -> String {
    let text = std::fs::read_to_string(format!("{}/../docs/{page}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let open = format!("<!-- {name} -->\n");
    let start = text.find(&open).unwrap_or_else(|| panic!("docs/{page} marks {open:?}")) + open.len();
    let end =
        text[start..].find(&format!("<!-- /{name} -->")).unwrap_or_else(|| panic!("docs/{page} ends {name}")) + start;
    text[start..end].to_owned()
}

/// The layers of `api/src`, lowest first: a module may use modules of its own layer or of the
/// layers below, never above (docs/ARCHITECTURE.md explains each). A test holds the tree to it.
#[cfg(test)]
pub(crate) const LAYERS: [(&str, &[&str]); 5] = [
    ("foundations", &["clock", "config", "markdown", "metrics", "purchase_state", "sites", "telemetry", "tokens"]),
    ("adapters", &["mailer", "store", "stripe", "widget_build"]),
    (
        "domain",
        &["api_tokens", "catalog", "doctor", "export", "limits", "offers", "payments", "receipts", "report", "wallets"],
    ),
    ("web", &["client_ip", "dashboard", "error", "http", "sandbox", "state"]),
    ("entry", &["cli", "startup"]),
];

#[cfg(test)]
mod architecture {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    use super::LAYERS;

    /// Every `.rs` file under `dir`, at any depth.
    fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files.extend(rust_files(&path));
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
        files
    }

    /// Every `crate::MODULE` a file of each top-level module names (comments aside).
    fn uses() -> BTreeMap<String, BTreeSet<String>> {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let files = rust_files(&src);
        let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for file in files {
            let relative = file.strip_prefix(&src).unwrap();
            let first = relative.components().next().unwrap().as_os_str().to_string_lossy();
            let module = first.trim_end_matches(".rs").to_owned();
            if module == "lib" || module == "main" {
                continue;
            }
            let text = std::fs::read_to_string(&file).unwrap();
            let used = uses.entry(module.clone()).or_default();
            for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
                for (at, _) in line.match_indices("crate::") {
                    let name: String =
                        line[at + 7..].chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
                    if name != module {
                        used.insert(name);
                    }
                }
            }
        }
        uses
    }

    fn layer_of(module: &str) -> Option<usize> {
        LAYERS.iter().position(|(_, modules)| modules.contains(&module))
    }

    #[test]
    fn every_module_has_a_layer_and_uses_only_its_own_or_lower_ones() {
        let uses = uses();
        for (module, used) in &uses {
            let layer = layer_of(module).unwrap_or_else(|| panic!("{module} is in no layer of lib.rs's LAYERS"));
            for other in used.iter().filter(|name| *name != "doc_section") {
                let other_layer = layer_of(other).unwrap_or_else(|| panic!("{module} uses {other}, in no layer"));
                assert!(
                    other_layer <= layer,
                    "{module} ({}) uses {other} ({}), a layer above it",
                    LAYERS[layer].0,
                    LAYERS[other_layer].0
                );
            }
        }
    }

    #[test]
    fn no_two_modules_use_each_other_even_through_others() {
        let uses = uses();
        // Depth-first search; a module met again while it is still on the path closes a cycle.
        fn visit<'a>(
            module: &'a str,
            uses: &'a BTreeMap<String, BTreeSet<String>>,
            path: &mut Vec<&'a str>,
            done: &mut BTreeSet<&'a str>,
        ) {
            if let Some(start) = path.iter().position(|m| *m == module) {
                panic!("import cycle: {} → {module}", path[start..].join(" → "));
            }
            if !done.insert(module) {
                return;
            }
            path.push(module);
            for next in uses.get(module).into_iter().flatten().filter(|n| uses.contains_key(n.as_str())) {
                visit(next, uses, path, done);
            }
            path.pop();
        }
        let mut done = BTreeSet::new();
        for module in uses.keys() {
            visit(module, &uses, &mut Vec::new(), &mut done);
        }
    }

    /// The module path of every `.rs` file under `src`: `http/admin.rs` → `["http", "admin"]`,
    /// `http/mod.rs` → `["http"]`, `lib.rs` → `[]`; and whether the file is its folder's root.
    fn file_modules(src: &Path) -> Vec<(Vec<String>, bool, String)> {
        rust_files(src)
            .into_iter()
            .map(|file| {
                let relative = file.strip_prefix(src).unwrap();
                let mut segments: Vec<String> = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().trim_end_matches(".rs").to_owned())
                    .collect();
                let root = matches!(segments.last().map(String::as_str), Some("mod" | "lib" | "main"));
                if root {
                    segments.pop();
                }
                let text = std::fs::read_to_string(&file).unwrap();
                let code: Vec<&str> = text.lines().filter(|l| !l.trim_start().starts_with("//")).collect();
                (segments, root, code.join("\n"))
            })
            .collect()
    }

    /// The module paths a file's code names through `crate::`, `super::` and `self::`, brace
    /// groups of `use` included (their first-level names).
    fn named_paths(code: &str, module: &[String]) -> Vec<Vec<String>> {
        let ident =
            |text: &str| -> String { text.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect() };
        let mut found = Vec::new();
        for start in ["crate::", "super::", "self::"] {
            for (at, _) in code.match_indices(start) {
                if code[..at].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
                    continue;
                }
                // Where the path starts: the crate root, or this file's module (or its parent).
                let mut base: Vec<String> = match start {
                    "crate::" => Vec::new(),
                    "self::" => module.to_vec(),
                    _ => module[..module.len().saturating_sub(1)].to_vec(),
                };
                let mut rest = &code[at + start.len()..];
                while let Some(tail) = rest.strip_prefix("super::") {
                    base.pop();
                    rest = tail;
                }
                let mut path = base.clone();
                loop {
                    if let Some(group) = rest.strip_prefix('{') {
                        let mut depth = 0;
                        let end = group
                            .char_indices()
                            .find(|&(_, c)| {
                                depth += i32::from(c == '{') - i32::from(c == '}');
                                depth < 0
                            })
                            .map_or(group.len(), |(i, _)| i);
                        let mut level = 0;
                        let mut item_start = 0;
                        for (i, c) in group[..end].char_indices().chain(std::iter::once((end, ','))) {
                            match c {
                                '{' => level += 1,
                                '}' => level -= 1,
                                ',' if level == 0 => {
                                    let item = group[item_start..i].trim();
                                    let mut item_path = path.clone();
                                    for part in item.split("::").map(ident).take_while(|p| !p.is_empty()) {
                                        item_path.push(part);
                                    }
                                    found.push(item_path);
                                    item_start = i + 1;
                                }
                                _ => {}
                            }
                        }
                        break;
                    }
                    let name = ident(rest);
                    if name.is_empty() {
                        found.push(path);
                        break;
                    }
                    path.push(name.clone());
                    rest = &rest[name.len()..];
                    match rest.strip_prefix("::") {
                        Some(tail) => rest = tail,
                        None => {
                            found.push(path);
                            break;
                        }
                    }
                }
            }
        }
        found
    }

    /// Which file uses which other file of the same tree, leaving out a folder's root and its own
    /// files (a `mod.rs` names its children to declare them, and they may use what it shares).
    fn file_uses(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
        let files = file_modules(src);
        let modules: BTreeSet<Vec<String>> = files.iter().map(|(m, _, _)| m.clone()).collect();
        let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (module, _, code) in &files {
            let used = uses.entry(module.join("::")).or_default();
            for path in named_paths(code, module) {
                // The longest prefix of the path that is a file of the tree.
                let Some(target) = (0..=path.len()).rev().map(|n| path[..n].to_vec()).find(|p| modules.contains(p))
                else {
                    continue;
                };
                let related = target.starts_with(module) || module.starts_with(&target);
                if !related {
                    used.insert(target.join("::"));
                }
            }
        }
        uses
    }

    /// A cycle of the graph, if it has one.
    fn cycle(uses: &BTreeMap<String, BTreeSet<String>>) -> Option<String> {
        fn visit<'a>(
            node: &'a str,
            uses: &'a BTreeMap<String, BTreeSet<String>>,
            path: &mut Vec<&'a str>,
            done: &mut BTreeSet<&'a str>,
        ) -> Option<String> {
            if let Some(start) = path.iter().position(|m| *m == node) {
                return Some(format!("{} → {node}", path[start..].join(" → ")));
            }
            if !done.insert(node) {
                return None;
            }
            path.push(node);
            for next in uses.get(node).into_iter().flatten() {
                if let Some(found) = visit(next, uses, path, done) {
                    return Some(found);
                }
            }
            path.pop();
            None
        }
        let mut done = BTreeSet::new();
        uses.keys().find_map(|node| visit(node, uses, &mut Vec::new(), &mut done))
    }

    #[test]
    fn no_two_files_use_each_other_even_through_others_in_the_server_or_the_widget() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        for src in [root.join("src"), root.join("../widget/src")] {
            let uses = file_uses(&src);
            assert!(uses.len() > 10, "{} files read in {}", uses.len(), src.display());
            if let Some(found) = cycle(&uses) {
                panic!("import cycle between files of {}: {found}", src.display());
            }
        }
    }

    #[test]
    fn the_file_cycle_check_finds_a_cycle_between_siblings_and_through_braces() {
        let module = |path: &str| path.split("::").map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(
            named_paths("use super::{admin, extract::Path};", &module("http::offers")),
            [module("http::admin"), module("http::extract::Path")]
        );
        assert_eq!(named_paths("crate::store::now()", &module("http::paywalls")), [module("store::now")]);
        let graph: BTreeMap<String, BTreeSet<String>> = [
            ("http::admin".to_owned(), BTreeSet::from(["http::offers".to_owned()])),
            ("http::offers".to_owned(), BTreeSet::from(["http::admin".to_owned()])),
        ]
        .into();
        assert_eq!(cycle(&graph).as_deref(), Some("http::admin → http::offers → http::admin"));
    }
}
