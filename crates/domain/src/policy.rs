//! The one policy layer: who may do what, where.
//!
//! Every page and API route asks [`authorize`] (for one target) or [`scope`] (for a list)
//! before it reads or changes anything; the web layer has no role checks of its own.

use std::collections::HashSet;

use crate::role::{Grant, Role};
use crate::unit::UnitTree;

/// The signed-in caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub account_id: i64,
    pub username: String,
    pub display_name: String,
    pub grants: Vec<Grant>,
}

impl Principal {
    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }
    pub fn roles(&self) -> Vec<Role> {
        let mut r: Vec<Role> = self.grants.iter().map(|g| g.role).collect();
        r.sort();
        r.dedup();
        r
    }
}

/// What a caller wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See one's own dashboard, change one's own password.
    UseOwnAccount,
    /// Create, disable and grant roles to accounts (target: the unit of the grant).
    ManageAccounts,
    /// Browse the audit trail.
    ViewAudit,
    /// Read organisations (target: the organisation's unit).
    ViewOrganisations,
    /// Create and edit organisations (target: the organisation's unit).
    ManageOrganisations,
    /// Launch and edit campaigns, form councils.
    ManageCampaigns,
    /// Register and report a model (target: its unit and organisation).
    RegisterInitiative,
    /// Approve, return or reject registrations, verify reports (target: the model's unit).
    ReviewInitiative,
    /// See a model that is not public (target: its unit and organisation).
    ViewInitiative,
    /// Draft and record commendation decisions.
    Commend,
    /// Enter the year's official days off and make-up working days.
    ManageCalendar,
    /// Score the models assigned to a council one sits on (target: the council's unit).
    ScoreInitiatives,
    /// Read every council in scope with all members' scores, minutes included.
    OverseeCouncils,
    /// Record a petition that came through another channel (target: its unit).
    RecordPetition,
    /// See petitions (target: the unit, and for handlers the body responsible).
    ViewPetition,
    /// Work a petition: accept, assign, answer, transfer, merge (target as for viewing).
    HandlePetition,
    /// See a petitioner's contact details (every view is logged; for a denunciation only the
    /// assigned handler and the province admin, checked on top by the service).
    RevealPetitioner,
    /// Edit routing rules and time limits, issue Open311 keys.
    ManagePetitionRules,
    /// See the statistics of a unit's subtree with models in every state (target: the unit);
    /// the public figures need no permission.
    ViewStatistics,
    /// Keep a commune's register of households in need and record deliveries to them: the
    /// only action that shows a household's name and address (target: the household's unit).
    ManageHouseholds,
    /// Announce a support drive (target: each of its units, and the announcing organisation).
    RunDrives,
    /// Write to the contributions ledger (target: the commune the contribution is for).
    RecordContributions,
    /// Write stories for the public and submit them for review (target: none, a draft is
    /// private to its author and the publishers of its units).
    WriteStory,
    /// Publish, schedule, unpublish or return a story, edit anyone's story, and see the
    /// unpublished ones (target: every unit the story is about, and its models' units).
    PublishStory,
}

