//! (in progress: issue 2, client)
