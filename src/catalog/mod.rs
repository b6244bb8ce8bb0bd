//! The conformance catalogue, as data: every Autobahn|Testsuite case of
//! sections 1–10 under its Autobahn id, then the cases Autobahn lacks in
//! sections 14 and up. One file per area, in RFC order. [`all`] holds the
//! cases run against servers; [`client_only_cases`] the few that only have
//! a meaning against clients (`serve` adds them).

mod case;
mod deflate_data;
mod s01_framing;
mod s02_ping_pong;
mod s03_reserved_bits;
mod s04_opcodes;
mod s05_fragmentation;
mod s06_utf8;
mod s07_close;
mod s09_limits_performance;
mod s10_misc;
mod s12_deflate_data;
mod s13_deflate_params;
mod s14_opening_handshake;
mod s15_masking;
mod s16_length_encoding;
mod s17_control_frames;
mod s18_close;
mod s19_interleaving;
mod s20_limits_floods;
mod s20_size_boundaries;
mod s21_deflate_negotiation;
mod s22_deflate_attacks;
mod select;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_extra;

pub use case::{
    Case, CaseKind, DeflateCase, Delivery, Generated, HandshakeCase, HandshakeExpect, HeaderEdit,
    Judge, Step, StepsFn, one_step, send, send_chopped, send_generated, send_repeated, send_sync,
};
pub use s20_size_boundaries::declared_cases;
pub use s21_deflate_negotiation::client_only_cases;
pub use select::{Selection, matches_pattern};

/// Payload sizes: the full Autobahn sizes, or smaller ones for a quick run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Profile {
    /// Autobahn's sizes (section 9 up to 16 MiB).
    #[default]
    Full,
    /// Section 9 with sizes divided by 16 and round trips by 10.
    Quick,
}

/// What `conform` runs against a server: every case, then the 20.5 cases
/// of the limits the user declared (`cases` lists the same).
pub fn for_servers(profile: Profile, declared: &crate::session::Declared) -> Vec<Case> {
    let mut cases = all(profile);
    cases.extend(declared_cases(declared));
    cases
}

/// Every case, in catalogue order.
pub fn all(profile: Profile) -> Vec<Case> {
    let sections: Vec<Vec<Case>> = vec![
        s01_framing::cases(),
        s02_ping_pong::cases(),
        s03_reserved_bits::cases(),
        s04_opcodes::cases(),
        s05_fragmentation::cases(),
        s06_utf8::cases(),
        s07_close::cases(),
        s09_limits_performance::cases(profile),
        s10_misc::cases(),
        s12_deflate_data::cases(profile),
        s13_deflate_params::cases(profile),
        s14_opening_handshake::cases(),
        s15_masking::cases(),
        s16_length_encoding::cases(),
        s17_control_frames::cases(),
        s18_close::cases(),
        s19_interleaving::cases(),
        s20_limits_floods::cases(),
        s20_size_boundaries::cases(),
        s21_deflate_negotiation::cases(),
        s22_deflate_attacks::cases(),
    ];
    sections.into_iter().flatten().collect()
}
