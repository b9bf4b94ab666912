//! Validation errors: a stable code for the API, a Vietnamese and an English message for people.

use serde::Serialize;

/// One field that failed validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    /// Stable snake_case code, e.g. `too_long`.
    pub code: &'static str,
    pub message_vi: String,
    pub message_en: String,
}

impl FieldError {
    pub fn new(
        field: &'static str,
        code: &'static str,
        message_vi: impl Into<String>,
        message_en: impl Into<String>,
    ) -> Self {
        Self {
            field,
            code,
            message_vi: message_vi.into(),
            message_en: message_en.into(),
        }
    }
}

/// A rejected input: one or more field errors. Nothing is written when this is returned.
#[derive(Debug, Clone, PartialEq, Eq, Default, thiserror::Error)]
#[error("invalid input: {}", .0.iter().map(|e| format!("{}: {}", e.field, e.code)).collect::<Vec<_>>().join(", "))]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    pub fn one(e: FieldError) -> Self {
        Self(vec![e])
    }
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// `Ok(())` when no error was collected.
    pub fn into_result(self) -> Result<(), Invalid> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
    pub fn for_field(&self, field: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.field == field)
    }
}

impl From<FieldError> for Invalid {
    fn from(e: FieldError) -> Self {
        Self::one(e)
    }
}
