//! Care and contributions (issue 6): who is in need, and what people give.
//!
//! The rules here are the ones every entry path shares (form, API, spreadsheet import):
//! household categories of the official lists, the kinds of contribution with their units
//! and sane bounds, drive periods, and the folded key that finds the same household written
//! twice ("Nguyễn Văn Hoà, ấp 3" and "nguyen van hoa , Ap 3").

use chrono::NaiveDate;

use crate::error::FieldError;
use crate::fold::fold;
use crate::petition::coded_enum;

coded_enum!(
    /// Why a household is on the commune's register (one household may be on several lists).
    HouseholdCategory {
        Poor = "poor", "Hộ nghèo", "Poor household";
        NearPoor = "near_poor", "Hộ cận nghèo", "Near-poor household";
        PolicyFamily = "policy_family", "Gia đình chính sách", "Policy family";
        LonelyElderly = "lonely_elderly", "Người cao tuổi neo đơn", "Elderly person living alone";
        Disability = "disability", "Người khuyết tật", "Person with a disability";
    }
);

coded_enum!(
    /// What a household, organisation or enterprise gave.
    ContributionKind {
        LandM2 = "land_m2", "Hiến đất (m²)", "Land donated (m²)";
        FenceM = "fence_m", "Tháo dỡ hàng rào, cổng (m)", "Fences and gates taken down (m)";
        LabourDays = "labour_days", "Ngày công lao động", "Labour days";
        MoneyVnd = "money_vnd", "Tiền (đồng)", "Money (VND)";
        MaterialsVnd = "materials_vnd", "Vật tư quy ra tiền (đồng)", "Materials, valued (VND)";
    }
);

coded_enum!(
    /// Who a contribution came from.
    ContributorType {
        Household = "household", "Hộ gia đình", "Household";
        Organisation = "organisation", "Cơ quan, tổ chức", "Organisation";
        Enterprise = "enterprise", "Doanh nghiệp", "Enterprise";
    }
);

impl ContributionKind {
    /// The unit shown after a quantity.
    pub fn unit_vi(self) -> &'static str {
        match self {
            ContributionKind::LandM2 => "m²",
            ContributionKind::FenceM => "m",
            ContributionKind::LabourDays => "ngày công",
            ContributionKind::MoneyVnd | ContributionKind::MaterialsVnd => "₫",
        }
    }

    /// The largest quantity one entry may record: beyond it the entry is a typing mistake
    /// (a whole hectare of land from one giver is possible; ten is not one entry).
    pub fn max_per_entry(self) -> f64 {
        match self {
            ContributionKind::LandM2 => 100_000.0,
            ContributionKind::FenceM => 10_000.0,
            ContributionKind::LabourDays => 100_000.0,
            ContributionKind::MoneyVnd | ContributionKind::MaterialsVnd => 1_000_000_000_000.0,
        }
    }

    /// Money is counted in whole đồng.
    fn whole_units(self) -> bool {
        matches!(
            self,
            ContributionKind::MoneyVnd | ContributionKind::MaterialsVnd
        )
    }
}

/// A contribution's quantity: positive, finite, within the kind's bound, whole for money.
pub fn check_quantity(kind: ContributionKind, quantity: f64) -> Result<(), FieldError> {
    if !quantity.is_finite() || quantity <= 0.0 {
        return Err(FieldError::new(
            "quantity",
            "not_positive",
            "Số lượng phải lớn hơn 0.",
            "The quantity must be greater than 0.",
        ));
    }
    if quantity > kind.max_per_entry() {
        return Err(FieldError::new(
            "quantity",
            "implausible",
            format!(
                "Số lượng quá lớn cho một lần ghi ({} tối đa {} {}); xin kiểm tra lại.",
                kind.label_vi(),
                kind.max_per_entry(),
                kind.unit_vi()
            ),
            "The quantity is too large for one entry; please check it.",
        ));
    }
    if kind.whole_units() && quantity.fract() != 0.0 {
        return Err(FieldError::new(
            "quantity",
            "not_whole",
            "Số tiền phải là số đồng chẵn.",
            "Amounts of money are whole đồng.",
        ));
    }
    Ok(())
}

