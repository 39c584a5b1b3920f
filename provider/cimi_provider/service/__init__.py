"""The CIMI service: generic resource handling over the catalogue, lifecycles, jobs, views."""
