"""Request and response bodies of the API (Pydantic models, published in ``/openapi.json``),
one module a resource: :mod:`.grid`, :mod:`.public`, :mod:`.requests`, :mod:`.runs`,
:mod:`.siteplans` and :mod:`.register`; the shared types, the error answer and the models made
from a use case's view in :mod:`.common`. Import a model from its module.

Field names follow the interface contract (DESIGN.md) and, for the capacity map, Netbeheer
Nederland's information model (docs/sources.md [capacity-map-model]). Bodies reject unknown fields
(``extra=forbid``), so a misspelt key is a 422 naming it rather than a silently ignored value.
"""
