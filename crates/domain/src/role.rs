//! The roles of DESIGN.md §2. Each grant of a role is scoped to a unit subtree, and for
//! reporters and handlers to one organisation.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    ProvinceAdmin,
    UnitOfficer,
    Reporter,
    CouncilMember,
    Handler,
    Supervisor,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::ProvinceAdmin,
        Role::UnitOfficer,
        Role::Reporter,
        Role::CouncilMember,
        Role::Handler,
        Role::Supervisor,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::ProvinceAdmin => "province_admin",
            Role::UnitOfficer => "unit_officer",
            Role::Reporter => "reporter",
            Role::CouncilMember => "council_member",
            Role::Handler => "handler",
            Role::Supervisor => "supervisor",
        }
    }

    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Reporters act for their organisation, handlers for their body: the grant names it.
    pub fn needs_organisation(self) -> bool {
        matches!(self, Role::Reporter | Role::Handler)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Role::ProvinceAdmin => "Quản trị cấp tỉnh",
            Role::UnitOfficer => "Cán bộ dân vận đơn vị",
            Role::Reporter => "Người báo cáo của tổ chức",
            Role::CouncilMember => "Thành viên hội đồng",
            Role::Handler => "Cán bộ xử lý kiến nghị",
            Role::Supervisor => "Giám sát (MTTQ, HĐND)",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Role::ProvinceAdmin => "Province administrator",
            Role::UnitOfficer => "Unit officer",
            Role::Reporter => "Organisation reporter",
            Role::CouncilMember => "Council member",
            Role::Handler => "Petition handler",
            Role::Supervisor => "Supervisor (Fatherland Front, People's Council)",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// One role held by an account, over a unit subtree (and an organisation where it applies).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub unit_id: i64,
    pub organisation_id: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
