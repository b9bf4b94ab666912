//! The movement's vocabulary: fields, indicator kinds, the initiative lifecycle, milestones,
//! the scoring rubric. Pure rules, checked on the server for every transition.

use serde::{Deserialize, Serialize};

use crate::error::FieldError;

use crate::petition::coded_enum as code_enum;

code_enum!(
    /// The four fields of the movement.
    Field {
        Economy = "economy", "Kinh tế", "Economy";
        CultureSociety = "culture_society", "Văn hoá – xã hội", "Culture and society";
        DefenseSecurity = "defense_security", "Quốc phòng – an ninh", "Defence and security";
        PoliticalSystem = "political_system", "Xây dựng hệ thống chính trị", "Building the political system";
    }
);

code_enum!(
    /// What an indicator measures, with its unit of measure.
    IndicatorKind {
        MoneyVnd = "money_vnd", "Tiền huy động (đồng)", "Money mobilised (VND)";
        LandM2 = "land_m2", "Đất hiến (m²)", "Land donated (m²)";
        LabourDays = "labour_days", "Ngày công", "Labour days";
        RoadKm = "road_km", "Đường giao thông (km)", "Roads (km)";
        Bridges = "bridges", "Cầu (cây)", "Bridges";
        Houses = "houses", "Nhà (căn)", "Houses";
        Households = "households", "Hộ được giúp", "Households helped";
        People = "people", "Người tham gia", "People";
        Custom = "custom", "Chỉ tiêu khác", "Other indicator";
    }
);

impl IndicatorKind {
    /// Short unit for display after a number.
    pub fn unit_vi(self) -> &'static str {
        match self {
            IndicatorKind::MoneyVnd => "₫",
            IndicatorKind::LandM2 => "m²",
            IndicatorKind::LabourDays => "ngày công",
            IndicatorKind::RoadKm => "km",
            IndicatorKind::Bridges => "cây cầu",
            IndicatorKind::Houses => "căn",
            IndicatorKind::Households => "hộ",
            IndicatorKind::People => "người",
            IndicatorKind::Custom => "",
        }
    }
    /// Counts are whole numbers; lengths, areas and money may have decimals.
    pub fn is_count(self) -> bool {
        matches!(
            self,
            IndicatorKind::Bridges
                | IndicatorKind::Houses
                | IndicatorKind::Households
                | IndicatorKind::People
                | IndicatorKind::LabourDays
        )
    }
}

code_enum!(
    /// Who registers the model.
    RegistrantKind {
        Organisation = "organisation", "Tổ chức", "Organisation";
        Collective = "collective", "Tập thể", "Collective";
        Individual = "individual", "Cá nhân", "Individual";
    }
);

code_enum!(
    /// The initiative lifecycle of DESIGN.md §4.
    State {
        Draft = "draft", "Nháp", "Draft";
        Submitted = "submitted", "Chờ duyệt", "Submitted";
        Returned = "returned", "Trả lại để bổ sung", "Returned";
        Rejected = "rejected", "Không duyệt", "Rejected";
        Registered = "registered", "Đã đăng ký", "Registered";
        Reporting = "reporting", "Đang thực hiện", "Reporting";
        Completed = "completed", "Hoàn thành", "Completed";
        Evaluated = "evaluated", "Đã đánh giá", "Evaluated";
        Withdrawn = "withdrawn", "Đã rút", "Withdrawn";
    }
);

impl State {
    /// States the public may see: approved models and what followed.
    pub fn is_public(self) -> bool {
        matches!(
            self,
            State::Registered | State::Reporting | State::Completed | State::Evaluated
        )
    }
    pub const PUBLIC: [State; 4] = [
        State::Registered,
        State::Reporting,
        State::Completed,
        State::Evaluated,
    ];
}

code_enum!(
    /// What a person asks of an initiative.
    Transition {
        Submit = "submit", "Gửi duyệt", "Submit";
        Approve = "approve", "Duyệt đăng ký", "Approve";
        Return = "return", "Trả lại", "Return";
        Reject = "reject", "Không duyệt", "Reject";
        Withdraw = "withdraw", "Rút mô hình", "Withdraw";
        Complete = "complete", "Xác nhận hoàn thành", "Mark completed";
    }
);

/// Who acts: the registrant side or the reviewing officer side. The policy decides who is
/// which; the lifecycle only says what each side may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Registrant,
    Reviewer,
}

impl Transition {
    pub fn side(self) -> Side {
        match self {
            Transition::Submit | Transition::Withdraw => Side::Registrant,
            Transition::Approve
            | Transition::Return
            | Transition::Reject
            | Transition::Complete => Side::Reviewer,
        }
    }
    /// Return and reject must say why.
    pub fn needs_comment(self) -> bool {
        matches!(self, Transition::Return | Transition::Reject)
    }
}

