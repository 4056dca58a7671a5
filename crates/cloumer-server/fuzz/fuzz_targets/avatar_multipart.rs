//! R7's multipart avatar upload: arbitrary bytes as the request body, parsed by axum's
//! `Multipart` and checked by the route's own `read_image`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    runtime.block_on(cloumer_server::rest::avatar::fuzzing::upload(body));
});
