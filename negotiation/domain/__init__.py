"""The domain layer: parties, leverage parameters, scenarios and their explanation.

It builds on the engine (:mod:`negotiation.engine`), which never imports it.
"""

from negotiation.domain.leverage import Distribution, Parameter, Provenance, Source
from negotiation.domain.scenario import (
    GameSpec,
    Outcome,
    Party,
    Scenario,
    dump_scenario,
    load_scenario,
    parse_scenario,
    save_scenario,
)

__all__ = [
    "Distribution",
    "GameSpec",
    "Outcome",
    "Parameter",
    "Party",
    "Provenance",
    "Scenario",
    "Source",
    "dump_scenario",
    "load_scenario",
    "parse_scenario",
    "save_scenario",
]
