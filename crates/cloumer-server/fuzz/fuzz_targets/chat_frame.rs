//! IVS Chat client frames: arbitrary text as one WebSocket message, parsed and checked
//! as the chat socket does before acting on it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = cloumer_server::chat::fuzzing::client_frame(text);
    }
});
