//! The RTMP ingest: arbitrary bytes as what a client sends after connecting (handshake,
//! chunk stream, commands, media), through the ingest's own connection handling.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    cloumer_server::ingest::fuzzing::feed(data);
});
