//! Citizens' petitions (DESIGN.md §1, §4, §5): kinds, fields, channels, the lifecycle and
//! the legal time limits.
//!
//! A petition is received → accepted (thụ lý) | declined (reason) → assigned → answered →
//! closed; a dissatisfied citizen may reopen once (back to assigned). A transfer to another
//! body does not change the state: the target body acknowledges it and takes the case over
//! with its clock and history. A duplicate is merged into an open case and follows it.

use serde::{Deserialize, Serialize};

macro_rules! coded_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $code:literal, $vi:literal, $en:literal;)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
            pub fn parse(code: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|k| k.code() == code)
            }
            pub fn label_vi(self) -> &'static str {
                match self { $($name::$variant => $vi),+ }
            }
            pub fn label_en(self) -> &'static str {
                match self { $($name::$variant => $en),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}
// Shared with the other modules that need coded, labelled enums.
pub(crate) use coded_enum;

coded_enum! {
    /// What the citizen brings: the law gives each its own time limits.
    Kind {
        Feedback = "feedback", "Phản ánh", "Feedback";
        Petition = "petition", "Kiến nghị", "Petition";
        Complaint = "complaint", "Khiếu nại", "Complaint";
        Denunciation = "denunciation", "Tố cáo", "Denunciation";
    }
}

coded_enum! {
    /// What the petition is about; routing rules map a field and a unit to a body.
    Topic {
        Land = "land", "Đất đai", "Land";
        Construction = "construction", "Xây dựng, trật tự đô thị", "Construction";
        SecurityOrder = "security_order", "An ninh, trật tự", "Security and order";
        Environment = "environment", "Môi trường", "Environment";
        SocialPolicy = "social_policy", "Chính sách xã hội", "Social policy";
        OfficialsConduct = "officials_conduct", "Thái độ, trách nhiệm cán bộ", "Officials' conduct";
        Other = "other", "Lĩnh vực khác", "Other";
    }
}

coded_enum! {
    /// How the petition reached the administration.
    Channel {
        Online = "online", "Cổng trực tuyến", "Online form";
        Hotline = "hotline", "Đường dây nóng", "Hotline";
        Reception = "reception", "Tiếp công dân", "Citizen reception day";
        VoterMeeting = "voter_meeting", "Tiếp xúc cử tri", "Meeting with voters";
        Mail = "mail", "Thư, đơn gửi qua bưu điện", "Mail";
        FatherlandFront = "fatherland_front", "Mặt trận Tổ quốc chuyển đến", "Forwarded by the Fatherland Front";
        Open311 = "open311", "Ứng dụng Open311", "Open311 application";
    }
}

coded_enum! {
    State {
        Received = "received", "Đã tiếp nhận", "Received";
        Accepted = "accepted", "Đã thụ lý", "Accepted";
        Declined = "declined", "Không thụ lý", "Declined";
        Assigned = "assigned", "Đang giải quyết", "Being handled";
        Answered = "answered", "Đã trả lời", "Answered";
        Closed = "closed", "Đã kết thúc", "Closed";
        Merged = "merged", "Đã gộp vào hồ sơ khác", "Merged into another case";
    }
}

impl State {
    /// Still waiting for the administration to act (counts toward overdue).
    pub fn is_open(self) -> bool {
        matches!(self, State::Received | State::Accepted | State::Assigned)
    }
}

/// A step of the workflow that changes the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Accept,
    Decline,
    Assign,
    Answer,
    Close,
    Reopen,
    Merge,
}

impl Step {
    pub const ALL: [Step; 7] = [
        Step::Accept,
        Step::Decline,
        Step::Assign,
        Step::Answer,
        Step::Close,
        Step::Reopen,
        Step::Merge,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Step::Accept => "accept",
            Step::Decline => "decline",
            Step::Assign => "assign",
            Step::Answer => "answer",
            Step::Close => "close",
            Step::Reopen => "reopen",
            Step::Merge => "merge",
        }
    }
    pub fn parse(code: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// The state a step leads to from `from`, or `None` when the lifecycle does not allow it.
/// Reopening once only is checked by the caller, who knows whether it happened before.
pub fn next_state(from: State, step: Step) -> Option<State> {
    use State::*;
    match (step, from) {
        (Step::Accept, Received) => Some(Accepted),
        (Step::Decline, Received) => Some(Declined),
        (Step::Assign, Accepted | Assigned) => Some(Assigned),
        (Step::Answer, Accepted | Assigned) => Some(Answered),
        (Step::Close, Answered) => Some(Closed),
        (Step::Reopen, Answered | Closed) => Some(Assigned),
        (Step::Merge, Received | Accepted | Assigned) => Some(Merged),
        _ => None,
    }
}

/// A transfer to another body is possible while the case is still open.
pub fn can_transfer(from: State) -> bool {
    from.is_open()
}

/// The time limits of one kind (editable by the province; the defaults follow the law).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeLimit {
    /// Days to accept (thụ lý) or decline, counted from the day of receipt.
    pub accept_days: i64,
    pub accept_working: bool,
    /// Days to resolve, counted from acceptance.
    pub resolve_days: i64,
    pub resolve_working: bool,
    /// Days to resolve a complex case (complaints: 45).
    pub complex_days: i64,
    /// Each extension adds this many days (denunciations: 30), at most `max_extensions` times.
    pub extension_days: i64,
    pub max_extensions: i64,
}

