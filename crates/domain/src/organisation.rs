//! Organisations that register models or resolve petitions; each belongs to a unit.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    Agency,
    FatherlandFront,
    MassOrganisation,
    ArmedForces,
    Enterprise,
    Collective,
}

impl OrganisationKind {
    pub const ALL: [OrganisationKind; 6] = [
        OrganisationKind::Agency,
        OrganisationKind::FatherlandFront,
        OrganisationKind::MassOrganisation,
        OrganisationKind::ArmedForces,
        OrganisationKind::Enterprise,
        OrganisationKind::Collective,
    ];

    pub fn code(self) -> &'static str {
        match self {
            OrganisationKind::Agency => "agency",
            OrganisationKind::FatherlandFront => "fatherland_front",
            OrganisationKind::MassOrganisation => "mass_organisation",
            OrganisationKind::ArmedForces => "armed_forces",
            OrganisationKind::Enterprise => "enterprise",
            OrganisationKind::Collective => "collective",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            OrganisationKind::Agency => "Cơ quan",
            OrganisationKind::FatherlandFront => "Mặt trận Tổ quốc",
            OrganisationKind::MassOrganisation => "Đoàn thể",
            OrganisationKind::ArmedForces => "Lực lượng vũ trang",
            OrganisationKind::Enterprise => "Doanh nghiệp",
            OrganisationKind::Collective => "Tập thể",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            OrganisationKind::Agency => "Agency",
            OrganisationKind::FatherlandFront => "Fatherland Front",
            OrganisationKind::MassOrganisation => "Mass organisation",
            OrganisationKind::ArmedForces => "Armed forces unit",
            OrganisationKind::Enterprise => "Enterprise",
            OrganisationKind::Collective => "Collective",
        }
    }
}
