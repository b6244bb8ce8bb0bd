#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| wsgauntlet_fuzz::tungstenite_endpoint(data));
