//! Integration tests of the generated crate: what the fixups promise about
//! decoding real servers' answers holds in the generated types.

mod tolerant_decoding;