impl Action {
    /// Roles that may perform the action at all; the unit scope is checked on top.
    pub fn roles(self) -> &'static [Role] {
        use Role::*;
        match self {
            Action::UseOwnAccount => &[
                ProvinceAdmin,
                UnitOfficer,
                Reporter,
                CouncilMember,
                Handler,
                Supervisor,
            ],
            Action::ManageAccounts | Action::ViewAudit => &[ProvinceAdmin],
            Action::ViewOrganisations => &[
                ProvinceAdmin,
                UnitOfficer,
                Reporter,
                CouncilMember,
                Handler,
                Supervisor,
            ],
            Action::ManageOrganisations => &[ProvinceAdmin, UnitOfficer],
            Action::ManageCampaigns | Action::Commend | Action::ManageCalendar => &[ProvinceAdmin],
            Action::ScoreInitiatives => &[CouncilMember],
            Action::OverseeCouncils => &[ProvinceAdmin, Supervisor],
            Action::RegisterInitiative => &[ProvinceAdmin, Reporter],
            Action::ReviewInitiative => &[ProvinceAdmin, UnitOfficer],
            Action::RecordPetition => &[ProvinceAdmin, UnitOfficer],
            Action::ViewPetition => &[ProvinceAdmin, UnitOfficer, Handler, Supervisor],
            Action::HandlePetition | Action::RevealPetitioner => {
                &[ProvinceAdmin, UnitOfficer, Handler]
            }
            Action::ManagePetitionRules => &[ProvinceAdmin],
            Action::ViewStatistics => &[ProvinceAdmin, UnitOfficer, Supervisor],
            Action::ManageHouseholds | Action::RecordContributions => &[ProvinceAdmin, UnitOfficer],
            Action::RunDrives => &[ProvinceAdmin, UnitOfficer, Reporter],
            Action::WriteStory | Action::PublishStory => &[ProvinceAdmin, UnitOfficer],
            Action::ViewInitiative => &[
                ProvinceAdmin,
                UnitOfficer,
                Reporter,
                CouncilMember,
                Supervisor,
            ],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("forbidden")]
pub struct Denied;

/// May `who` do `action` on something in unit `target` (or anywhere, when `None`)?
pub fn authorize(
    who: &Principal,
    action: Action,
    target: Option<i64>,
    tree: &UnitTree,
) -> Result<(), Denied> {
    let allowed = action.roles();
    let ok = who
        .grants
        .iter()
        .filter(|g| allowed.contains(&g.role))
        .any(|g| target.is_none_or(|t| tree.contains(g.unit_id, t)));
    if ok { Ok(()) } else { Err(Denied) }
}

/// What an action is about: a unit, and for reporters' and handlers' grants, an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Target {
    pub unit: Option<i64>,
    pub organisation: Option<i64>,
}

/// Like [`authorize`], and a grant bound to an organisation (reporter, handler) only covers
/// that organisation's things.
pub fn authorize_for(
    who: &Principal,
    action: Action,
    target: Target,
    tree: &UnitTree,
) -> Result<(), Denied> {
    let allowed = action.roles();
    let ok = who
        .grants
        .iter()
        .filter(|g| allowed.contains(&g.role))
        .any(|g| {
            let in_unit = target.unit.is_none_or(|t| tree.contains(g.unit_id, t));
            let in_org = !g.role.needs_organisation()
                || (target.organisation.is_some() && g.organisation_id == target.organisation);
            in_unit && in_org
        });
    if ok { Ok(()) } else { Err(Denied) }
}

