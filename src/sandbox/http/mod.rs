//! The HTTP edge: the state handlers share, what they extract from a request, the
//! middleware (authentication, CORS, rate limit, idempotency), body validation, and the
//! routes.

pub(crate) mod authenticate;
pub(crate) mod cors;
pub(crate) mod extract;
pub(crate) mod idempotency;
pub(crate) mod rate_limit;
pub(crate) mod routes;
pub(crate) mod state;
pub(crate) mod validate;
