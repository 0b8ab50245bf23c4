"""Who acts on upload jobs, and whose jobs they may change.

Every function that creates or changes a job takes the acting person (`actor`,
keyword-only) and checks it here, so the UI, the CLI and any future API get the same rules:

- a person (`core.auth.CurrentUser`) may cancel, retry or reschedule the jobs they
  scheduled; operators and admins may change every job; anyone else gets `NotAllowed`;
- a `core.auth.SystemActor` (the CLI, the scheduler, maintenance scripts) is trusted like
  an admin: whoever can run the CLI can read the database and the key file anyway. Jobs it
  creates belong to nobody (`created_by_id` is NULL), so only operators may change them in
  the UI;
- anything else, a string above all (a name, a person's email), is refused with
  TypeError: naming someone is not being them. Scripts and tests pass `CLI` or their own
  `SystemActor("name")`.
"""

from __future__ import annotations

from core.auth import CurrentUser, SystemActor
from core.errors import NotAllowed
from models import Role, UploadJob

CLI = SystemActor("cli")
Actor = CurrentUser | SystemActor


def acting(actor: Actor) -> Actor:
    """The actor, checked: a person or a system caller, never a string."""
    if isinstance(actor, CurrentUser | SystemActor):
        return actor
    raise TypeError(
        f"actor must be a CurrentUser or a SystemActor (such as core.uploads.CLI), "
        f"not {type(actor).__name__}"
    )


def name_of(actor: Actor) -> str:
    """The name history lines and the audit log give the actor."""
    return actor.email if isinstance(actor, CurrentUser) else actor.name


def may_change(job: UploadJob, actor: Actor) -> bool:
    """Whether `actor` may cancel, retry or reschedule `job`."""
    who = acting(actor)
    if isinstance(who, SystemActor) or who.can(Role.OPERATOR):
        return True
    return job.created_by_id is not None and job.created_by_id == who.id


def authorize(job: UploadJob, actor: Actor, verb: str) -> None:
    """Raise NotAllowed unless `actor` may `verb` the job."""
    if not may_change(job, actor):
        raise NotAllowed(
            f"job {job.id} was scheduled by someone else: only the person who "
            f"scheduled it or an operator can {verb} it"
        )
