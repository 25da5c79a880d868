//! The vocabulary of the route table: one [`Route`] per (method, path) the server serves, with
//! the port and API generation it belongs to, its inputs and every answer it can give. Plain
//! `const` data, so the table reads like the spec's tables and tests can walk it.

use std::borrow::Cow;

use utoipa::ToSchema;
use utoipa::openapi::{RefOr, Schema};

/// An HTTP method the routers serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    /// `GET` (axum answers `HEAD` with it too).
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `PATCH`.
    Patch,
    /// `DELETE`.
    Delete,
}

impl Method {
    /// The method's name as on the wire (`GET`, ...), for comparing with a router's routes.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// Which listener serves a route (in the default 1.0.0-beta mode; in 0.10 mode the public port
/// serves the admin routes too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ports {
    /// The public port only.
    Public,
    /// The admin port only.
    Admin,
    /// Both ports (health and version, probed by load balancers on either).
    Both,
}

impl Ports {
    /// Whether the public port serves the route.
    pub fn public(self) -> bool {
        matches!(self, Ports::Public | Ports::Both)
    }

    /// Whether the admin port serves the route.
    pub fn admin(self) -> bool {
        matches!(self, Ports::Admin | Ports::Both)
    }
}

/// The Hydra API generation a route comes from (`shared/spec/api.md` §2–§4), or Oxydra's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generation {
    /// Hydra 1.0.0-beta, the primary API.
    V1Beta,
    /// Hydra 0.10's consent-by-id API.
    V010,
    /// Hydra 1.1–1.11's routes that 1.0.0-beta lacked (query-form sessions, token deletion).
    V1x,
    /// Hydra 2.x's `/admin` API.
    V2,
    /// Hydra "1.0.0-aplha1" [sic]: keys, policies, `/health`, `/health/stats`.
    V1Alpha1,
    /// Oxydra's own routes (the demo login app).
    Oxydra,
}

impl Generation {
    /// The document tag naming the generation.
    pub fn tag(self) -> &'static str {
        match self {
            Generation::V1Beta => "hydra-1.0.0-beta",
            Generation::V010 => "hydra-0.10",
            Generation::V1x => "hydra-1.x",
            Generation::V2 => "hydra-2.x",
            Generation::V1Alpha1 => "hydra-1.0.0-alpha1",
            Generation::Oxydra => "oxydra",
        }
    }
}

/// A wire model, by the functions its `ToSchema` derive provides: its component name, its
/// schema and the schemas it refers to.
#[derive(Clone, Copy)]
pub struct Model {
    /// The component name (`OAuth2Client`).
    pub name: fn() -> Cow<'static, str>,
    /// The model's own schema.
    pub schema: fn() -> RefOr<Schema>,
    /// Adds the schemas the model refers to.
    pub nested: fn(&mut Vec<(String, RefOr<Schema>)>),
}

/// The [`Model`] of `T`.
pub const fn model<T: ToSchema>() -> Model {
    Model {
        name: T::name,
        schema: T::schema,
        nested: T::schemas,
    }
}

/// What a query parameter holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Any string.
    Text,
    /// A non-negative integer.
    Count,
}

/// One query parameter.
#[derive(Debug, Clone, Copy)]
pub struct Query {
    /// Its name.
    pub name: &'static str,
    /// What it holds.
    pub kind: Kind,
    /// Whether the route refuses the request without it.
    pub required: bool,
    /// What it means.
    pub description: &'static str,
}

/// The request body a route reads.
#[derive(Clone, Copy)]
pub enum Body {
    /// None.
    None,
    /// A JSON body of this model; `required` when an empty body is refused.
    Json {
        /// The model.
        model: Model,
        /// Whether the body must be present.
        required: bool,
    },
    /// A JSON array of this model (the RFC 6902 patch of `PATCH /admin/clients/{id}`).
    JsonList(Model),
    /// An `application/x-www-form-urlencoded` body with these fields.
    Form(Model),
}

/// What one answer carries.
#[derive(Clone, Copy)]
pub enum Shape {
    /// A JSON body of this model.
    Json(Model),
    /// A JSON array of this model.
    JsonList(Model),
    /// Hydra's flat JSON error body (`ErrorBody`).
    Error,
    /// No body.
    Empty,
    /// A redirect: no body of its own, the target in `Location`.
    Redirect,
    /// An HTML page.
    Html,
    /// Plain text of this media type (Prometheus exposition).
    Text(&'static str),
    /// A JSON body of this model, or a signed JWT (`application/jwt`) when the client asked
    /// for signed answers.
    JsonOrJwt(Model),
}

/// One answer a route gives.
#[derive(Clone, Copy)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// What the answer carries.
    pub shape: Shape,
    /// When it is given.
    pub description: &'static str,
}

/// One (method, path) the server serves.
#[derive(Clone, Copy)]
pub struct Route {
    /// The method.
    pub method: Method,
    /// The path, with `{name}` parameters as the routers spell them.
    pub path: &'static str,
    /// A unique operation name (Hydra's SDK method name where it has one).
    pub operation_id: &'static str,
    /// One line on what the route does.
    pub summary: &'static str,
    /// Which listener serves it.
    pub ports: Ports,
    /// The API generation it comes from.
    pub generation: Generation,
    /// Its query parameters (path parameters are read from `path`).
    pub query: &'static [Query],
    /// Its request body.
    pub body: Body,
    /// Its own answers: successes and the failures particular to it.
    pub replies: &'static [Reply],
    /// The failures it shares with the other routes of its kind (every guarded admin route
    /// can answer 401, 403, 500 and 503, say); the document lists them after `replies`.
    pub errors: &'static [Reply],
}

impl Route {
    /// Every answer the route gives: its own, then the shared failures.
    pub fn answers(&self) -> impl Iterator<Item = &'static Reply> {
        self.replies.iter().chain(self.errors)
    }
}

/// A JSON answer.
pub const fn json(status: u16, model: Model, description: &'static str) -> Reply {
    Reply {
        status,
        shape: Shape::Json(model),
        description,
    }
}

/// An error answer (Hydra's error body).
pub const fn error(status: u16, description: &'static str) -> Reply {
    Reply {
        status,
        shape: Shape::Error,
        description,
    }
}

/// An answer of another shape.
pub const fn reply(status: u16, shape: Shape, description: &'static str) -> Reply {
    Reply {
        status,
        shape,
        description,
    }
}

/// An optional query parameter.
pub const fn optional(name: &'static str, kind: Kind, description: &'static str) -> Query {
    Query {
        name,
        kind,
        required: false,
        description,
    }
}

/// A required query parameter.
pub const fn required(name: &'static str, description: &'static str) -> Query {
    Query {
        name,
        kind: Kind::Text,
        required: true,
        description,
    }
}
