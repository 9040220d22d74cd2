"""Scenario files: typed specs, loading with extends and overrides, clear errors."""

from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.load import Scenario, load_scenario, scenario_from_dict

__all__ = ["Problem", "Scenario", "ScenarioError", "load_scenario", "scenario_from_dict"]
