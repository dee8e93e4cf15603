//! (in progress: issue 6)
