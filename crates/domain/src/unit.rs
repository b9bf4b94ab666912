//! The administrative unit tree, time-versioned.
//!
//! A unit is one version of a place: the same code may name different places at different
//! times (code 91 was Kiên Giang until 30 June 2025 and is the new An Giang since 1 July 2025),
//! so units are identified by a numeric id, and a code is resolved at a date. Succession edges
//! (old commune → new commune, old province → new province) carry records made under the old
//! units into the new ones.

use std::collections::{HashMap, HashSet, VecDeque};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitLevel {
    Province,
    District,
    Commune,
}

impl UnitLevel {
    pub fn code(self) -> &'static str {
        match self {
            UnitLevel::Province => "province",
            UnitLevel::District => "district",
            UnitLevel::Commune => "commune",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "province" => Some(UnitLevel::Province),
            "district" => Some(UnitLevel::District),
            "commune" => Some(UnitLevel::Commune),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unit {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub level: UnitLevel,
    pub parent_id: Option<i64>,
    /// First day of validity; `None` means "since before danvan's records".
    pub valid_from: Option<NaiveDate>,
    /// First day on which the unit no longer exists; `None` means "still valid".
    pub valid_to: Option<NaiveDate>,
}

impl Unit {
    pub fn valid_at(&self, at: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= at) && self.valid_to.is_none_or(|t| at < t)
    }
}

/// The whole tree in memory: a province has a few hundred units, and policy checks run on
/// every request, so they must not cost a query.
#[derive(Debug, Default, Clone)]
pub struct UnitTree {
    units: HashMap<i64, Unit>,
    successors: HashMap<i64, Vec<i64>>,
}

impl UnitTree {
    pub fn new(units: Vec<Unit>, succession: Vec<(i64, i64)>) -> Self {
        let units = units.into_iter().map(|u| (u.id, u)).collect();
        let mut successors: HashMap<i64, Vec<i64>> = HashMap::new();
        for (old, new) in succession {
            successors.entry(old).or_default().push(new);
        }
        Self { units, successors }
    }

    pub fn get(&self, id: i64) -> Option<&Unit> {
        self.units.get(&id)
    }

    pub fn len(&self) -> usize {
        self.units.len()
    }

    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// The unit that bore `code` on `at`.
    pub fn by_code_at(&self, code: &str, at: NaiveDate) -> Option<&Unit> {
        self.units
            .values()
            .find(|u| u.code == code && u.valid_at(at))
    }

    /// The province as it stood on `at` (the root of the tree then; the lowest code should
    /// several roots ever stand at once).
    pub fn root_at(&self, at: NaiveDate) -> Option<&Unit> {
        self.units
            .values()
            .filter(|u| u.parent_id.is_none() && u.valid_at(at))
            .min_by(|a, b| a.code.cmp(&b.code))
    }

    /// The most recent unit that bore `code` (the current one if it still exists).
    pub fn by_code_latest(&self, code: &str) -> Option<&Unit> {
        self.units
            .values()
            .filter(|u| u.code == code)
            .max_by_key(|u| (u.valid_to.is_none(), u.valid_from))
    }

    /// Units whose parent is `parent_id` and that were valid on `at`, in code order.
    pub fn children_at(&self, parent_id: i64, at: NaiveDate) -> Vec<&Unit> {
        let mut out: Vec<&Unit> = self
            .units
            .values()
            .filter(|u| u.parent_id == Some(parent_id) && u.valid_at(at))
            .collect();
        out.sort_by(|a, b| a.code.cmp(&b.code));
        out
    }

    /// Ancestors from the parent up to the root.
    pub fn ancestors(&self, id: i64) -> Vec<&Unit> {
        let mut out = Vec::new();
        let mut cur = self.units.get(&id).and_then(|u| u.parent_id);
        while let Some(pid) = cur {
            match self.units.get(&pid) {
                Some(p) if out.len() < 16 => {
                    out.push(p);
                    cur = p.parent_id;
                }
                _ => break,
            }
        }
        out
    }

    /// Whether `target` lies in the subtree of `scope`: `scope` is reached from `target` by
    /// going up to parents or forward to successors. So an officer of a new commune also
    /// covers the old communes that became it, and the new province covers everything that
    /// merged into it.
    pub fn contains(&self, scope: i64, target: i64) -> bool {
        if scope == target {
            return true;
        }
        let mut seen = HashSet::new();
        let mut queue = VecDeque::from([target]);
        while let Some(id) = queue.pop_front() {
            if id == scope {
                return true;
            }
            if !seen.insert(id) {
                continue;
            }
            if let Some(p) = self.units.get(&id).and_then(|u| u.parent_id) {
                queue.push_back(p);
            }
            if let Some(next) = self.successors.get(&id) {
                queue.extend(next.iter().copied());
            }
        }
        false
    }

