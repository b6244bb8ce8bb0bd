#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| wsgauntlet_fuzz::ratchet_endpoint(data));
