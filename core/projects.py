"""Google Cloud projects (OAuth clients): add, list, change, and their quota policy as the
Settings page and the CLI edit it (the policy's rules are core/quota_policy.py)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from core import audit, clock, vault
from core.errors import InputError, NotFound
from core.quota_policy import merge_policy, validate_policy
from core.settings import get_settings
from models import Project, ProjectPublic
from youtube import costs
from youtube.client import Endpoints

_NAME = re.compile(r"^[\w .'()-]{1,100}$")


def endpoints_for(project: Project) -> Endpoints:
    """Where this project's calls go: Google, or the local sandbox."""
    if project.is_sandbox:
        return Endpoints.sandbox(get_settings().sandbox_url)
    return Endpoints.google()


def configure_project(
    *,
    session: Session,
    project_id: int,
    actor: str,
    preset: str | None = None,
    limits: Mapping[str, Any] | None = None,
    reserve_percent: Mapping[str, Any] | None = None,
    verified: bool | None = None,
    consent_testing: bool | None = None,
) -> Project:
    """Change a project's settings (the Settings page's project dialog, `tubefleet project
    set`): its quota policy merged by merge_policy, and its audit flags. Whatever is None
    stays as it is; nothing changes when anything is invalid."""
    project = get(session=session, project_id=project_id)
    policy = None
    if preset is not None or limits or reserve_percent:
        policy = merge_policy(
            project.quota_policy, preset=preset, limits=limits, reserve_percent=reserve_percent
        )
    return update_project(
        session=session,
        project_id=project_id,
        actor=actor,
        verified=verified,
        consent_testing=consent_testing,
        quota_policy=policy,
    )


def check_new_project(*, session: Session, name: str, client_id: str | None = None) -> str:
    """Refuse a name (or OAuth client) that add_project would refuse; the name, stripped.
    For callers that must ask first, e.g. before registering a client in the sandbox."""
    name = name.strip()
    if not _NAME.match(name):
        raise InputError("name", "use 1-100 letters, digits, spaces or . ' ( ) -")
    if session.exec(select(Project).where(Project.name == name)).first():
        raise InputError("name", f"a project named {name!r} already exists")
    if client_id is not None:
        client_id = client_id.strip()
        if not client_id or len(client_id) > 200 or any(c.isspace() for c in client_id):
            raise InputError(
                "client_id",
                "paste the OAuth client ID from Google Cloud "
                "Console (APIs & Services → Credentials)",
            )
        if session.exec(select(Project).where(Project.client_id == client_id)).first():
            raise InputError("client_id", "this OAuth client is already added")
    return name


def add_project(
    *,
    session: Session,
    name: str,
    client_id: str,
    client_secret: str,
    verified: bool = False,
    is_sandbox: bool = False,
    consent_testing: bool = False,
    quota_policy: dict[str, Any] | None = None,
    actor: str,
) -> Project:
    name = check_new_project(session=session, name=name, client_id=client_id)
    client_id = client_id.strip()
    if not client_secret.strip():
        raise InputError("client_secret", "the OAuth client secret is required")
    project = Project(
        name=name,
        client_id=client_id,
        client_secret_enc=vault.encrypt(client_secret.strip()),
        verified=verified,
        is_sandbox=is_sandbox,
        consent_testing=consent_testing,
        quota_policy=validate_policy(quota_policy or {}),
        created_at=clock.now(),
    )
    session.add(project)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="project.add",
        target=name,
        detail=f"client_id={client_id} verified={verified} sandbox={is_sandbox}",
    )
    return project


def get(*, session: Session, project_id: int) -> Project:
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(f"project {project_id} does not exist")
    return project


def by_name(*, session: Session, name: str) -> Project:
    project = session.exec(select(Project).where(Project.name == name)).first()
    if project is None:
        names = ", ".join(p.name for p in session.exec(select(Project)).all()) or "none yet"
        raise InputError("project", f"no project named {name!r} (projects: {names})")
    return project


def list_projects(*, session: Session) -> list[Project]:
    return list(session.exec(select(Project).order_by(Project.name)).all())


def listing(*, session: Session) -> list[ProjectPublic]:
    """Every project by name, as it may leave the server (no secret)."""
    return [
        ProjectPublic.model_validate(p, from_attributes=True)
        for p in list_projects(session=session)
    ]


def public(project: Project) -> dict[str, Any]:
    return ProjectPublic.model_validate(project, from_attributes=True).model_dump(mode="json")


def update_project(
    *,
    session: Session,
    project_id: int,
    actor: str,
    verified: bool | None = None,
    consent_testing: bool | None = None,
    quota_policy: dict[str, Any] | None = None,
) -> Project:
    project = get(session=session, project_id=project_id)
    changes = []
    if verified is not None and verified != project.verified:
        project.verified = verified
        changes.append(f"verified={verified}")
    if consent_testing is not None and consent_testing != project.consent_testing:
        project.consent_testing = consent_testing
        changes.append(f"consent_testing={consent_testing}")
    if quota_policy is not None:
        policy = validate_policy(quota_policy)
        if policy != project.quota_policy:
            raised = _limits_raised(project.quota_policy, policy)
            project.quota_policy = policy
            changes.append(f"quota_policy={policy}")
            session.add(project)
            if raised:
                # Imported here: the upload pipeline reads projects (an import cycle).
                from core.uploads import wakeups

                wakeups.quota_raised(session=session, project_id=project_id)
    session.add(project)
    if changes:
        audit.record(
            session=session,
            actor=actor,
            action="project.update",
            target=project.name,
            detail="; ".join(changes),
        )
    return project


def _limits_raised(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Does the new policy let any bucket take more (a higher limit or a smaller reserve)?"""
    return any(
        bucket_limits(after).get(b, 0) > limit for b, limit in bucket_limits(before).items()
    ) or any(
        float(p) < float((before.get("reserve_percent") or {}).get(b, 0))
        for b, p in (after.get("reserve_percent") or {}).items()
    )


def client_secret(project: Project) -> str:
    return vault.decrypt(project.client_secret_enc)


def policy_summary(project: Project | ProjectPublic) -> str:
    """'current model: default 10,000 · videos.insert 100 · search.list 100' for display."""
    policy = project.quota_policy or {"preset": "current"}
    limits = costs.bucket_limits(policy)
    preset = policy.get("preset", "current")
    return f"{preset} model: " + " · ".join(f"{b} {n:,}" for b, n in limits.items())


# The quota models a project can be on, and the bucket a method without its own bucket
# is counted in (the CLI's choices; re-exported so app/ never imports youtube/).
PRESETS = costs.PRESETS
DEFAULT_BUCKET = costs.DEFAULT_BUCKET


def bucket_limits(policy: dict[str, Any]) -> dict[str, int]:
    """The daily limit of each bucket under this policy (its preset's, or as overridden)."""
    return dict(costs.bucket_limits(policy))


@dataclass(frozen=True)
class PolicyForm:
    """A project's quota policy and audit flags as the Settings dialog edits them."""

    name: str
    preset: str
    limits: dict[str, int]
    verified: bool
    consent_testing: bool


def policy_form(*, session: Session, project_id: int) -> PolicyForm:
    project = get(session=session, project_id=project_id)
    policy = project.quota_policy or {"preset": "current"}
    return PolicyForm(
        name=project.name,
        preset=policy.get("preset", "current"),
        limits=bucket_limits(policy),
        verified=project.verified,
        consent_testing=project.consent_testing,
    )
