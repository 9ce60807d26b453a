"""What a page shows, as one value that lives in its URL: scenario, overrides, seed, runs.

``?scenario=baseline&seed=7&reps=20&policies.structured_access.enabled=true`` opens the
baseline with its root seed set to 7, 20 replications, and a *bundle* (structured access)
compared against it. Overrides are dotted scenario keys with values read as YAML scalars,
as ``--set`` reads them; only values that differ from the scenario file are kept, so a link
names exactly what the person changed. Keys under ``policies.`` make the bundle; the others
change the base scenario itself (both arms). A malformed link never breaks the page: a bad
key or value is dropped and reported.

Plain Python with no Solara in it, so tests drive it directly.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import yaml

from sim.config import Config, ConfigError, with_overrides
from sim.experiments.seeding import replication_seeds
from sim.scenario import load_scenario, parse_sets
from sim.schema import to_dict, unflatten

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"
DEFAULT_REPLICATIONS = 20
MAX_REPLICATIONS = 200
RESERVED = ("scenario", "seed", "reps")


def scenario_names(folder: Path = SCENARIO_DIR) -> list[str]:
    """Scenario files the app offers (the top level of ``scenarios/``), baseline first."""
    names = sorted(p.stem for p in folder.glob("*.yaml"))
    return sorted(names, key=lambda n: n != "baseline")


def get_key(config: Config, dotted: str) -> Any:
    value: Any = config
    for part in dotted.split("."):
        value = getattr(value, part)
    return value


def _scalar(value: Any) -> str:
    """A value as the URL writes it (and ``parse_sets`` reads it back)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class Settings:
    scenario: str = "baseline"
    seed: int | None = None  # None: the scenario's root seed
    replications: int = DEFAULT_REPLICATIONS
    overrides: tuple[tuple[str, Any], ...] = ()  # (dotted key, value), sorted by key
    errors: tuple[str, ...] = field(default=(), compare=False)  # what the link got wrong

    # --- the URL -------------------------------------------------------------------------
    @classmethod
    def from_query(cls, search: str | None) -> Settings:
        """Settings from a query string; anything wrong is dropped and listed in ``errors``."""
        errors: list[str] = []
        pairs = parse_qsl(search or "", keep_blank_values=True)
        values = dict(pairs)
        scenario = values.get("scenario", "baseline")
        if scenario not in scenario_names():
            errors.append(f"scenario: no scenario named {scenario!r}")
            scenario = "baseline"
        seed: int | None = None
        if "seed" in values:
            try:
                seed = int(values["seed"])
                if seed < 0:
                    raise ValueError
            except ValueError:
                errors.append(f"seed: expected an integer >= 0, got {values['seed']!r}")
                seed = None
        replications = DEFAULT_REPLICATIONS
        if "reps" in values:
            try:
                replications = int(values["reps"])
                if not 2 <= replications <= MAX_REPLICATIONS:
                    raise ValueError
            except ValueError:
                errors.append(
                    f"reps: expected an integer in [2, {MAX_REPLICATIONS}], got {values['reps']!r}"
                )
                replications = DEFAULT_REPLICATIONS
        settings = cls(scenario, seed, replications, (), tuple(errors))
        for key, raw in pairs:
            if key in RESERVED:
                continue
            settings = settings.with_value(key, raw, parse=True)
        return settings

    def query(self) -> str:
        """The query string that restores these settings (defaults left out)."""
        items: list[tuple[str, str]] = []
        if self.scenario != "baseline":
            items.append(("scenario", self.scenario))
        if self.seed is not None:
            items.append(("seed", str(self.seed)))
        if self.replications != DEFAULT_REPLICATIONS:
            items.append(("reps", str(self.replications)))
        items += [(k, _scalar(v)) for k, v in self.overrides]
        return urlencode(items)

    # --- changing ------------------------------------------------------------------------
    def scenario_config(self) -> Config:
        return _load(SCENARIO_DIR / f"{self.scenario}.yaml")

    def with_value(self, key: str, value: Any, *, parse: bool = False) -> Settings:
        """These settings with ``key`` set (``parse``: ``value`` is URL text); a value equal
        to the scenario file's drops the override. An invalid key or value is not applied
        and is added to ``errors``."""
        if parse:
            try:
                value = parse_sets([f"{key}={value}"])
                for part in key.split("."):
                    value = value[part]
            except Exception as err:  # a ScenarioError: report it, keep the page
                return self._error(str(err))
        scenario = self.scenario_config()
        try:
            checked = with_overrides(scenario, unflatten({key: value}))
            value = get_key(checked, key)
        except ConfigError as err:
            return self._error(f"{err.path}: {err.message}")
        except AttributeError:
            return self._error(f"{key}: unknown scenario key")
        kept = dict(self.overrides)
        if value == get_key(scenario, key):
            kept.pop(key, None)
        else:
            kept[key] = value
        return Settings(self.scenario, self.seed, self.replications,
                        tuple(sorted(kept.items())), self.errors)  # fmt: skip

    def _error(self, message: str) -> Settings:
        return Settings(self.scenario, self.seed, self.replications, self.overrides,
                        (*self.errors, message))  # fmt: skip

    def with_scenario(self, name: str) -> Settings:
        """Another scenario file; overrides that it makes redundant are dropped."""
        fresh = Settings(name, self.seed, self.replications)
        for key, value in self.overrides:
            fresh = fresh.with_value(key, value)
        return Settings(fresh.scenario, fresh.seed, fresh.replications, fresh.overrides)

    def with_run(self, seed: int | None = None, replications: int | None = None) -> Settings:
        return Settings(
            self.scenario,
            self.seed if seed is None else seed,
            self.replications if replications is None else replications,
            self.overrides,
        )

    # --- what runs -----------------------------------------------------------------------
    @property
    def policy_overrides(self) -> dict[str, Any]:
        return {k: v for k, v in self.overrides if k.startswith("policies.")}

    @property
    def has_bundle(self) -> bool:
        return bool(self.policy_overrides)

    def base_config(self) -> Config:
        """The scenario with the changed parameters (not the bundle's policies)."""
        changes = {k: v for k, v in self.overrides if not k.startswith("policies.")}
        if self.seed is not None:
            changes["seed"] = self.seed
        base = with_overrides(self.scenario_config(), unflatten(changes))
        return with_overrides(base, {"name": f"app-{self.scenario}",
                                     "replications": self.replications})  # fmt: skip

    def bundle_config(self) -> Config | None:
        """The base with the bundle's policies (None if no policy differs from the file)."""
        if not self.has_bundle:
            return None
        bundle = with_overrides(self.base_config(), unflatten(self.policy_overrides))
        return with_overrides(bundle, {"name": f"app-{self.scenario}-bundle"})

    def arms(self) -> dict[str, Config]:
        """What the ensemble runs: the base scenario, and the bundle if there is one."""
        out = {"base": self.base_config()}
        bundle = self.bundle_config()
        if bundle is not None:
            out["bundle"] = bundle
        return out

    def seeds(self) -> list[int]:
        """The common seeds: the command line's replication seeds of the base's root seed,
        so ``python run.py compare`` on the exported files runs the same replications."""
        return replication_seeds(self.base_config().seed, self.replications)

    def value(self, key: str) -> Any:
        """A control's value: the override, else the scenario file's."""
        return dict(self.overrides).get(key, get_key(self.scenario_config(), key))


@functools.lru_cache(maxsize=64)
def _load(path: Path) -> Config:
    """A scenario file, read once per server (a page re-reads its settings on every change)."""
    return load_scenario(path)


def config_yaml(config: Config) -> str:
    """A resolved configuration as a runnable scenario file."""
    return yaml.safe_dump(to_dict(config), sort_keys=False)