impl TimeLimit {
    /// Legal defaults: Luật Khiếu nại 2011 Art. 27–28 (10 days to accept, 30 to resolve, 45
    /// if complex); Luật Tố cáo 2018 Art. 24, 30 (7 working days to accept, 30 days to
    /// resolve, extendable once or twice by 30); feedback and petitions: a province-set
    /// number of working days (default 5 to accept, 15 to answer).
    pub fn default_for(kind: Kind) -> TimeLimit {
        match kind {
            Kind::Complaint => TimeLimit {
                accept_days: 10,
                accept_working: false,
                resolve_days: 30,
                resolve_working: false,
                complex_days: 45,
                extension_days: 0,
                max_extensions: 0,
            },
            Kind::Denunciation => TimeLimit {
                accept_days: 7,
                accept_working: true,
                resolve_days: 30,
                resolve_working: false,
                complex_days: 30,
                extension_days: 30,
                max_extensions: 2,
            },
            Kind::Feedback | Kind::Petition => TimeLimit {
                accept_days: 5,
                accept_working: true,
                resolve_days: 15,
                resolve_working: true,
                complex_days: 15,
                extension_days: 0,
                max_extensions: 0,
            },
        }
    }

    /// Sanity bounds for an edited rule.
    pub fn is_valid(&self) -> bool {
        let days = 1..=365;
        days.contains(&self.accept_days)
            && days.contains(&self.resolve_days)
            && days.contains(&self.complex_days)
            && self.complex_days >= self.resolve_days
            && (0..=365).contains(&self.extension_days)
            && (0..=5).contains(&self.max_extensions)
            && (self.max_extensions == 0 || self.extension_days > 0)
    }
}

/// A tracking code: 12 characters from an alphabet without look-alikes (60 random bits),
/// shown as KN-XXXX-XXXX-XXXX. Unguessable, so codes cannot be enumerated.
pub fn new_tracking_code() -> String {
    tracking_code_from(&mut rand::rngs::OsRng)
}

/// A tracking code drawn from `rng` (the data generator's seeded one gives repeatable codes).
pub fn tracking_code_from(rng: &mut impl rand::Rng) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ"; // 31 symbols, no 0/O, 1/I/L
    let mut s = String::from("KN");
    for i in 0..12 {
        if i % 4 == 0 {
            s.push('-');
        }
        s.push(ALPHABET[rng.gen_range(0..ALPHABET.len())] as char);
    }
    s
}

/// Normalises what a citizen types as a tracking code (case, spaces, missing dashes);
/// `None` if it cannot be one.
pub fn parse_tracking_code(input: &str) -> Option<String> {
    let raw: String = input
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let body = raw.strip_prefix("KN")?;
    if body.len() != 12 || !body.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    Some(format!(
        "KN-{}-{}-{}",
        &body[0..4],
        &body[4..8],
        &body[8..12]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_allows_only_legal_steps() {
        assert_eq!(
            next_state(State::Received, Step::Accept),
            Some(State::Accepted)
        );
        assert_eq!(
            next_state(State::Received, Step::Decline),
            Some(State::Declined)
        );
        assert_eq!(next_state(State::Received, Step::Answer), None);
        assert_eq!(next_state(State::Declined, Step::Accept), None);
        assert_eq!(
            next_state(State::Closed, Step::Reopen),
            Some(State::Assigned)
        );
        assert_eq!(next_state(State::Merged, Step::Answer), None);
        assert!(!can_transfer(State::Answered));
        assert!(can_transfer(State::Accepted));
    }

    #[test]
    fn codes_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.code()), Some(*k));
        }
        for s in Step::ALL {
            assert_eq!(Step::parse(s.code()), Some(s));
        }
        assert_eq!(Topic::parse("land"), Some(Topic::Land));
        assert_eq!(Topic::parse("Land"), None);
    }

    #[test]
    fn tracking_codes_are_unique_and_parse_back() {
        let a = new_tracking_code();
        let b = new_tracking_code();
        assert_ne!(a, b);
        assert_eq!(a.len(), "KN-XXXX-XXXX-XXXX".len());
        assert_eq!(parse_tracking_code(&a.to_lowercase()), Some(a.clone()));
        assert_eq!(parse_tracking_code(&a.replace('-', " ")), Some(a));
        assert_eq!(parse_tracking_code("KN-1234"), None);
        assert_eq!(parse_tracking_code("' OR 1=1 --"), None);
    }

    #[test]
    fn default_limits_are_valid_and_follow_the_law() {
        for k in Kind::ALL {
            assert!(TimeLimit::default_for(*k).is_valid(), "{k}");
        }
        assert_eq!(TimeLimit::default_for(Kind::Complaint).complex_days, 45);
        assert_eq!(TimeLimit::default_for(Kind::Denunciation).max_extensions, 2);
    }
}
