//! Turns the route table into OpenAPI objects: one operation per route, its parameters, body
//! and answers, with models referenced as `#/components/schemas/<Name>`.

use utoipa::openapi::header::Header;
use utoipa::openapi::path::{
    Operation, OperationBuilder, Parameter, ParameterBuilder, ParameterIn,
};
use utoipa::openapi::request_body::{RequestBody, RequestBodyBuilder};
use utoipa::openapi::response::{Response, ResponseBuilder, Responses, ResponsesBuilder};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
use utoipa::openapi::server::Server;
use utoipa::openapi::{Content, Ref, RefOr, Required, Schema};

use crate::ErrorBody;
use crate::openapi::route::{Body, Kind, Model, Query, Reply, Route, Shape, model};
use crate::openapi::{ADMIN_TAG, PUBLIC_TAG, admin_server, public_server};

/// The JSON media type.
const JSON: &str = "application/json";

/// The operation for `route`.
pub(super) fn operation(route: &Route) -> Operation {
    let mut tags = Vec::new();
    let mut servers: Vec<Server> = Vec::new();
    if route.ports.public() {
        tags.push(PUBLIC_TAG);
        servers.push(public_server());
    }
    if route.ports.admin() {
        tags.push(ADMIN_TAG);
        servers.push(admin_server());
    }
    tags.push(route.generation.tag());
    OperationBuilder::new()
        .operation_id(Some(route.operation_id))
        .summary(Some(route.summary))
        .tags(Some(tags))
        .servers(Some(servers))
        .parameters(Some(parameters(route)))
        .request_body(request_body(&route.body))
        .responses(responses(route))
        .build()
}

/// Path parameters (read from the path's `{name}` segments), then the query parameters.
fn parameters(route: &Route) -> Vec<Parameter> {
    let path = route
        .path
        .split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| {
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .schema(Some(string()))
                .build()
        });
    path.chain(route.query.iter().map(query)).collect()
}

fn query(q: &Query) -> Parameter {
    let schema = match q.kind {
        Kind::Text => string(),
        Kind::Count => ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(0))
            .maximum(Some(u32::MAX))
            .into(),
    };
    ParameterBuilder::new()
        .name(q.name)
        .parameter_in(ParameterIn::Query)
        .required(if q.required {
            Required::True
        } else {
            Required::False
        })
        .description(Some(q.description))
        .schema(Some(schema))
        .build()
}

fn request_body(body: &Body) -> Option<RequestBody> {
    let (media, model, required) = match body {
        Body::None => return None,
        Body::Json { model, required } => (JSON, model, *required),
        Body::JsonList(model) => {
            let list = ArrayBuilder::new().items(reference(model)).build();
            return Some(
                RequestBodyBuilder::new()
                    .required(Some(Required::True))
                    .content(JSON, Content::new(Some(list)))
                    .build(),
            );
        }
        Body::Form(model) => ("application/x-www-form-urlencoded", model, true),
    };
    let required = if required {
        Required::True
    } else {
        Required::False
    };
    Some(
        RequestBodyBuilder::new()
            .required(Some(required))
            .content(media, Content::new(Some(reference(model))))
            .build(),
    )
}

fn responses(route: &Route) -> Responses {
    route
        .answers()
        .fold(ResponsesBuilder::new(), |builder, reply| {
            builder.response(reply.status.to_string(), response(reply))
        })
        .build()
}

fn response(reply: &Reply) -> Response {
    let builder = ResponseBuilder::new().description(reply.description);
    match reply.shape {
        Shape::Json(model) => builder.content(JSON, Content::new(Some(reference(&model)))),
        Shape::JsonList(model) => builder.content(
            JSON,
            Content::new(Some(ArrayBuilder::new().items(reference(&model)).build())),
        ),
        Shape::Error => builder.content(JSON, Content::new(Some(reference(&model::<ErrorBody>())))),
        Shape::Empty => builder,
        Shape::Redirect => builder.header("Location", Header::new(string())),
        Shape::Html => builder.content("text/html", Content::new(Some(string()))),
        Shape::Text(media) => builder.content(media, Content::new(Some(string()))),
        Shape::JsonOrJwt(model) => builder
            .content(JSON, Content::new(Some(reference(&model))))
            .content("application/jwt", Content::new(Some(string()))),
    }
    .build()
}

/// `#/components/schemas/<model's name>`.
fn reference(model: &Model) -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name((model.name)()))
}

fn string() -> RefOr<Schema> {
    ObjectBuilder::new().schema_type(Type::String).into()
}

/// Every model the table refers to, with the models they refer to, by component name.
pub(super) fn schemas<'a>(
    routes: impl Iterator<Item = &'a Route>,
) -> std::collections::BTreeMap<String, RefOr<Schema>> {
    let mut found: Vec<(String, RefOr<Schema>)> = Vec::new();
    let mut add = |model: &Model| {
        found.push(((model.name)().into_owned(), (model.schema)()));
        (model.nested)(&mut found);
    };
    add(&model::<ErrorBody>());
    for route in routes {
        match &route.body {
            Body::None => {}
            Body::Json { model, .. } | Body::JsonList(model) | Body::Form(model) => add(model),
        }
        for reply in route.answers() {
            match &reply.shape {
                Shape::Json(model) | Shape::JsonList(model) | Shape::JsonOrJwt(model) => add(model),
                Shape::Error | Shape::Empty | Shape::Redirect | Shape::Html | Shape::Text(_) => {}
            }
        }
    }
    found.into_iter().collect()
}
