"""The bundled scenarios, installed as the package `sim.scenarios` (see setup.py): YAML files
to run by name (`orgsim run support_desk`) and to copy; `validation/` holds `orgsim check`."""
