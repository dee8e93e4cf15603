//! (in progress: issue 2, sandbox)
