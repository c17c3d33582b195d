//! The `plog` command's paywall verbs, run as a real process against a real SQLite file.

use std::process::Command;

fn plog(db: &str, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_plog"))
        .args(args)
        .env("PLOG_DATABASE_URL", db)
        .env("PLOG_PUBLIC_URL", "https://pay.example.org")
        .output()
        .unwrap();
    (output.status.success(), String::from_utf8_lossy(&output.stdout).into(), String::from_utf8_lossy(&output.stderr).into())
}

#[test]
fn paywall_create_prints_the_id_and_the_tag_and_list_show_archive_work() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("cli.db").display());
    let content = dir.path().join("paid.md");
    std::fs::write(&content, "# Paid\n\nThe rest.").unwrap();

    let (ok, out, err) = plog(&db, &["paywall", "create", "--title", "My article", "--price", "1.50", "--currency", "usd", "--content", content.to_str().unwrap()]);
    assert!(ok, "{err}");
    let mut lines = out.lines();
    let id = lines.next().unwrap().to_owned();
    assert!(id.starts_with("pw_"), "{out}");
    assert_eq!(lines.next().unwrap(), format!(r#"<script src="https://pay.example.org/plog.js" data-paywall="{id}" async></script>"#));

    let (ok, out, _) = plog(&db, &["paywall", "list"]);
    assert!(ok && out.contains(&id) && out.contains("1.50 USD") && out.contains("My article"), "{out}");
    let (ok, out, _) = plog(&db, &["paywall", "show", &id]);
    assert!(ok && out.contains("data-paywall"), "{out}");
    let (ok, out, _) = plog(&db, &["paywall", "archive", &id]);
    assert!(ok && out.contains("archived"), "{out}");
    let (_, out, _) = plog(&db, &["paywall", "list"]);
    assert!(out.contains("archived"), "{out}");
}

#[test]
fn paywall_create_refuses_bad_prices_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("cli.db").display());
    let content = dir.path().join("paid.md");
    std::fs::write(&content, "paid").unwrap();
    let path = content.to_str().unwrap();
    let (ok, _, err) = plog(&db, &["paywall", "create", "--title", "T", "--price", "1.5", "--currency", "jpy", "--content", path]);
    assert!(!ok && err.contains("JPY has no fractional unit"), "{err}");
    let (ok, _, err) = plog(&db, &["paywall", "create", "--title", "T", "--price", "10", "--currency", "jpy", "--content", path]);
    assert!(!ok && err.contains("minimum"), "{err}");
    let (ok, _, err) = plog(&db, &["paywall", "create", "--title", "T", "--price", "10", "--currency", "zzz", "--content", path]);
    assert!(!ok && err.contains("not supported"), "{err}");
    let (_, out, _) = plog(&db, &["paywall", "list"]);
    assert_eq!(out.lines().count(), 1, "only the header: {out}");
}

#[test]
fn paywall_create_takes_the_sites_it_sells_on() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("cli.db").display());
    let content = dir.path().join("paid.md");
    std::fs::write(&content, "paid").unwrap();
    let path = content.to_str().unwrap();
    let base = ["paywall", "create", "--title", "T", "--price", "100", "--currency", "jpy", "--content", path];
    let (ok, _, err) = plog(&db, &[&base[..], &["--origin", "https://blog.example/post"]].concat());
    assert!(!ok && err.contains("not an origin"), "{err}");
    let (ok, out, err) = plog(&db, &[&base[..], &["--origin", "https://Blog.example", "--origin", "http://localhost:8081"]].concat());
    assert!(ok, "{err}");
    let id = out.lines().next().unwrap();
    let (_, shown, _) = plog(&db, &["paywall", "show", id]);
    assert!(shown.contains("sites:    http://localhost:8081 https://blog.example"), "{shown}");
}

#[test]
fn paywall_create_makes_tip_jars_and_pay_what_you_want_paywalls() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("cli.db").display());
    let content = dir.path().join("thanks.md");
    std::fs::write(&content, "Thank you!").unwrap();
    let path = content.to_str().unwrap();
    let (ok, out, err) = plog(&db, &["paywall", "create", "--title", "Tips", "--price", "100", "--currency", "jpy", "--content", path,
        "--mode", "tip", "--presets", "100,500,1000", "--show-count"]);
    assert!(ok, "{err}");
    let (_, shown, _) = plog(&db, &["paywall", "show", out.lines().next().unwrap()]);
    assert!(shown.contains("mode:     tip") && shown.contains("presets:  100, 500, 1000"), "{shown}");
    let (ok, out, err) = plog(&db, &["paywall", "create", "--title", "PWYW", "--price", "1.00", "--currency", "usd", "--content", path,
        "--mode", "pay-what-you-want", "--suggested", "3", "--maximum", "50"]);
    assert!(ok, "{err}");
    let (_, shown, _) = plog(&db, &["paywall", "show", out.lines().next().unwrap()]);
    assert!(shown.contains("mode:     pay_what_you_want") && shown.contains("suggested: 3.00") && shown.contains("maximum:  50.00"), "{shown}");
    let (ok, _, err) = plog(&db, &["paywall", "create", "--title", "T", "--price", "100", "--currency", "jpy", "--content", path,
        "--mode", "tip", "--presets", "1.5"]);
    assert!(!ok && err.contains("--presets") && err.contains("no fractional unit"), "{err}");
    let (ok, _, err) = plog(&db, &["paywall", "create", "--title", "T", "--price", "100", "--currency", "jpy", "--content", path, "--mode", "auction"]);
    assert!(!ok && err.contains("use fixed, pay-what-you-want or tip"), "{err}");
}
