"""The domain layer: parties, leverage parameters, scenarios and their explanation.

It builds on the engine (:mod:`negotiation.engine`), which never imports it.
"""

from negotiation._lazy import exports

_EXPORTS = {
    'Distribution': '.leverage',
    'Parameter': '.leverage',
    'Provenance': '.leverage',
    'Source': '.leverage',
    'GameSpec': '.scenario',
    'Outcome': '.scenario',
    'Party': '.scenario',
    'Scenario': '.scenario',
    'dump_scenario': '.scenario',
    'load_scenario': '.scenario',
    'parse_scenario': '.scenario',
    'save_scenario': '.scenario',
}

__getattr__, __dir__ = exports(__name__, _EXPORTS)

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
