//! The movement's tables: campaigns, initiatives with indicators and events, progress
//! reports with values and evidence.

pub mod campaigns;
pub mod initiatives;
pub mod reports;