/// The state after `t`, or `None` when `t` is illegal from `from`.
pub fn next_state(from: State, t: Transition) -> Option<State> {
    use State::*;
    match (t, from) {
        (Transition::Submit, Draft | Returned) => Some(Submitted),
        (Transition::Approve, Submitted) => Some(Registered),
        (Transition::Return, Submitted) => Some(Returned),
        (Transition::Reject, Submitted) => Some(Rejected),
        (Transition::Complete, Registered | Reporting) => Some(Completed),
        (
            Transition::Withdraw,
            Draft | Submitted | Returned | Registered | Reporting | Completed,
        ) => Some(Withdrawn),
        _ => None,
    }
}

/// Registrants may edit the registration only before it is approved.
pub fn is_editable(s: State) -> bool {
    matches!(s, State::Draft | State::Returned)
}

/// Progress reports are filed while the model runs.
pub fn accepts_reports(s: State) -> bool {
    matches!(s, State::Registered | State::Reporting)
}

code_enum!(
    /// When a progress report is due.
    Milestone {
        Midyear = "midyear", "Sơ kết giữa năm", "Mid-year review";
        Yearend = "yearend", "Tổng kết cuối năm", "Year-end review";
    }
);

code_enum!(
    ReportState {
        Submitted = "submitted", "Chờ xác minh", "Awaiting verification";
        Verified = "verified", "Đã xác minh", "Verified";
        Returned = "returned", "Trả lại", "Returned";
    }
);

/// One criterion of the scoring rubric. A member's total is Σ points / max × weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    pub key: String,
    pub name: String,
    pub weight: f64,
    pub max_points: f64,
}

/// A classification reached at or above `min` (out of 100).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    pub classification: String,
    pub label: String,
    pub min: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rubric {
    pub criteria: Vec<Criterion>,
    /// Highest first.
    pub thresholds: Vec<Threshold>,
}

impl Rubric {
    /// The rubric the province has used: results 40, creativity 20, spread 20, participation 20.
    pub fn standard() -> Rubric {
        let c = |key: &str, name: &str, w: f64| Criterion {
            key: key.into(),
            name: name.into(),
            weight: w,
            max_points: w,
        };
        let t = |k: &str, l: &str, min: f64| Threshold {
            classification: k.into(),
            label: l.into(),
            min,
        };
        Rubric {
            criteria: vec![
                c("results", "Hiệu quả, kết quả đạt được", 40.0),
                c("creativity", "Tính sáng tạo, cách làm mới", 20.0),
                c("spread", "Sức lan toả, khả năng nhân rộng", 20.0),
                c("participation", "Sự tham gia của nhân dân", 20.0),
            ],
            thresholds: vec![
                t("exemplary", "Xuất sắc – điển hình tiên tiến", 90.0),
                t("good", "Tốt", 80.0),
                t("fair", "Khá", 65.0),
            ],
        }
    }

    /// Checks the rubric itself: weights sum to 100, positive maxima, unique keys, thresholds
    /// within 0–100 and strictly decreasing.
    pub fn check(&self) -> Result<(), FieldError> {
        let bad = |msg_vi: &str, msg_en: &str| {
            Err(FieldError::new("rubric", "invalid_rubric", msg_vi, msg_en))
        };
        if self.criteria.is_empty() {
            return bad(
                "Thang điểm cần ít nhất một tiêu chí.",
                "The rubric needs at least one criterion.",
            );
        }
        let sum: f64 = self.criteria.iter().map(|c| c.weight).sum();
        if (sum - 100.0).abs() > 1e-6 {
            return bad(
                "Tổng trọng số các tiêu chí phải bằng 100.",
                "The criteria's weights must add up to 100.",
            );
        }
        let mut keys = std::collections::HashSet::new();
        for c in &self.criteria {
            if !(c.weight > 0.0 && c.max_points > 0.0 && c.max_points <= 1000.0)
                || c.key.trim().is_empty()
                || !keys.insert(&c.key)
            {
                return bad(
                    "Tiêu chí không hợp lệ (khoá trùng, trọng số hoặc điểm tối đa không dương).",
                    "Invalid criterion (duplicate key, or non-positive weight or maximum).",
                );
            }
        }
        let mut last = f64::INFINITY;
        for t in &self.thresholds {
            if !(0.0..=100.0).contains(&t.min) || t.min >= last {
                return bad(
                    "Ngưỡng xếp loại phải trong khoảng 0–100, giảm dần.",
                    "Classification thresholds must lie in 0–100, decreasing.",
                );
            }
            last = t.min;
        }
        Ok(())
    }

