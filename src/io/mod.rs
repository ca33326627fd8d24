//! CSV readers for the input shapes (DESIGN §2), with line-numbered errors.

pub mod events;