/// The units in which `who` may do `action`, for filtering lists. Empty means nothing.
pub fn scope(who: &Principal, action: Action, tree: &UnitTree) -> HashSet<i64> {
    let allowed = action.roles();
    who.grants
        .iter()
        .filter(|g| allowed.contains(&g.role))
        .flat_map(|g| tree.subtree(g.unit_id))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::{Unit, UnitLevel};

    fn tree() -> UnitTree {
        let u = |id, code: &str, level, parent| Unit {
            id,
            code: code.into(),
            name: code.into(),
            level,
            parent_id: parent,
            valid_from: None,
            valid_to: None,
        };
        UnitTree::new(
            vec![
                u(1, "89", UnitLevel::Province, None),
                u(2, "883", UnitLevel::District, Some(1)),
                u(3, "884", UnitLevel::District, Some(1)),
                u(4, "30280", UnitLevel::Commune, Some(2)),
                u(5, "30316", UnitLevel::Commune, Some(3)),
            ],
            vec![],
        )
    }

    fn who(role: Role, unit: i64) -> Principal {
        Principal {
            account_id: 1,
            username: "u".into(),
            display_name: "U".into(),
            grants: vec![Grant {
                role,
                unit_id: unit,
                organisation_id: None,
            }],
        }
    }

    #[test]
    fn district_officer_is_confined_to_its_subtree() {
        let t = tree();
        let officer = who(Role::UnitOfficer, 2);
        assert!(authorize(&officer, Action::ManageOrganisations, Some(4), &t).is_ok());
        assert!(authorize(&officer, Action::ManageOrganisations, Some(5), &t).is_err());
        assert!(authorize(&officer, Action::ManageOrganisations, Some(1), &t).is_err());
        assert!(authorize(&officer, Action::ManageAccounts, None, &t).is_err());
        assert!(authorize(&officer, Action::ViewAudit, None, &t).is_err());
        assert_eq!(
            scope(&officer, Action::ViewOrganisations, &t),
            HashSet::from([2, 4])
        );
    }

    #[test]
    fn province_admin_covers_the_province() {
        let t = tree();
        let admin = who(Role::ProvinceAdmin, 1);
        for target in 1..=5 {
            assert!(authorize(&admin, Action::ManageOrganisations, Some(target), &t).is_ok());
        }
        assert!(authorize(&admin, Action::ViewAudit, None, &t).is_ok());
    }

    #[test]
    fn supervisor_reads_but_never_changes() {
        let t = tree();
        let sup = who(Role::Supervisor, 1);
        assert!(authorize(&sup, Action::ViewOrganisations, Some(4), &t).is_ok());
        assert!(authorize(&sup, Action::ManageOrganisations, Some(4), &t).is_err());
    }

    #[test]
    fn reporters_act_only_for_their_organisation() {
        let t = tree();
        let reporter = Principal {
            account_id: 3,
            username: "r".into(),
            display_name: "R".into(),
            grants: vec![Grant {
                role: Role::Reporter,
                unit_id: 2,
                organisation_id: Some(7),
            }],
        };
        let own = Target {
            unit: Some(4),
            organisation: Some(7),
        };
        let other = Target {
            unit: Some(4),
            organisation: Some(8),
        };
        assert!(authorize_for(&reporter, Action::RegisterInitiative, own, &t).is_ok());
        assert!(authorize_for(&reporter, Action::RegisterInitiative, other, &t).is_err());
        assert!(
            authorize_for(
                &reporter,
                Action::RegisterInitiative,
                Target {
                    unit: Some(5),
                    organisation: Some(7)
                },
                &t
            )
            .is_err()
        );
        assert!(authorize_for(&reporter, Action::ReviewInitiative, own, &t).is_err());
        let officer = who(Role::UnitOfficer, 2);
        assert!(
            authorize_for(&officer, Action::ReviewInitiative, other, &t).is_ok(),
            "officers are not bound to one organisation"
        );
    }

    #[test]
    fn councils_are_scored_by_members_and_overseen_by_admin_and_supervisor() {
        let t = tree();
        let member = who(Role::CouncilMember, 1);
        let sup = who(Role::Supervisor, 1);
        let admin = who(Role::ProvinceAdmin, 1);
        assert!(authorize(&member, Action::ScoreInitiatives, Some(1), &t).is_ok());
        assert!(authorize(&member, Action::OverseeCouncils, Some(1), &t).is_err());
        assert!(authorize(&member, Action::ManageCampaigns, None, &t).is_err());
        assert!(authorize(&sup, Action::OverseeCouncils, Some(1), &t).is_ok());
        assert!(authorize(&sup, Action::ManageCampaigns, None, &t).is_err());
        assert!(authorize(&sup, Action::Commend, None, &t).is_err());
        assert!(authorize(&admin, Action::ScoreInitiatives, None, &t).is_err());
        assert!(authorize(&admin, Action::Commend, None, &t).is_ok());
        let commune_member = who(Role::CouncilMember, 4);
        assert!(
            authorize(&commune_member, Action::ScoreInitiatives, Some(1), &t).is_err(),
            "a commune's member does not sit for the province"
        );
    }

    #[test]
    fn stories_are_published_by_the_officers_of_their_units() {
        let t = tree();
        let officer = who(Role::UnitOfficer, 2);
        let admin = who(Role::ProvinceAdmin, 1);
        let reporter = who(Role::Reporter, 2);
        assert!(authorize(&officer, Action::WriteStory, None, &t).is_ok());
        assert!(authorize(&officer, Action::PublishStory, Some(4), &t).is_ok());
        assert!(authorize(&officer, Action::PublishStory, Some(5), &t).is_err());
        assert!(authorize(&admin, Action::PublishStory, Some(5), &t).is_ok());
        assert!(authorize(&reporter, Action::WriteStory, None, &t).is_err());
    }

    #[test]
    fn no_grant_no_access() {
        let t = tree();
        let nobody = Principal {
            account_id: 2,
            username: "n".into(),
            display_name: "N".into(),
            grants: vec![],
        };
        assert!(authorize(&nobody, Action::UseOwnAccount, None, &t).is_err());
        assert!(scope(&nobody, Action::ViewOrganisations, &t).is_empty());
    }
}
