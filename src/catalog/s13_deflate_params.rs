//! Autobahn section 13: the JSON data of 12.1 under seven permessage-deflate
//! parameter sets, 18 variants each (sizes, fragments and message counts as
//! in section 12). The tester offers the `server_*` parameters: a pair
//! (no_context_takeover, max_window_bits), 0 bits meaning the parameter is
//! absent. 13.7 offers three parameter sets in one header, in order of
//! preference, and the server takes the first it accepts.

use super::deflate_data::DataKind;
use super::s12_deflate_data::variants;
use super::{Case, Profile};
use crate::codec::deflate::{DeflateParams, offers_header};

/// One offer: `server_no_context_takeover` when `no_context`,
/// `server_max_window_bits=bits` unless `bits` is 0.
fn offer(no_context: bool, bits: u8) -> DeflateParams {
    let p = DeflateParams::new();
    let p = if no_context {
        p.server_no_context_takeover()
    } else {
        p
    };
    if bits == 0 {
        p
    } else {
        p.server_max_window_bits(bits)
    }
}

/// Section 13.
pub(super) fn cases(profile: Profile) -> Vec<Case> {
    let sets: [Vec<DeflateParams>; 7] = [
        vec![offer(false, 0)],
        vec![offer(true, 0)],
        vec![offer(false, 9)],
        vec![offer(false, 15)],
        vec![offer(true, 9)],
        vec![offer(true, 15)],
        vec![offer(true, 9), offer(true, 0), offer(false, 0)],
    ];
    let sections = sets.iter().enumerate().map(|(i, offers)| {
        let prefix = format!("13.{}", i + 1);
        let text = offers_header(offers);
        variants(&prefix, DataKind::Json, offers, &text, profile)
    });
    sections.flatten().collect()
}