/// A drive's period: it ends on or after the day it starts and lasts at most a year.
pub fn check_period(starts_on: NaiveDate, ends_on: NaiveDate) -> Result<(), FieldError> {
    if ends_on < starts_on {
        return Err(FieldError::new(
            "ends_on",
            "ends_before_start",
            "Ngày kết thúc phải sau ngày bắt đầu.",
            "The drive must end on or after its first day.",
        ));
    }
    if (ends_on - starts_on).num_days() > 366 {
        return Err(FieldError::new(
            "ends_on",
            "too_long",
            "Một đợt hỗ trợ kéo dài tối đa một năm.",
            "A drive lasts at most one year.",
        ));
    }
    Ok(())
}

/// Whether two periods share at least one day: deliveries in overlapping drives to the same
/// household are what the overlap warning is about.
pub fn periods_overlap(a: (NaiveDate, NaiveDate), b: (NaiveDate, NaiveDate)) -> bool {
    a.0 <= b.1 && b.0 <= a.1
}

/// The key under which the same household written twice is found: the folded head's name and
/// address, with punctuation and spacing ignored. Storage keeps only a keyed hash of it.
pub fn household_key(head_name: &str, address: &str) -> String {
    let norm = |s: &str| {
        fold(s)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    format!("{}|{}", norm(head_name), norm(address))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn codes_and_labels_round_trip() {
        for c in HouseholdCategory::ALL {
            assert_eq!(HouseholdCategory::parse(c.code()), Some(*c));
            assert!(!c.label_vi().is_empty());
        }
        for k in ContributionKind::ALL {
            assert_eq!(ContributionKind::parse(k.code()), Some(*k));
        }
        assert_eq!(HouseholdCategory::parse("rich"), None);
    }

    #[test]
    fn quantities_must_be_plausible() {
        use ContributionKind::*;
        assert!(check_quantity(LandM2, 120.5).is_ok());
        assert_eq!(
            check_quantity(LandM2, 0.0).unwrap_err().code,
            "not_positive"
        );
        assert_eq!(
            check_quantity(FenceM, -3.0).unwrap_err().code,
            "not_positive"
        );
        assert_eq!(
            check_quantity(LabourDays, f64::NAN).unwrap_err().code,
            "not_positive"
        );
        assert_eq!(check_quantity(LandM2, 1e9).unwrap_err().code, "implausible");
        assert_eq!(
            check_quantity(MoneyVnd, 1500.5).unwrap_err().code,
            "not_whole"
        );
        assert!(check_quantity(MoneyVnd, 5_000_000.0).is_ok());
    }

    #[test]
    fn drive_periods() {
        assert!(check_period(d(2026, 1, 20), d(2026, 2, 16)).is_ok());
        assert_eq!(
            check_period(d(2026, 2, 16), d(2026, 1, 20))
                .unwrap_err()
                .code,
            "ends_before_start"
        );
        assert_eq!(
            check_period(d(2026, 1, 1), d(2027, 6, 1)).unwrap_err().code,
            "too_long"
        );
        let tet = (d(2026, 1, 20), d(2026, 2, 16));
        assert!(
            periods_overlap(tet, (d(2026, 2, 16), d(2026, 3, 1))),
            "sharing the last day"
        );
        assert!(!periods_overlap(tet, (d(2026, 2, 17), d(2026, 3, 1))));
        assert!(
            periods_overlap(tet, (d(2025, 12, 1), d(2026, 12, 31))),
            "one inside the other"
        );
    }

    #[test]
    fn the_same_household_written_twice_has_one_key() {
        let a = household_key("Nguyễn Văn Hoà", "Ấp 3, xã Núi Cấm");
        assert_eq!(a, household_key("  nguyen van hòa ", "ap 3 xa nui cam"));
        assert_eq!(a, household_key("NGUYỄN VĂN HOÀ", "Ấp 3 - Xã Núi Cấm"));
        assert_ne!(a, household_key("Nguyễn Văn Hoà", "Ấp 4, xã Núi Cấm"));
        assert_ne!(
            household_key("Lê Văn", "Tám"),
            household_key("Lê Văn Tám", "")
        );
    }
}
