"""The Reflex web app: pages, states, HTTP routes and the `tubefleet` command."""
