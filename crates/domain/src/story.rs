//! Stories for the public (`/tin-tuc`): their lifecycle, their slugs, and which readers are
//! robots rather than people.
//!
//! draft → review → published; a published story returns to draft when unpublished, and a
//! story in review may be sent back to draft. A published story whose time has not come yet
//! is "scheduled": it becomes public at `published_at`, with no job to run.

use crate::fold::fold;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoryState {
    Draft,
    Review,
    Published,
}

impl StoryState {
    pub const ALL: [StoryState; 3] = [StoryState::Draft, StoryState::Review, StoryState::Published];

    pub fn code(self) -> &'static str {
        match self {
            StoryState::Draft => "draft",
            StoryState::Review => "review",
            StoryState::Published => "published",
        }
    }

    pub fn parse(s: &str) -> Option<StoryState> {
        StoryState::ALL.into_iter().find(|st| st.code() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            StoryState::Draft => "Bản nháp",
            StoryState::Review => "Chờ duyệt",
            StoryState::Published => "Đã đăng",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            StoryState::Draft => "Draft",
            StoryState::Review => "In review",
            StoryState::Published => "Published",
        }
    }
}

/// What may be done to a story.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoryAction {
    /// The author asks for it to be published.
    Submit,
    /// Public now, or at a set time (scheduled).
    Publish,
    /// Taken off the public pages, back to draft.
    Unpublish,
    /// A story in review goes back to its author.
    Return,
}

impl StoryAction {
    pub const ALL: [StoryAction; 4] = [
        StoryAction::Submit,
        StoryAction::Publish,
        StoryAction::Unpublish,
        StoryAction::Return,
    ];

    pub fn code(self) -> &'static str {
        match self {
            StoryAction::Submit => "submit",
            StoryAction::Publish => "publish",
            StoryAction::Unpublish => "unpublish",
            StoryAction::Return => "return",
        }
    }

    pub fn parse(s: &str) -> Option<StoryAction> {
        StoryAction::ALL.into_iter().find(|a| a.code() == s)
    }

    /// Publishing, taking down and sending back are the publisher's; submitting the author's.
    pub fn needs_publisher(self) -> bool {
        !matches!(self, StoryAction::Submit)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            StoryAction::Submit => "Gửi duyệt",
            StoryAction::Publish => "Đăng bài",
            StoryAction::Unpublish => "Gỡ bài (về bản nháp)",
            StoryAction::Return => "Trả lại tác giả",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            StoryAction::Submit => "Submit for review",
            StoryAction::Publish => "Publish",
            StoryAction::Unpublish => "Unpublish (back to draft)",
            StoryAction::Return => "Return to the author",
        }
    }
}

/// The state an action leads to, or `None` when it is not allowed from `from`.
pub fn next_state(from: StoryState, action: StoryAction) -> Option<StoryState> {
    use StoryAction as A;
    use StoryState as S;
    match (from, action) {
        (S::Draft, A::Submit) => Some(S::Review),
        (S::Draft | S::Review, A::Publish) => Some(S::Published),
        (S::Published, A::Unpublish) => Some(S::Draft),
        (S::Review, A::Return) => Some(S::Draft),
        _ => None,
    }
}

/// Longest slug made from a title (before a "-2" suffix), in characters.
pub const SLUG_MAX: usize = 80;

/// The readable part of a story's address: the title folded (no diacritics, đ → d, lower
/// case) with words joined by hyphens, cut at a word boundary. "story" when nothing is left.
pub fn slug_base(title: &str) -> String {
    let mut out = String::new();
    for word in fold(title).split(' ').filter(|w| !w.is_empty()) {
        // Only ASCII letters and digits reach an address; other scripts are dropped.
        let word: String = word.chars().filter(char::is_ascii_alphanumeric).collect();
        if word.is_empty() {
            continue;
        }
        let extra = word.len() + usize::from(!out.is_empty());
        if out.len() + extra > SLUG_MAX {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word);
    }
    if out.is_empty() {
        out.push_str("story");
    }
    out
}

/// The `n`th candidate for a slug: the base, then base-2, base-3…
pub fn slug_candidate(base: &str, n: u32) -> String {
    if n <= 1 {
        base.to_string()
    } else {
        format!("{base}-{n}")
    }
}

/// Is `s` shaped like a slug this module makes (so a path can be checked before any query)?
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= SLUG_MAX + 12
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Robots that fetch pages (search engines, link previews of chat apps and social networks,
/// monitors): their fetches are not readers and are not counted.
const BOT_MARKERS: &[&str] = &[
    "bot",
    "crawler",
    "spider",
    "crawl",
    "slurp",
    "preview",
    "facebookexternalhit",
    "facebookcatalog",
    "zalo",
    "whatsapp",
    "telegram",
    "skype",
    "discord",
    "embedly",
    "headless",
    "lighthouse",
    "curl",
    "wget",
    "python-requests",
    "httpclient",
    "monitor",
    "feed",
    "rss",
];

/// Does this User-Agent belong to a robot (or is it missing, as scripts leave it)?
pub fn is_bot(user_agent: Option<&str>) -> bool {
    let Some(ua) = user_agent.map(str::trim).filter(|u| !u.is_empty()) else {
        return true;
    };
    let ua = ua.to_ascii_lowercase();
    BOT_MARKERS.iter().any(|m| ua.contains(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_readable_vietnamese_without_marks() {
        assert_eq!(
            slug_base("An Giang thi đua “Dân vận khéo”"),
            "an-giang-thi-dua-dan-van-kheo"
        );
        assert_eq!(
            slug_base("Đường về nông thôn mới!"),
            "duong-ve-nong-thon-moi"
        );
        assert_eq!(slug_base("   ***  "), "story");
        assert_eq!(slug_candidate("a", 1), "a");
        assert_eq!(slug_candidate("a", 3), "a-3");
        let long = slug_base(&"Hiến đất làm đường ".repeat(20));
        assert!(long.len() <= SLUG_MAX && !long.ends_with('-'), "{long}");
        assert!(is_slug("an-giang-2") && !is_slug("../etc") && !is_slug("A"));
    }

    #[test]
    fn workflow() {
        use StoryAction as A;
        use StoryState as S;
        assert_eq!(next_state(S::Draft, A::Submit), Some(S::Review));
        assert_eq!(next_state(S::Review, A::Publish), Some(S::Published));
        assert_eq!(next_state(S::Draft, A::Publish), Some(S::Published));
        assert_eq!(next_state(S::Published, A::Unpublish), Some(S::Draft));
        assert_eq!(next_state(S::Review, A::Return), Some(S::Draft));
        assert_eq!(next_state(S::Published, A::Publish), None);
        assert_eq!(next_state(S::Draft, A::Unpublish), None);
        assert_eq!(next_state(S::Review, A::Submit), None);
    }

    #[test]
    fn robots_are_recognised() {
        for ua in [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "facebookexternalhit/1.1",
            "Zalo-Preview/1.0",
            "Mozilla/5.0 (compatible; bingbot/2.0)",
            "Twitterbot/1.0",
            "curl/8.5.0",
        ] {
            assert!(is_bot(Some(ua)), "{ua}");
        }
        assert!(is_bot(None) && is_bot(Some(" ")));
        assert!(!is_bot(Some(
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"
        )));
    }
}
