"""Google Cloud projects (OAuth clients): add, list, and their quota policy."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session, select

from core import audit, clock, vault
from core.errors import InputError, NotFound
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


def validate_policy(policy: dict[str, Any]) -> dict[str, Any]:
    """Refuse a policy that would make quota counting wrong; returns it normalized."""
    preset = policy.get("preset", "current")
    if preset not in costs.PRESETS:
        raise InputError("preset", f"must be one of {', '.join(costs.PRESETS)}, got {preset!r}")
    known = set(costs.PRESETS[preset]["buckets"])
    limits = {}
    for bucket, value in (policy.get("limits") or {}).items():
        if bucket not in known:
            raise InputError("limits", f"the {preset} preset has no bucket {bucket!r} "
                                       f"(buckets: {', '.join(sorted(known))})")
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise InputError("limits", f"{bucket} limit must be a whole number") from None
        if number < 0 or number > 100_000_000:
            raise InputError("limits", f"{bucket} limit must be between 0 and 100,000,000")
        limits[bucket] = number
    normalized: dict[str, Any] = {"preset": preset}
    if limits:
        normalized["limits"] = limits
    for key in ("reserve_percent", "costs", "own_buckets"):
        if policy.get(key):
            normalized[key] = dict(policy[key])
    return normalized


def add_project(*, session: Session, name: str, client_id: str, client_secret: str,
                verified: bool = False, is_sandbox: bool = False, consent_testing: bool = False,
                quota_policy: dict[str, Any] | None = None, actor: str) -> Project:
    name = name.strip()
    if not _NAME.match(name):
        raise InputError("name", "use 1-100 letters, digits, spaces or . ' ( ) -")
    client_id = client_id.strip()
    if not client_id or len(client_id) > 200 or any(c.isspace() for c in client_id):
        raise InputError("client_id", "paste the OAuth client ID from Google Cloud Console "
                                      "(APIs & Services → Credentials)")
    if not client_secret.strip():
        raise InputError("client_secret", "the OAuth client secret is required")
    if session.exec(select(Project).where(Project.name == name)).first():
        raise InputError("name", f"a project named {name!r} already exists")
    if session.exec(select(Project).where(Project.client_id == client_id)).first():
        raise InputError("client_id", "this OAuth client is already added")
    project = Project(name=name, client_id=client_id,
                      client_secret_enc=vault.encrypt(client_secret.strip()),
                      verified=verified, is_sandbox=is_sandbox, consent_testing=consent_testing,
                      quota_policy=validate_policy(quota_policy or {}), created_at=clock.now())
    session.add(project)
    session.flush()
    audit.record(session=session, actor=actor, action="project.add", target=name,
                 detail=f"client_id={client_id} verified={verified} sandbox={is_sandbox}")
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


def public(project: Project) -> dict[str, Any]:
    return ProjectPublic.model_validate(project, from_attributes=True).model_dump(mode="json")


def update_project(*, session: Session, project_id: int, actor: str,
                   verified: bool | None = None, consent_testing: bool | None = None,
                   quota_policy: dict[str, Any] | None = None) -> Project:
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
            project.quota_policy = policy
            changes.append(f"quota_policy={policy}")
    session.add(project)
    if changes:
        audit.record(session=session, actor=actor, action="project.update",
                     target=project.name, detail="; ".join(changes))
    return project


def client_secret(project: Project) -> str:
    return vault.decrypt(project.client_secret_enc)


def policy_summary(project: Project) -> str:
    """'current model: default 10,000 · videos.insert 100 · search.list 100' for display."""
    policy = project.quota_policy or {"preset": "current"}
    limits = costs.bucket_limits(policy)
    preset = policy.get("preset", "current")
    return f"{preset} model: " + " · ".join(f"{b} {n:,}" for b, n in limits.items())
