//! The movement's tables: campaigns, initiatives with indicators and events, progress
//! reports with values and evidence, councils with scores and recusals, commendation
//! decisions.

pub mod campaigns;
pub mod councils;
pub mod decisions;
pub mod initiatives;
pub mod reports;
