//! The figures of a unit's subtree for dashboards and reports: models by field, state and
//! unit, indicators against targets, commendations, replications, petitions by body, and the
//! trend over the years — rolled up under the unit tree as it stood on a date, so that the
//! years before the 2025 reform count in today's communes.
//!
//! Two audiences see different sets: the public sees approved (public) models only; staff
//! with `ViewStatistics` on the unit see models in every state. Petition figures are the same
//! counts the public accountability page already publishes (never personal data).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use danvan_charts::{BarChart, Orientation, Series};
use danvan_domain::movement::{Field, IndicatorKind, State as ModelState};
use danvan_domain::policy::{Action, Principal, authorize, scope};
use danvan_domain::unit::{Unit, UnitTree};
use danvan_storage::statistics;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::AppError;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    Public,
    Staff,
}

/// How many units a chart shows at most (the table beside lists them all).
const CHART_UNITS: usize = 20;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Totals {
    pub models: i64,
    pub replications: i64,
    pub commendations: i64,
    pub petitions_received: i64,
    pub petitions_answered: i64,
    pub petitions_on_time: i64,
    pub petitions_overdue: i64,
    /// Share of rated answers the petitioner was satisfied with, in percent.
    pub satisfaction_percent: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Count {
    pub code: String,
    pub label: String,
    pub models: i64,
    pub replications: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitRow {
    pub code: String,
    pub name: String,
    pub models: i64,
    pub replications: i64,
    pub commendations: i64,
    pub petitions: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorRow {
    pub kind: String,
    pub label: String,
    pub unit: String,
    pub target: f64,
    pub achieved: f64,
    pub percent: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct PetitionRow {
    pub name: String,
    pub received: i64,
    pub answered: i64,
    pub on_time: i64,
    pub overdue: i64,
    pub rated: i64,
    pub satisfied: i64,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct YearRow {
    pub year: i64,
    pub models: i64,
    pub replications: i64,
    pub commendations: i64,
    pub petitions: i64,
    pub petitions_on_time: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Dashboard {
    pub audience: Audience,
    pub unit_code: String,
    pub unit_name: String,
    /// The date whose unit tree the figures are rolled up under.
    pub at: NaiveDate,
    /// Campaign year (models, indicators, commendations) and year received (petitions);
    /// `None` for all years. The trend always covers every year.
    pub year: Option<i64>,
    pub totals: Totals,
    pub by_field: Vec<Count>,
    /// Empty for the public.
    pub by_state: Vec<Count>,
    /// The unit's subunits as they stood on `at`.
    pub by_unit: Vec<UnitRow>,
    pub indicators: Vec<IndicatorRow>,
    pub by_body: Vec<PetitionRow>,
    pub by_year: Vec<YearRow>,
    /// What people gave under the unit (the contributions ledger), per kind.
    pub contributions: Vec<crate::service::care::KindTotal>,
    /// Support drives' deliveries under the unit by commune, category and organisation;
    /// staff only (`None` for the public).
    pub support: Option<crate::service::care::SupportTotals>,
}

/// What a dashboard is asked for.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub unit_code: Option<String>,
    pub at: Option<NaiveDate>,
    pub year: Option<i64>,
    /// Staff may ask for the public view of their figures.
    pub public: bool,
    /// Count only what existed by the end of this day (a mid-year report's cut-off).
    pub until: Option<NaiveDate>,
}

/// Where each record's unit falls under the chosen unit: outside, in the unit itself, or in
/// one of its subunits. Memoised per unit id because the walk is a graph search.
#[derive(Clone, Copy)]
enum Place {
    Outside,
    Itself,
    Child(usize),
}

struct Placer<'a> {
    tree: &'a UnitTree,
    root: i64,
    at: NaiveDate,
    children: Vec<&'a Unit>,
    memo: HashMap<i64, Place>,
}

impl<'a> Placer<'a> {
    fn place(&mut self, unit_id: i64) -> Place {
        if let Some(p) = self.memo.get(&unit_id) {
            return *p;
        }
        let p = match self.tree.as_of(unit_id, self.at) {
            Some(here) if self.tree.contains(self.root, here.id) => self
                .children
                .iter()
                .position(|c| self.tree.contains(c.id, here.id))
                .map_or(Place::Itself, Place::Child),
            // A record from before its unit existed on `at` still counts where it lies.
            None if self.tree.contains(self.root, unit_id) => self
                .children
                .iter()
                .position(|c| self.tree.contains(c.id, unit_id))
                .map_or(Place::Itself, Place::Child),
            _ => Place::Outside,
        };
        self.memo.insert(unit_id, p);
        p
    }
}

/// The unit a signed-in person's statistics start from: their widest grant that may see them.
pub fn home_unit(state: &AppState, who: &Principal) -> Option<String> {
    let tree = state.tree();
    let units = scope(who, Action::ViewStatistics, &tree);
    who.grants
        .iter()
        .filter(|g| units.contains(&g.unit_id))
        .filter_map(|g| tree.get(g.unit_id))
        .min_by_key(|u| (tree.ancestors(u.id).len(), u.code.clone()))
        .map(|u| u.code.clone())
}

/// Builds the dashboard. `who` is `None` for the public; signed-in people without
/// `ViewStatistics` on the unit are refused (they have the public page).
pub async fn build(
    state: &AppState,
    who: Option<&Principal>,
    req: &Request,
    vi: bool,
) -> Result<Dashboard, AppError> {
    let tree = state.tree();
    let at = req.at.unwrap_or_else(|| state.clock.today());
    let code = match (&req.unit_code, who) {
        (Some(c), _) if !c.trim().is_empty() => c.trim().to_string(),
        (_, Some(w)) if !req.public => home_unit(state, w).ok_or(AppError::Forbidden)?,
        _ => tree
            .root_at(at)
            .map(|u| u.code.clone())
            .ok_or(AppError::NotFound)?,
    };
    let unit = tree.by_code_at(&code, at).ok_or(AppError::NotFound)?;
    let audience = match who {
        Some(w) if !req.public => {
            authorize(w, Action::ViewStatistics, Some(unit.id), &tree)?;
            Audience::Staff
        }
        _ => Audience::Public,
    };
    if let Some(y) = req.year
        && !(1990..=2200).contains(&y)
    {
        return Err(AppError::invalid(danvan_domain::FieldError::new(
            "year",
            "invalid_year",
            "Năm không hợp lệ.",
            "Invalid year.",
        )));
    }
    let mut placer = Placer {
        tree: &tree,
        root: unit.id,
        at,
        children: tree.children_at(unit.id, at),
        memo: HashMap::new(),
    };
    let in_year = |y: i64| req.year.is_none_or(|want| want == y);

    let mut by_unit: Vec<UnitRow> = placer
        .children
        .iter()
        .map(|c| UnitRow {
            code: c.code.clone(),
            name: c.name.clone(),
            models: 0,
            replications: 0,
            commendations: 0,
            petitions: 0,
        })
        .collect();
    let mut totals = Totals {
        models: 0,
        replications: 0,
        commendations: 0,
        petitions_received: 0,
        petitions_answered: 0,
        petitions_on_time: 0,
        petitions_overdue: 0,
        satisfaction_percent: None,
    };
    let mut fields: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    let mut states: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    let mut years: BTreeMap<i64, YearRow> = BTreeMap::new();

    // The sums are independent reads: asked together, each on its own connection, they take
    // the time of the slowest instead of the total (PostgreSQL runs each in its own backend,
    // SQLite's WAL lets readers run side by side).
    let staff = audience == Audience::Staff;
    let (models, indicators, commendations, petitions, communes, support) = tokio::try_join!(
        async { Ok::<_, AppError>(statistics::models(&state.db, req.until).await?) },
        async { Ok(statistics::indicators(&state.db, req.until).await?) },
        async { Ok(statistics::commendations(&state.db, req.until).await?) },
        async { Ok(statistics::petitions(&state.db, state.clock.today(), req.until).await?) },
        crate::service::care::public_totals(
            state,
            Some(&unit.code),
            req.year,
            crate::service::care::Honoured::Left,
        ),
        async {
            if staff {
                crate::service::care::support_totals(state, req.year, Some(unit.id))
                    .await
                    .map(Some)
            } else {
                Ok(None)
            }
        },
    )?;
    for m in &models {
        let public = ModelState::parse(&m.state).is_some_and(ModelState::is_public);
        if audience == Audience::Public && !public {
            continue;
        }
        let place = placer.place(m.unit_id);
        if matches!(place, Place::Outside) {
            continue;
        }
        let y = years.entry(m.year).or_insert_with(|| YearRow {
            year: m.year,
            ..Default::default()
        });
        y.models += m.models;
        y.replications += m.replications;
        if !in_year(m.year) {
            continue;
        }
        totals.models += m.models;
        totals.replications += m.replications;
        let f = fields.entry(m.field.as_str()).or_default();
        f.0 += m.models;
        f.1 += m.replications;
        let s = states.entry(m.state.as_str()).or_default();
        s.0 += m.models;
        s.1 += m.replications;
        if let Place::Child(i) = place {
            by_unit[i].models += m.models;
            by_unit[i].replications += m.replications;
        }
    }

    let mut kinds: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for s in indicators {
        if !in_year(s.year) || matches!(placer.place(s.unit_id), Place::Outside) {
            continue;
        }
        let k = kinds.entry(s.kind).or_default();
        k.0 += s.target;
        k.1 += s.achieved;
    }

    for c in commendations {
        let place = placer.place(c.unit_id);
        if matches!(place, Place::Outside) {
            continue;
        }
        years
            .entry(c.year)
            .or_insert_with(|| YearRow {
                year: c.year,
                ..Default::default()
            })
            .commendations += c.commendations;
        if !in_year(c.year) {
            continue;
        }
        totals.commendations += c.commendations;
        if let Place::Child(i) = place {
            by_unit[i].commendations += c.commendations;
        }
    }

    let mut counted = Vec::new();
    let (mut rated, mut satisfied) = (0, 0);
    for p in petitions {
        let place = placer.place(p.unit_id);
        if matches!(place, Place::Outside) {
            continue;
        }
        let y = years.entry(p.year).or_insert_with(|| YearRow {
            year: p.year,
            ..Default::default()
        });
        y.petitions += p.received;
        y.petitions_on_time += p.on_time;
        if !in_year(p.year) {
            continue;
        }
        totals.petitions_received += p.received;
        totals.petitions_answered += p.answered;
        totals.petitions_on_time += p.on_time;
        totals.petitions_overdue += p.overdue;
        rated += p.rated;
        satisfied += p.satisfied;
        if let Place::Child(i) = place {
            by_unit[i].petitions += p.received;
        }
        counted.push(p);
    }
    totals.satisfaction_percent = percent(satisfied as f64, rated as f64);

    let bodies = danvan_storage::petitions::sum_by(&counted, |c| c.organisation_id);
    let ids: Vec<i64> = bodies.iter().filter_map(|b| b.organisation_id).collect();
    let names = super::petitions::body_names(&state.db, &ids).await?;
    let mut by_body: Vec<PetitionRow> = bodies
        .into_iter()
        .map(|b| PetitionRow {
            name: match b.organisation_id.and_then(|id| names.get(&id)) {
                Some(n) => n.clone(),
                None if vi => "Chưa chuyển đến cơ quan nào".to_string(),
                None => "Not yet routed to a body".to_string(),
            },
            received: b.received,
            answered: b.answered,
            on_time: b.on_time,
            overdue: b.overdue,
            rated: b.rated,
            satisfied: b.satisfied,
        })
        .collect();
    by_body.sort_by(|a, b| b.received.cmp(&a.received).then(a.name.cmp(&b.name)));

    let label = |vi_label: &str, en_label: &str| {
        if vi {
            vi_label.to_string()
        } else {
            en_label.to_string()
        }
    };
    let by_field = Field::ALL
        .iter()
        .map(|f| {
            let (models, replications) = fields.get(f.code()).copied().unwrap_or_default();
            Count {
                code: f.code().to_string(),
                label: label(f.label_vi(), f.label_en()),
                models,
                replications,
            }
        })
        .collect();
    let by_state = if audience == Audience::Staff {
        ModelState::ALL
            .iter()
            .filter_map(|s| {
                let (models, replications) = states.get(s.code()).copied()?;
                Some(Count {
                    code: s.code().to_string(),
                    label: label(s.label_vi(), s.label_en()),
                    models,
                    replications,
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    let indicators = kinds
        .into_iter()
        .map(|(kind, (target, achieved))| {
            let k = IndicatorKind::parse(&kind);
            IndicatorRow {
                label: k.map_or(kind.clone(), |k| label(k.label_vi(), k.label_en())),
                unit: k.map(|k| k.unit_vi().to_string()).unwrap_or_default(),
                percent: percent(achieved, target),
                kind,
                target,
                achieved,
            }
        })
        .collect();

    let mut contributions: Vec<crate::service::care::KindTotal> = Vec::new();
    for commune in communes {
        for t in commune.totals {
            match contributions.iter_mut().find(|c| c.kind == t.kind) {
                Some(c) => {
                    c.quantity += t.quantity;
                    c.entries += t.entries;
                }
                None => contributions.push(t),
            }
        }
    }
    Ok(Dashboard {
        audience,
        unit_code: unit.code.clone(),
        unit_name: unit.name.clone(),
        at,
        year: req.year,
        totals,
        by_field,
        by_state,
        by_unit,
        indicators,
        by_body,
        by_year: years.into_values().collect(),
        contributions,
        support,
    })
}

fn percent(part: f64, whole: f64) -> Option<f64> {
    (whole > 0.0).then(|| (part / whole * 1000.0).round() / 10.0)
}

/// One chart of a dashboard, drawn as SVG.
#[derive(Debug, Clone)]
pub struct ChartView {
    pub id: String,
    pub title: String,
    pub svg: String,
}

/// The dashboard's charts, in the order the page and the reports show them. A chart whose
/// data is empty is left out (its table says so).
pub fn charts(d: &Dashboard, vi: bool) -> Vec<ChartView> {
    let t = |v: &str, e: &str| if vi { v.to_string() } else { e.to_string() };
    let n = |v: i64| v as f64;
    let mut specs: Vec<BarChart> = Vec::new();
    if d.totals.models > 0 {
        specs.push(BarChart {
            id: "chart-fields".into(),
            title: t("Mô hình theo lĩnh vực", "Models by field"),
            categories: d.by_field.iter().map(|c| c.label.clone()).collect(),
            series: vec![
                Series {
                    name: t("Mô hình", "Models"),
                    values: d.by_field.iter().map(|c| n(c.models)).collect(),
                },
                Series {
                    name: t("Nhân rộng", "Replications"),
                    values: d.by_field.iter().map(|c| n(c.replications)).collect(),
                },
            ],
            orientation: Orientation::Horizontal,
            percent: false,
        });
    }
    if !d.by_state.is_empty() {
        specs.push(BarChart {
            id: "chart-states".into(),
            title: t("Mô hình theo trạng thái", "Models by state"),
            categories: d.by_state.iter().map(|c| c.label.clone()).collect(),
            series: vec![Series {
                name: t("Mô hình", "Models"),
                values: d.by_state.iter().map(|c| n(c.models)).collect(),
            }],
            orientation: Orientation::Horizontal,
            percent: false,
        });
    }
    let mut units: Vec<&UnitRow> = d
        .by_unit
        .iter()
        .filter(|u| u.models + u.petitions + u.commendations > 0)
        .collect();
    if !units.is_empty() {
        units.sort_by(|a, b| b.models.cmp(&a.models).then(a.name.cmp(&b.name)));
        let cut = units.len() > CHART_UNITS;
        units.truncate(CHART_UNITS);
        specs.push(BarChart {
            id: "chart-units".into(),
            title: if cut {
                t(
                    &format!("{CHART_UNITS} đơn vị có nhiều mô hình nhất"),
                    &format!("The {CHART_UNITS} units with most models"),
                )
            } else {
                t("Mô hình theo đơn vị", "Models by unit")
            },
            categories: units.iter().map(|u| u.name.clone()).collect(),
            series: vec![
                Series {
                    name: t("Mô hình", "Models"),
                    values: units.iter().map(|u| n(u.models)).collect(),
                },
                Series {
                    name: t("Được khen thưởng", "Commended"),
                    values: units.iter().map(|u| n(u.commendations)).collect(),
                },
            ],
            orientation: Orientation::Horizontal,
            percent: false,
        });
    }
    let measured: Vec<&IndicatorRow> = d
        .indicators
        .iter()
        .filter(|i| i.percent.is_some())
        .collect();
    if !measured.is_empty() {
        specs.push(BarChart {
            id: "chart-indicators".into(),
            title: t(
                "Chỉ tiêu: kết quả so với mục tiêu (%)",
                "Indicators: achieved against target (%)",
            ),
            categories: measured.iter().map(|i| i.label.clone()).collect(),
            series: vec![Series {
                name: t("Đạt", "Achieved"),
                values: measured.iter().map(|i| i.percent.unwrap_or(0.0)).collect(),
            }],
            orientation: Orientation::Horizontal,
            percent: true,
        });
    }
    // One commune is a single bar: its table says it better.
    if let Some(s) = d.support.as_ref().filter(|s| s.by_unit.len() > 1) {
        specs.push(BarChart {
            id: "chart-support".into(),
            title: t(
                "Hộ được hỗ trợ theo xã, phường",
                "Households supported by commune",
            ),
            categories: s.by_unit.iter().map(|g| g.label.clone()).collect(),
            series: vec![Series {
                name: t("Hộ được hỗ trợ", "Households supported"),
                values: s.by_unit.iter().map(|g| n(g.households)).collect(),
            }],
            orientation: Orientation::Horizontal,
            percent: false,
        });
    }
    if !d.by_body.is_empty() {
        specs.push(BarChart {
            id: "chart-bodies".into(),
            title: t(
                "Kiến nghị theo cơ quan giải quyết",
                "Petitions by answering body",
            ),
            categories: d.by_body.iter().map(|b| b.name.clone()).collect(),
            series: vec![
                Series {
                    name: t("Đã nhận", "Received"),
                    values: d.by_body.iter().map(|b| n(b.received)).collect(),
                },
                Series {
                    name: t("Trả lời đúng hạn", "Answered on time"),
                    values: d.by_body.iter().map(|b| n(b.on_time)).collect(),
                },
                Series {
                    name: t("Đang quá hạn", "Overdue"),
                    values: d.by_body.iter().map(|b| n(b.overdue)).collect(),
                },
            ],
            orientation: Orientation::Horizontal,
            percent: false,
        });
    }
    if !d.by_year.is_empty() {
        let years: Vec<String> = d.by_year.iter().map(|y| y.year.to_string()).collect();
        specs.push(BarChart {
            id: "chart-years".into(),
            title: t(
                "Mô hình qua các năm (theo đơn vị hành chính hiện nay)",
                "Models over the years (under today's units)",
            ),
            categories: years.clone(),
            series: vec![
                Series {
                    name: t("Mô hình", "Models"),
                    values: d.by_year.iter().map(|y| n(y.models)).collect(),
                },
                Series {
                    name: t("Nhân rộng", "Replications"),
                    values: d.by_year.iter().map(|y| n(y.replications)).collect(),
                },
                Series {
                    name: t("Được khen thưởng", "Commended"),
                    values: d.by_year.iter().map(|y| n(y.commendations)).collect(),
                },
            ],
            orientation: Orientation::Vertical,
            percent: false,
        });
        if d.by_year.iter().any(|y| y.petitions > 0) {
            specs.push(BarChart {
                id: "chart-petition-years".into(),
                title: t("Kiến nghị qua các năm", "Petitions over the years"),
                categories: years,
                series: vec![
                    Series {
                        name: t("Đã nhận", "Received"),
                        values: d.by_year.iter().map(|y| n(y.petitions)).collect(),
                    },
                    Series {
                        name: t("Trả lời đúng hạn", "Answered on time"),
                        values: d.by_year.iter().map(|y| n(y.petitions_on_time)).collect(),
                    },
                ],
                orientation: Orientation::Vertical,
                percent: false,
            });
        }
    }
    specs
        .into_iter()
        .filter_map(|spec| match danvan_charts::bars(&spec) {
            Ok(svg) => Some(ChartView {
                id: spec.id,
                title: spec.title,
                svg,
            }),
            Err(e) => {
                // The table beside still carries the numbers; a chart is not worth a 500.
                tracing::warn!(chart = %spec.id, error = %e, "chart not drawn");
                None
            }
        })
        .collect()
}