    /// Every unit id in the subtree of `scope` (itself included), across all dates.
    pub fn subtree(&self, scope: i64) -> HashSet<i64> {
        self.units
            .keys()
            .copied()
            .filter(|&id| self.contains(scope, id))
            .collect()
    }

    /// The unit that stands for `id` on `at`: itself while it exists, else its main successor
    /// (followed through later reforms). `None` for a unit that did not exist yet on `at`.
    pub fn as_of(&self, id: i64, at: NaiveDate) -> Option<&Unit> {
        let mut cur = self.units.get(&id)?;
        for _ in 0..8 {
            if cur.valid_at(at) {
                return Some(cur);
            }
            if cur.valid_from.is_some_and(|f| at < f) {
                return None;
            }
            let next = self.successors.get(&cur.id).and_then(|s| s.first())?;
            cur = self.units.get(next)?;
        }
        None
    }

    /// Successors of an old unit.
    pub fn successors_of(&self, id: i64) -> Vec<&Unit> {
        self.successors
            .get(&id)
            .map(|v| v.iter().filter_map(|s| self.units.get(s)).collect())
            .unwrap_or_default()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Unit> {
        self.units.values()
    }

    /// "Xã Óc Eo, An Giang": the unit with its ancestors, for display.
    pub fn path_name(&self, id: i64) -> String {
        let Some(u) = self.units.get(&id) else {
            return String::new();
        };
        let mut parts = vec![u.name.as_str()];
        parts.extend(self.ancestors(id).into_iter().map(|a| a.name.as_str()));
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn unit(
        id: i64,
        code: &str,
        level: UnitLevel,
        parent: Option<i64>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Unit {
        Unit {
            id,
            code: code.into(),
            name: format!("U{code}"),
            level,
            parent_id: parent,
            valid_from: from.map(d),
            valid_to: to.map(d),
        }
    }

    fn sample() -> UnitTree {
        use UnitLevel::*;
        UnitTree::new(
            vec![
                unit(1, "89", Province, None, None, Some("2025-07-01")),
                unit(2, "883", District, Some(1), None, Some("2025-07-01")),
                unit(3, "30280", Commune, Some(2), None, Some("2025-07-01")),
                unit(4, "91", Province, None, None, Some("2025-07-01")),
                unit(10, "91", Province, None, Some("2025-07-01"), None),
                unit(11, "30307", Commune, Some(10), Some("2025-07-01"), None),
                unit(12, "30292", Commune, Some(10), Some("2025-07-01"), None),
            ],
            vec![(3, 11), (1, 10), (4, 10)],
        )
    }

    #[test]
    fn codes_resolve_by_date() {
        let t = sample();
        assert_eq!(t.by_code_at("91", d("2024-06-01")).map(|u| u.id), Some(4));
        assert_eq!(t.by_code_at("91", d("2026-01-01")).map(|u| u.id), Some(10));
        assert_eq!(t.by_code_at("89", d("2026-01-01")), None);
        assert_eq!(t.by_code_latest("91").map(|u| u.id), Some(10));
    }

    #[test]
    fn children_respect_validity() {
        let t = sample();
        assert_eq!(t.children_at(1, d("2024-06-01")).len(), 1);
        assert_eq!(t.children_at(10, d("2024-06-01")).len(), 0);
        assert_eq!(t.children_at(10, d("2026-01-01")).len(), 2);
    }

    #[test]
    fn scope_follows_parents_and_successors() {
        let t = sample();
        assert!(t.contains(1, 3), "old province covers its old commune");
        assert!(
            t.contains(11, 3),
            "new commune covers the old commune that became it"
        );
        assert!(
            t.contains(10, 3),
            "new province covers old communes through succession"
        );
        assert!(!t.contains(12, 3), "another new commune does not");
        assert!(
            !t.contains(2, 11),
            "an old district does not cover a new commune"
        );
        assert!(!t.contains(11, 12));
        assert_eq!(t.subtree(11), HashSet::from([11, 3]));
    }

    #[test]
    fn old_records_roll_up_into_successors() {
        let t = sample();
        assert_eq!(t.as_of(3, d("2024-06-01")).map(|u| u.id), Some(3));
        assert_eq!(
            t.as_of(3, d("2026-01-01")).map(|u| u.id),
            Some(11),
            "Mỹ Bình became Long Xuyên"
        );
        assert_eq!(
            t.as_of(11, d("2024-06-01")),
            None,
            "a new commune did not exist before the reform"
        );
        assert_eq!(
            t.as_of(2, d("2026-01-01")),
            None,
            "districts have no successor"
        );
    }
}
