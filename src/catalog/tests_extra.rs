//! Tests of the section 9 and 14–20 catalogue data.
