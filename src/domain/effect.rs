//! What a decision changes in the register, as data: the deciders return a list of
//! effects, the runner writes them in order in one transaction.

use chrono::NaiveDate;

use crate::case::{Category, Outcome, Status};

/// One change to a case (or a letter about it), in the order it is to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// The case moves to this status (stamping the moment it was confirmed, given its
    /// position or closed).
    SetStatus(Status),
    /// The position is now due on this (working) day.
    SetPositionBy(NaiveDate),
    SetCategory(Category),
    SetEmployee(String),
    SetOutcome(Outcome),
    /// A measure taken after the complaint, in the case's category as it then is.
    AddMeasure {
        text: String,
        category: Option<String>,
    },
    /// A timeline entry by the decision's author.
    Event {
        kind: String,
        detail: String,
    },
    /// A letter to the complainant.
    Letter(LetterKind),
}

/// Which letter a decision sends the complainant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LetterKind {
    /// The bevestigingsbrief.
    Acknowledgement,
    /// The standpuntbrief, with the position as directie wrote it.
    Position(String),
    /// The verlengingsbrief: the position deadline moved from `previous`.
    Extension { previous: NaiveDate, reason: String },
}
