//! What each client computes from the statuses it reads, so the benchmark
//! can check that every client saw the same items (and the optimizer cannot
//! skip the work).

use std::fmt;

/// Count, id sum, and lengths of two strings per status.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub count: u64,
    pub id_sum: i64,
    pub text_len: u64,
}

impl Summary {
    pub fn add(&mut self, id: i64, description: Option<&str>, login: Option<&str>) {
        self.count += 1;
        self.id_sum = self.id_sum.wrapping_add(id);
        self.text_len += (description.map_or(0, str::len) + login.map_or(0, str::len)) as u64;
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.count, self.id_sum, self.text_len)
    }
}
