//! Per-site paywalls: the origins of the blogs a paywall sells on, in the one spelling browsers
//! send in `Origin` (`scheme://host[:port]`, lowercase, punycode, default port dropped), stored
//! space-separated. An empty list sells on any site.

/// Most origins one paywall may list.
pub const MAX_ORIGINS: usize = 20;

/// The canonical spelling of an origin, or why the text is not one.
pub fn canonical_origin(text: &str) -> Result<String, String> {
    let text = text.trim();
    let not_an_origin = |why: &str| format!("{text:?} is not an origin like https://blog.example: {why}");
    let url = url::Url::parse(text).map_err(|e| not_an_origin(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(not_an_origin("the scheme must be http or https"));
    }
    if url.host().is_none() {
        return Err(not_an_origin("it has no host"));
    }
    if !url.username().is_empty()
        || url.password().is_some()
        || url.path() != "/"
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(not_an_origin("write only scheme://host[:port], without a path, query or credentials"));
    }
    Ok(url.origin().ascii_serialization())
}

/// Validates a list of origins and returns their stored form (sorted, without duplicates).
pub fn canonical_origins(list: &[String]) -> Result<String, String> {
    if list.len() > MAX_ORIGINS {
        return Err(format!("origins: at most {MAX_ORIGINS} sites per paywall"));
    }
    let mut origins =
        list.iter().map(|o| canonical_origin(o)).collect::<Result<Vec<_>, _>>().map_err(|e| format!("origins: {e}"))?;
    origins.sort();
    origins.dedup();
    Ok(origins.join(" "))
}

/// The stored form as a list.
pub fn origin_list(stored: &str) -> Vec<String> {
    stored.split_whitespace().map(str::to_owned).collect()
}

/// True if a page at `origin` (the `Origin` header as sent) may use a paywall with these sites.
pub fn allows(stored: &str, origin: &str) -> bool {
    stored.trim().is_empty() || stored.split_whitespace().any(|site| site == origin)
}

/// [`allows`], with plog's own origin (`own`, its public URL's) as one of every paywall's sites:
/// each paywall's article page (`/r/{id}`) is there.
pub fn sells(stored: &str, origin: &str, own: Option<&str>) -> bool {
    allows(stored, origin) || own == Some(origin)
}

/// True if the creator named `origin` in the list: unlike [`allows`], an empty list names none.
/// Whatever carries a secret to a site (a mail's link with a restore code) needs this.
pub fn listed(stored: &str, origin: &str) -> bool {
    stored.split_whitespace().any(|site| site == origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_take_the_spelling_browsers_send() {
        assert_eq!(canonical_origin("https://Blog.Example/").unwrap(), "https://blog.example");
        assert_eq!(canonical_origin("https://blog.example:443").unwrap(), "https://blog.example");
        assert_eq!(canonical_origin("http://localhost:8081").unwrap(), "http://localhost:8081");
        assert_eq!(canonical_origin("https://ブログ.jp").unwrap(), "https://xn--qckyd1c.jp");
    }

    #[test]
    fn anything_but_an_origin_is_refused() {
        for bad in [
            "blog.example",
            "ftp://blog.example",
            "https://blog.example/post",
            "https://a:b@blog.example",
            "https://blog.example/?q",
            "javascript:alert(1)",
            "null",
            "",
            "https://",
        ] {
            assert!(canonical_origin(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn lists_are_sorted_deduplicated_and_bounded() {
        let list =
            vec!["https://b.example".to_owned(), "https://a.example/".to_owned(), "https://B.example".to_owned()];
        assert_eq!(canonical_origins(&list).unwrap(), "https://a.example https://b.example");
        assert_eq!(canonical_origins(&[]).unwrap(), "");
        let many: Vec<String> = (0..=MAX_ORIGINS).map(|i| format!("https://s{i}.example")).collect();
        assert!(canonical_origins(&many).unwrap_err().contains("at most"));
    }

    #[test]
    fn an_empty_list_allows_every_site_and_a_list_only_its_own() {
        assert!(allows("", "https://anyone.example"));
        let stored = "https://a.example https://b.example";
        assert!(allows(stored, "https://b.example"));
        assert!(!allows(stored, "https://c.example"));
        assert!(!allows(stored, "https://a.example.evil"));
        assert!(!allows(stored, "null"));
    }

    #[test]
    fn an_empty_list_names_no_site_for_what_carries_a_secret() {
        assert!(!listed("", "https://anyone.example"));
        assert!(listed("https://a.example https://b.example", "https://b.example"));
        assert!(!listed("https://a.example", "https://a.example.evil"));
    }
}
