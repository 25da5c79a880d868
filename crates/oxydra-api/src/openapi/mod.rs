//! The OpenAPI 3.1 document of every route the server serves, in every API generation, built
//! from the wire models' derived schemas and the route table (`table/`). `oxydra openapi`
//! prints it; `docs/openapi.json` is its committed copy, kept equal by a test, and CI runs
//! schemathesis against a live server with it.

mod build;
mod forms;
pub mod route;
mod table;

use utoipa::openapi::server::{Server, ServerBuilder};
use utoipa::openapi::tag::{Tag, TagBuilder};
use utoipa::openapi::{ComponentsBuilder, InfoBuilder, OpenApi, OpenApiBuilder, PathItem, Paths};

pub use route::{Generation, Method, Ports, Route};
pub use table::routes;

/// The tag of operations the public port serves.
pub const PUBLIC_TAG: &str = "public";
/// The tag of operations the admin port serves.
pub const ADMIN_TAG: &str = "admin";

/// The public port at its default address.
fn public_server() -> Server {
    ServerBuilder::new()
        .url("http://127.0.0.1:4444")
        .description(Some("The public port (PUBLIC_PORT)"))
        .build()
}

/// The admin port at its default address.
fn admin_server() -> Server {
    ServerBuilder::new()
        .url("http://127.0.0.1:4445")
        .description(Some("The admin port (ADMIN_PORT)"))
        .build()
}

/// The whole document.
pub fn document() -> OpenApi {
    let mut paths = Paths::new();
    for route in routes() {
        let item = PathItem::new(http_method(route.method), build::operation(route));
        match paths.paths.get_mut(route.path) {
            Some(existing) => existing.merge_operations(item),
            None => {
                paths.paths.insert(route.path.to_owned(), item);
            }
        }
    }
    let mut components = ComponentsBuilder::new();
    for (name, schema) in build::schemas(routes()) {
        components = components.schema(name, schema);
    }
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Oxydra")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(DESCRIPTION))
                .build(),
        )
        .servers(Some([public_server(), admin_server()]))
        .tags(Some(tags()))
        .paths(paths)
        .components(Some(components.build()))
        .build()
}

/// The document as pretty JSON with a final newline, exactly as `docs/openapi.json` holds it.
pub fn to_json() -> String {
    let mut text = document()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

const DESCRIPTION: &str = "An OAuth 2.0 and OpenID Connect server speaking ORY Hydra's HTTP \
API. Each operation is tagged with the port that serves it (`public`, `admin`, or both) and \
the API generation it comes from. With `COMPAT_API_VERSION=0.10` the public port serves the \
admin operations too. The 0.10 consent-by-id operations are served when the 0.10 flow is on \
(`COMPAT_API_VERSION=0.10`, or `OAUTH2_CONSENT_URL` set without `OAUTH2_LOGIN_URL`); the demo \
pages only with `--demo`. Errors are Hydra's flat JSON body (`ErrorBody`).";

fn tags() -> Vec<Tag> {
    let tag = |name: &str, description: &str| {
        TagBuilder::new()
            .name(name)
            .description(Some(description))
            .build()
    };
    vec![
        tag(PUBLIC_TAG, "Served on the public port."),
        tag(
            ADMIN_TAG,
            "Served on the admin port (and, in 0.10 mode, the public port).",
        ),
        tag(
            Generation::V1Beta.tag(),
            "Hydra 1.0.0-beta, the primary API.",
        ),
        tag(
            Generation::V010.tag(),
            "Hydra 0.10's consent requests by id.",
        ),
        tag(
            Generation::V1x.tag(),
            "Hydra 1.1–1.11's query-form sessions and token deletion.",
        ),
        tag(Generation::V2.tag(), "Hydra 2.x's `/admin` API."),
        tag(
            Generation::V1Alpha1.tag(),
            "Hydra 1.0.0-alpha1's policies and 0.x health.",
        ),
        tag(
            Generation::Oxydra.tag(),
            "Oxydra's own: the demo login and consent app.",
        ),
    ]
}

fn http_method(method: Method) -> utoipa::openapi::HttpMethod {
    use utoipa::openapi::HttpMethod;
    match method {
        Method::Get => HttpMethod::Get,
        Method::Post => HttpMethod::Post,
        Method::Put => HttpMethod::Put,
        Method::Patch => HttpMethod::Patch,
        Method::Delete => HttpMethod::Delete,
    }
}

#[cfg(test)]
mod tests;
