//! Paid content: the creator's Markdown rendered to HTML and sanitized once, when it is saved.
//!
//! The allow-list is ammonia's default (a conservative set of formatting tags and attributes; no
//! `<script>`, `<style>`, `<iframe>`, event handlers or `style` attributes; URLs limited to
//! http, https, mailto and relative ones), with `rel="noopener noreferrer"` on links.

use pulldown_cmark::{Options, Parser, html};

/// Renders Markdown to sanitized HTML safe to insert into any blog page.
pub fn render_markdown(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS;
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto"].into())
        .link_rel(Some("noopener noreferrer"))
        .clean(&unsafe_html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::render_markdown;

    #[test]
    fn markdown_becomes_html() {
        let html = render_markdown("# Title\n\nSome **bold** text.");
        assert!(html.contains("<h1>Title</h1>"), "{html}");
        assert!(html.contains("<strong>bold</strong>"), "{html}");
    }

    #[test]
    fn script_tags_are_removed() {
        let html = render_markdown("Hello <script>alert('x')</script> world");
        assert!(!html.to_lowercase().contains("<script"), "{html}");
        assert!(!html.contains("alert("), "{html}");
    }

    #[test]
    fn event_handlers_are_removed() {
        let html = render_markdown(r#"<img src="a.png" onerror="alert(1)"> <p onclick="x()">p</p>"#);
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
        assert!(html.contains("<img src=\"a.png\""), "{html}");
    }

    #[test]
    fn javascript_urls_are_removed() {
        let html = render_markdown("[click](javascript:alert(1)) <a href=\"JaVaScRiPt:alert(2)\">b</a>");
        assert!(!html.to_lowercase().contains("javascript:"), "{html}");
        let html = render_markdown("[ok](https://example.org/)");
        assert!(html.contains("href=\"https://example.org/\""), "{html}");
        assert!(html.contains("rel=\"noopener noreferrer\""), "{html}");
    }

    #[test]
    fn iframes_styles_and_data_urls_are_removed() {
        let html = render_markdown(
            "<iframe src=\"https://evil\"></iframe><style>*{}</style><a href=\"data:text/html,x\">d</a>",
        );
        assert!(!html.contains("<iframe"), "{html}");
        assert!(!html.contains("<style"), "{html}");
        assert!(!html.contains("data:"), "{html}");
    }
}
