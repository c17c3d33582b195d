//! Paid content: the creator's Markdown rendered to HTML and sanitized once, when it is saved;
//! the widget inserts exactly that HTML, so what is stored is all a reader's page can receive.
//!
//! The allow-list is ammonia's default — a conservative set of formatting tags and attributes;
//! no `<script>`, `<style>`, `<iframe>`, `<svg>`, forms, event handlers or `style` attributes —
//! with URLs limited to http, https, mailto and relative ones, and `rel="noopener noreferrer"`
//! on links. [`allow_list`] prints it; the README carries that text, and a test keeps the two
//! equal.

use pulldown_cmark::{Options, Parser, html};

/// The sanitizer, configured.
fn sanitizer() -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder.url_schemes(["http", "https", "mailto"].into()).link_rel(Some("noopener noreferrer"));
    builder
}

/// Renders Markdown to sanitized HTML safe to insert into any blog page.
pub fn render_markdown(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES | Options::ENABLE_TASKLISTS;
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
    sanitizer().clean(&unsafe_html).to_string()
}

/// The sanitizer's allow-list as Markdown (the README's "Content safety" section shows it).
pub fn allow_list() -> String {
    let builder = sanitizer();
    let sorted = |set: std::collections::HashSet<&str>| {
        let mut items: Vec<&str> = set.into_iter().collect();
        items.sort_unstable();
        items.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(" ")
    };
    let mut text = format!(
        "- Tags: {}
",
        sorted(builder.clone_tags())
    );
    text += &format!(
        "- Attributes on any tag: {}
",
        sorted(builder.clone_generic_attributes())
    );
    let per_tag = builder.clone_tag_attributes();
    let mut tags: Vec<&&str> = per_tag.keys().collect();
    tags.sort_unstable();
    for tag in tags {
        text += &format!(
            "- Attributes on `{tag}`: {}
",
            sorted(per_tag[*tag].clone())
        );
    }
    text += &format!(
        "- URL schemes: {} (and relative URLs)
",
        sorted(builder.clone_url_schemes())
    );
    text += "- Links get `rel=\"noopener noreferrer\"`; everything else (including `<script>` and `<style>` with their text) is removed.\n";
    text
}

#[cfg(test)]
mod tests {
    use super::{allow_list, render_markdown};

