//! plog's server: an axum API that prices paywalls, creates Stripe PaymentIntents, records
//! purchases from Stripe's signed webhooks and serves paid content to paying readers.
//!
//! `main.rs` only parses the command line ([`cli`]) and runs it; tests build the same
//! [`startup::Application`] on port 0.

pub mod catalog;
pub mod cli;
pub mod client_ip;
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
pub mod widget_build;

/// The text of the README between `<!-- NAME -->` and `<!-- /NAME -->`: generated sections (the
/// sanitizer's allow-list, the purchase state table) that tests keep equal to the code.
#[cfg(test)]
pub(crate) fn readme_section(name: &str) -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let open = format!("<!-- {name} -->\n");
    let start = readme.find(&open).unwrap_or_else(|| panic!("README marks {open:?}")) + open.len();
    let end =
        readme[start..].find(&format!("<!-- /{name} -->")).unwrap_or_else(|| panic!("README ends {name}")) + start;
    readme[start..end].to_owned()
}

/// The layers of `api/src`, lowest first: a module may use modules of its own layer or of the
/// layers below, never above (docs/ARCHITECTURE.md explains each). A test holds the tree to it.
#[cfg(test)]
pub(crate) const LAYERS: [(&str, &[&str]); 5] = [
    ("foundations", &["config", "markdown", "metrics", "purchase_state", "sites", "telemetry", "tokens"]),
    ("adapters", &["mailer", "store", "stripe", "widget_build"]),
    ("domain", &["catalog", "doctor", "error", "export", "limits", "offers", "payments", "receipts", "report"]),
    ("web", &["client_ip", "dashboard", "http", "sandbox", "state"]),
    ("entry", &["cli", "startup"]),
];

#[cfg(test)]
mod architecture {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    use super::LAYERS;

    /// Every `crate::MODULE` a file of each top-level module names (comments aside).
    fn uses() -> BTreeMap<String, BTreeSet<String>> {
        fn walk(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, files);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    files.push(path);
                }
            }
        }
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        walk(&src, &mut files);
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
            for other in used.iter().filter(|name| *name != "readme_section") {
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
}
