//! Payload masking (RFC 6455 §5.3), word at a time.
//!
//! "octet i of the transformed data is the XOR of octet i of the original
//! data with octet at index i modulo 4 of the masking key". Masking and
//! unmasking are the same operation.

/// XORs `buf` with `key`, starting at key index 0.
pub fn apply_mask(buf: &mut [u8], key: [u8; 4]) {
    apply_mask_at(buf, key, 0);
}

/// XORs `buf` with `key` as if `buf` started at payload offset `offset`,
/// so a payload can be unmasked in pieces as it arrives.
pub fn apply_mask_at(buf: &mut [u8], key: [u8; 4], offset: usize) {
    let r = offset % 4;
    let key = [key[r], key[(r + 1) % 4], key[(r + 2) % 4], key[(r + 3) % 4]];
    let mut wide = [0u8; 16];
    for (i, b) in wide.iter_mut().enumerate() {
        *b = key[i % 4];
    }
    let wide = u128::from_ne_bytes(wide);
    let mut chunks = buf.chunks_exact_mut(64);
    for chunk in &mut chunks {
        for lane in chunk.chunks_exact_mut(16) {
            let v = u128::from_ne_bytes(lane.try_into().expect("16-byte lane")) ^ wide;
            lane.copy_from_slice(&v.to_ne_bytes());
        }
    }
    // The remainder starts at a multiple of 64, so the key phase is unchanged.
    for (i, b) in chunks.into_remainder().iter_mut().enumerate() {
        *b ^= key[i % 4];
    }
}

/// The byte-by-byte definition, kept as the reference the fast form is tested against.
pub fn apply_mask_naive(buf: &mut [u8], key: [u8; 4], offset: usize) {
    for (i, b) in buf.iter_mut().enumerate() {
        *b ^= key[(offset + i) % 4];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn fast_mask_equals_definition(data in proptest::collection::vec(any::<u8>(), 0..300),
                                       key in any::<[u8; 4]>(), offset in 0usize..9) {
            let mut fast = data.clone();
            apply_mask_at(&mut fast, key, offset);
            let mut slow = data.clone();
            apply_mask_naive(&mut slow, key, offset);
            prop_assert_eq!(fast, slow);
        }

        #[test]
        fn masking_in_pieces_equals_masking_whole(data in proptest::collection::vec(any::<u8>(), 0..300),
                                                  key in any::<[u8; 4]>(), cut in 0usize..300) {
            let cut = cut.min(data.len());
            let mut whole = data.clone();
            apply_mask(&mut whole, key);
            let mut pieces = data.clone();
            let (a, b) = pieces.split_at_mut(cut);
            apply_mask_at(a, key, 0);
            apply_mask_at(b, key, cut);
            prop_assert_eq!(whole, pieces);
        }
    }

    #[test]
    fn rfc_example_hello() {
        // RFC 6455 §5.7: "A single-frame masked text message" containing "Hello".
        let mut p = *b"Hello";
        apply_mask(&mut p, [0x37, 0xfa, 0x21, 0x3d]);
        assert_eq!(p, [0x7f, 0x9f, 0x4d, 0x51, 0x58]);
    }
}
