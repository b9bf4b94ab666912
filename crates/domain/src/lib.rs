//! danvan's domain: the vocabulary of the movement and the rules that do not need a database.
//!
//! Everything here is pure (no I/O), so the policy, validation and hashing rules are tested
//! without a server and shared by the web layer, the CLI and the jobs.

pub mod audit;
pub mod care;
pub mod clock;
pub mod error;
pub mod fold;
pub mod movement;
pub mod organisation;
pub mod password;
pub mod petition;
pub mod policy;
pub mod role;
pub mod seal;
pub mod secret;
pub mod story;
pub mod text;
pub mod unit;
pub mod validate;

pub use error::{FieldError, Invalid};
pub use role::Role;
pub use unit::{UnitLevel, UnitTree};
