//! Story bodies: Markdown as authors write it, rendered to HTML that is safe to put on a
//! public page. Two layers: raw HTML in the Markdown is dropped while parsing, and the
//! rendered HTML then goes through an allow-list sanitiser (ammonia), so neither a script,
//! an event handler, a style nor a `javascript:` link can reach a reader.

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// Where story photos are served: the only images a story body may show (the page's
/// Content-Security-Policy would block any other anyway).
pub const PHOTO_PREFIX: &str = "/tin-tuc/anh/";

static SANITISER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::empty();
    b.tags(HashSet::from([
        "p",
        "br",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "blockquote",
        "strong",
        "em",
        "del",
        "code",
        "pre",
        "hr",
        "a",
        "img",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    ]))
    .tag_attributes(
        [
            ("a", HashSet::from(["href", "title"])),
            ("img", HashSet::from(["src", "alt", "title"])),
            ("ol", HashSet::from(["start"])),
        ]
        .into(),
    )
    .url_schemes(HashSet::from(["http", "https", "mailto"]))
    .url_relative(ammonia::UrlRelative::PassThrough)
    .link_rel(Some("noopener noreferrer nofollow ugc"))
    .set_tag_attribute_value("img", "loading", "lazy")
    .set_tag_attribute_value("img", "decoding", "async")
    .strip_comments(true)
    .attribute_filter(|element, attribute, value| match (element, attribute) {
        // Only the story photos served here, never a tracking pixel elsewhere.
        ("img", "src") => {
            (value.starts_with(PHOTO_PREFIX) && !value.contains("..")).then(|| value.into())
        }
        // Relative links stay on this site: no protocol-relative "//elsewhere".
        ("a", "href") if value.starts_with("//") || value.starts_with("\\\\") => None,
        _ => Some(value.into()),
    });
    b
});

/// The page's title is its only h1: a story's "# heading" becomes h2, and so on down.
fn demote(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H2,
        HeadingLevel::H2 => HeadingLevel::H3,
        HeadingLevel::H3 => HeadingLevel::H4,
        HeadingLevel::H4 => HeadingLevel::H5,
        HeadingLevel::H5 | HeadingLevel::H6 => HeadingLevel::H6,
    }
}

/// Renders a story's Markdown (headings, lists, quotes, emphasis, links, tables and the
/// story's photos) to sanitised HTML.
pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(markdown, options).filter_map(|event| match event {
        // Raw HTML is dropped, not interpreted.
        Event::Html(_) | Event::InlineHtml(_) => None,
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => Some(Event::Start(Tag::Heading {
            level: demote(level),
            id,
            classes,
            attrs,
        })),
        Event::End(TagEnd::Heading(level)) => Some(Event::End(TagEnd::Heading(demote(level)))),
        other => Some(other),
    });
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    SANITISER.clean(&html).to_string()
}

/// Plain text of a story's Markdown (for descriptions where no summary fits), whitespace
/// collapsed.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(_) => out.push(' '),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders_the_allowed_structure() {
        let html = render(
            "# Tiêu đề\n\nĐoạn **đậm** và *nghiêng*.\n\n- một\n- hai\n\n> Trích dẫn\n\n[Liên kết](https://example.org)\n\n![Ảnh đường mới](/tin-tuc/anh/abc)",
        );
        assert!(html.contains("<h2>Tiêu đề</h2>"), "{html}");
        assert!(html.contains("<strong>đậm</strong>") && html.contains("<em>nghiêng</em>"));
        assert!(html.contains("<ul>") && html.contains("<li>một</li>"));
        assert!(html.contains("<blockquote>"));
        assert!(html.contains(r#"href="https://example.org""#) && html.contains("nofollow"));
        assert!(
            html.contains(r#"src="/tin-tuc/anh/abc""#) && html.contains(r#"loading="lazy""#),
            "{html}"
        );
    }

    #[test]
    fn nothing_an_author_types_runs() {
        let html = render(concat!(
            "<script>alert(1)</script>\n\n",
            "Chữ <img src=x onerror=alert(2)> và <b style=\"color:red\" onclick=\"x()\">b</b>\n\n",
            "[bấm](javascript:alert(3)) [b2](JaVaScRiPt:alert(4)) [b3](//evil.example/x)\n\n",
            "<iframe src=\"https://evil.example\"></iframe>\n\n",
            "![pixel](https://tracker.example/p.gif)\n\n",
            "<style>body{display:none}</style>",
        ));
        let lower = html.to_lowercase();
        for bad in [
            "<script",
            "onerror",
            "onclick",
            "javascript:",
            "<iframe",
            "style",
            "tracker.example",
            "evil.example",
            "alert(",
        ] {
            assert!(!lower.contains(bad), "{bad} in {html}");
        }
        assert!(html.contains("Chữ"), "{html}");
    }
}
