"""HTTP layer: Starlette application, authentication, OpenAPI document."""
