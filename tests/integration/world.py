"""A sandbox "world" for integration tests: projects and channels on both sides."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from core import channels, db, projects
from models import Channel, ChannelState, Project
from sandbox.control import SandboxControl

_names = itertools.count(1)


@dataclass
class SandboxWorld:
    control: SandboxControl
    url: str
    account: dict[str, Any] | None = None
    secrets: list[str] = field(default_factory=list)  # every token and secret handed out
    _personal_taken: bool = False

    def project(self, name: str = "", *, verified: bool = True,
                limits: dict[str, int] | None = None) -> Project:
        """A project known to the sandbox and to TubeFleet."""
        name = name or f"Project {next(_names)}"
        created = self.control.create_project(name, verified=verified, limits=limits)
        self.secrets.append(created["client_secret"])
        with db.session() as s:
            return projects.add_project(session=s, name=name, client_id=created["client_id"],
                                        client_secret=created["client_secret"],
                                        verified=verified, is_sandbox=True, actor="test")

    def youtube_channel(self, title: str = "", **fields: Any) -> dict[str, Any]:
        if self.account is None:
            self.account = self.control.create_account(f"owner{next(_names)}@example.com",
                                                       "Channel Owner")
        title = title or f"Channel {next(_names)}"
        # One personal channel per Google account; the rest are Brand Accounts.
        fields.setdefault("brand", self._personal_taken)
        self._personal_taken = True
        return self.control.create_channel(self.account["id"], title, **fields)

    def grant(self, project: Project, youtube_channel: dict[str, Any]) -> dict[str, Any]:
        grant = self.control.grant(project.client_id, youtube_channel["id"])
        self.secrets += [grant["refresh_token"], grant["access_token"]]
        return grant

    def connected_channel(self, project: Project, title: str = "", *, group: str = "",
                          state: ChannelState = ChannelState.ACTIVE, **fields: Any) -> Channel:
        """A sandbox channel imported into TubeFleet with a fresh refresh token."""
        yt = self.youtube_channel(title, **fields)
        grant = self.grant(project, yt)
        return channels.import_channel(project=project, refresh_token=grant["refresh_token"],
                                       actor="test", group=group, state=state)
