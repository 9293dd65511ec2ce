//! Problem sets on disk (SPEC §1).