    /// A member's total out of 100 from points per criterion; `Err` names a criterion whose
    /// points are missing or outside 0..=max.
    pub fn total(&self, points: &[(String, f64)]) -> Result<f64, FieldError> {
        let mut total = 0.0;
        for c in &self.criteria {
            let Some((_, p)) = points.iter().find(|(k, _)| *k == c.key) else {
                return Err(FieldError::new(
                    "points",
                    "missing_score",
                    format!("Thiếu điểm tiêu chí “{}”.", c.name),
                    format!("Missing points for “{}”.", c.name),
                ));
            };
            if !p.is_finite() || *p < 0.0 || *p > c.max_points {
                return Err(FieldError::new(
                    "points",
                    "score_out_of_range",
                    format!("Điểm tiêu chí “{}” phải từ 0 đến {}.", c.name, c.max_points),
                    format!(
                        "Points for “{}” must be between 0 and {}.",
                        c.name, c.max_points
                    ),
                ));
            }
            total += p / c.max_points * c.weight;
        }
        if points
            .iter()
            .any(|(k, _)| !self.criteria.iter().any(|c| &c.key == k))
        {
            return Err(FieldError::new(
                "points",
                "unknown_criterion",
                "Có tiêu chí không thuộc thang điểm.",
                "A criterion is not in the rubric.",
            ));
        }
        Ok(total)
    }

    /// The classification reached by a mean total, if any.
    pub fn classify(&self, mean: f64) -> Option<&Threshold> {
        self.thresholds.iter().find(|t| mean + 1e-9 >= t.min)
    }
}

/// The council's view of one model: members' totals summarised.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tally {
    pub count: usize,
    pub mean: f64,
    /// Highest minus lowest total.
    pub spread: f64,
    /// Spread above [`DISAGREEMENT`] points: the council should discuss before closing.
    pub disagreement: bool,
}

pub const DISAGREEMENT: f64 = 15.0;

pub fn tally(totals: &[f64]) -> Option<Tally> {
    if totals.is_empty() {
        return None;
    }
    let mean = totals.iter().sum::<f64>() / totals.len() as f64;
    let max = totals.iter().copied().fold(f64::MIN, f64::max);
    let min = totals.iter().copied().fold(f64::MAX, f64::min);
    Some(Tally {
        count: totals.len(),
        mean,
        spread: max - min,
        disagreement: max - min > DISAGREEMENT,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_allows_only_the_legal_moves() {
        use State::*;
        assert_eq!(next_state(Draft, Transition::Submit), Some(Submitted));
        assert_eq!(next_state(Returned, Transition::Submit), Some(Submitted));
        assert_eq!(next_state(Submitted, Transition::Approve), Some(Registered));
        assert_eq!(next_state(Submitted, Transition::Return), Some(Returned));
        assert_eq!(next_state(Submitted, Transition::Reject), Some(Rejected));
        assert_eq!(next_state(Reporting, Transition::Complete), Some(Completed));
        assert_eq!(next_state(Draft, Transition::Approve), None);
        assert_eq!(next_state(Registered, Transition::Submit), None);
        assert_eq!(next_state(Rejected, Transition::Submit), None);
        assert_eq!(
            next_state(Evaluated, Transition::Withdraw),
            None,
            "no withdrawal after evaluation"
        );
        assert_eq!(next_state(Withdrawn, Transition::Withdraw), None);
        for s in State::ALL {
            assert_eq!(s.is_public(), State::PUBLIC.contains(s));
        }
    }

    #[test]
    fn rubric_totals_classify_and_refuse_bad_points() {
        let r = Rubric::standard();
        r.check().expect("standard rubric is valid");
        let pts = |a, b, c, d| {
            vec![
                ("results".to_string(), a),
                ("creativity".into(), b),
                ("spread".into(), c),
                ("participation".into(), d),
            ]
        };
        assert_eq!(r.total(&pts(40.0, 20.0, 20.0, 20.0)), Ok(100.0));
        assert_eq!(r.total(&pts(36.0, 18.0, 17.0, 19.0)), Ok(90.0));
        assert_eq!(
            r.classify(90.0).map(|t| t.classification.as_str()),
            Some("exemplary")
        );
        assert_eq!(
            r.classify(85.0).map(|t| t.classification.as_str()),
            Some("good")
        );
        assert_eq!(r.classify(50.0), None);
        assert_eq!(
            r.total(&pts(41.0, 20.0, 20.0, 20.0)).map_err(|e| e.code),
            Err("score_out_of_range")
        );
        assert_eq!(
            r.total(&pts(-1.0, 20.0, 20.0, 20.0)).map_err(|e| e.code),
            Err("score_out_of_range")
        );
        assert_eq!(
            r.total(&pts(f64::NAN, 20.0, 20.0, 20.0))
                .map_err(|e| e.code),
            Err("score_out_of_range")
        );
        assert_eq!(
            r.total(&pts(1.0, 1.0, 1.0, 1.0)[..3]).map_err(|e| e.code),
            Err("missing_score")
        );
        let mut bad = Rubric::standard();
        bad.criteria[0].weight = 50.0;
        assert!(bad.check().is_err());
    }

    #[test]
    fn tally_flags_disagreement() {
        let t = tally(&[90.0, 70.0, 80.0]).expect("tally");
        assert_eq!(t.mean, 80.0);
        assert_eq!(t.spread, 20.0);
        assert!(t.disagreement);
        assert!(!tally(&[80.0, 85.0]).expect("tally").disagreement);
        assert!(tally(&[]).is_none());
    }
}