    #[test]
    fn markdown_becomes_html() {
        let html = render_markdown("# Title\n\nSome **bold** text, a [link](https://example.org/) and `code`.");
        assert!(html.contains("<h1>Title</h1>"), "{html}");
        assert!(html.contains("<strong>bold</strong>"), "{html}");
        assert!(html.contains(r#"<a href="https://example.org/" rel="noopener noreferrer">link</a>"#), "{html}");
        assert!(html.contains("<code>code</code>"), "{html}");
    }

    /// The tags of sanitized HTML, lowercased: text is escaped (`&lt;`), so every `<` opens a
    /// real tag, and only tags (with their attributes) can carry anything active.
    fn markup(html: &str) -> String {
        let mut tags = String::new();
        let mut inside = false;
        for c in html.chars() {
            match c {
                '<' => inside = true,
                '>' if inside => {
                    inside = false;
                    tags.push_str("> ");
                }
                _ if inside => tags.extend(c.to_lowercase()),
                _ => {}
            }
        }
        tags
    }

    /// What must never survive sanitizing in the markup, whatever the input.
    const NEVER: &[&str] = &[
        "script",
        "iframe",
        "frame",
        "svg",
        "math",
        "style",
        "object",
        "embed",
        "form",
        "input",
        "button",
        "link",
        "meta",
        "base",
        "template",
        "noscript",
        "javascript:",
        "vbscript:",
        "data:",
        "expression(",
        "style=",
        "srcdoc",
        "formaction",
        "xlink:",
        "onerror",
        "onload",
        "onclick",
        "onbegin",
        "ontoggle",
        "onmouseover",
        "onfocus",
        "http-equiv",
    ];

    /// Hostile Markdown and HTML, each with what must remain of it (harmless text or markup).
    const CORPUS: &[(&str, &str, &str)] = &[
        ("script tag", "<script>alert(1)</script>after", "after"),
        ("uppercase script with src", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>after", "after"),
        ("split script", "<scr<script>ipt>alert(1)</script>after", "after"),
        ("img onerror", "<img src=x onerror=alert(1)>", "<img src=\"x\">"),
        ("svg onload", "<svg onload=alert(1)>", ""),
        ("svg with script", "<svg><script>alert(1)</script></svg>after", "after"),
        ("svg animate onbegin", "<svg><animate onbegin=alert(1) attributeName=x dur=1s></svg>", ""),
        ("details ontoggle", "<details open ontoggle=alert(1)><summary>s</summary>x</details>", "<summary>s</summary>"),
        ("javascript href", "<a href=\"javascript:alert(1)\">x</a>", ">x</a>"),
        ("entity-encoded javascript", "<a href=\"&#106;avascript:alert(1)\">x</a>", ">x</a>"),
        ("tab inside javascript", "<a href=\"jav&#x09;ascript:alert(1)\">x</a>", ">x</a>"),
        ("markdown javascript link", "[x](javascript:alert(1))", ">x</a>"),
        ("markdown javascript image", "![x](javascript:alert(1))", "alt=\"x\""),
        ("markdown autolink", "<javascript:alert(1)>", "<a rel=\"noopener noreferrer\">"),
        ("data URL link", "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>", ">x</a>"),
        ("data URL image", "<img src=\"data:image/svg+xml,&lt;svg onload=alert(1)&gt;\">", "<img>"),
        ("vbscript", "<a href=\"vbscript:msgbox(1)\">x</a>", ">x</a>"),
        ("iframe", "<iframe src=\"https://evil.example\"></iframe>after", "after"),
        (
            "nested iframes with srcdoc",
            "<iframe><iframe srcdoc=\"<script>alert(1)</script>\"></iframe></iframe>after",
            "after",
        ),
        ("object and embed", "<object data=\"x.swf\"></object><embed src=\"x.swf\">after", "after"),
        ("CSS expression", "<div style=\"width: expression(alert(1))\">x</div>", "<div>x</div>"),
        ("style tag", "<style>body{background:url(javascript:alert(1))}</style>after", "after"),
        (
            "form and formaction",
            "<form action=\"https://evil.example\"><button formaction=\"javascript:alert(1)\">x</button></form>",
            "x",
        ),
        ("meta refresh", "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">after", "after"),
        ("base href", "<base href=\"https://evil.example/\">after", "after"),
        ("external stylesheet", "<link rel=stylesheet href=https://evil.example/x.css>after", "after"),
        ("math xlink", "<math><a xlink:href=\"javascript:alert(1)\">x</a></math>", "<p>"),
        ("template", "<template><script>alert(1)</script></template>after", "after"),
        ("noscript breakout", "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">", ""),
        ("comment breakout", "<!--<img src=\"--><img src=x onerror=alert(1)//\">", ""),
        ("html block with handler", "<div onclick=\"alert(1)\">\n\n**bold**\n\n</div>", "<strong>bold</strong>"),
        ("target blank link", "<a href=\"https://example.org\" target=\"_blank\">x</a>", "rel=\"noopener noreferrer\""),
    ];

    #[test]
    fn the_hostile_corpus_comes_out_harmless_case_by_case() {
        for (name, input, kept) in CORPUS {
            let html = render_markdown(input);
            let tags = markup(&html);
            for never in NEVER {
                assert!(!tags.contains(never), "{name}: {never:?} survived in {html}");
            }
            assert!(html.contains(kept), "{name}: expected {kept:?} in {html}");
        }
    }

    #[test]
    fn the_readme_states_the_allow_list_in_force() {
        assert_eq!(
            crate::doc_section("operators/security.md", "sanitizer-allow-list"),
            allow_list(),
            "README's allow-list differs from the sanitizer's: update the README"
        );
    }
}
