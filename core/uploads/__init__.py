"""Upload jobs, from the file a person sends to the video YouTube publishes.

Import from here (`from core import uploads`): the names below are the package's public
API; the modules are its parts, each with one job.

Asking for uploads (the form, the CLI, any future API):
- `media`: the media folder: who owns each file, what each person has waiting, pruning.
- `media_intake`: a file streamed in, checked and counted against its owner's quota.
- `requests`: a request checked as a whole (`plan`) and its jobs created (`enqueue`).
- `rules`: when a job counts as due now, and which publish time YouTube can still meet.
- `actors`: who acts, and whose jobs they may change.
- `lifecycle`: state changes and their history; cancel, retry, reschedule.
- `editing`: a job's details changed before its video reaches YouTube.
- `wakeups`: waiting jobs made due when what they wait for changes.
- `queries`: listings (whole, or a page with a search), a job's history, what runs next.
- `counts`: the queue's jobs by state, counted again only when a state changed.

Running them (the scheduler's upload tick):
- `runner`: claims due jobs into this process's thread pool and runs each one.
- `fencing`: a claimed job's writes, fenced by its lease; `Stop` ends a run.
- `routing`: the channel a job goes to now, or what it waits for.
- `transfer`: the bytes sent through a resumable session, with retries.
- `outcomes`: what each answer from YouTube does to the job.
- `finishing`: thumbnail, playlist, and polling until YouTube has processed the video.
- `slots`: each channel's daily upload cap (read by rotation and the channel pool too).
"""

from core.errors import NotAllowed
from core.uploads.actors import CLI, Actor
from core.uploads.counts import summary
from core.uploads.editing import JobEdit, edit
from core.uploads.lifecycle import allowed_actions, cancel, reschedule, retry
from core.uploads.media import (
    PARTIAL_GRACE,
    StoredFile,
    media_usage,
    prune_media,
    prune_partials,
)
from core.uploads.media_intake import MediaWriter, discard, receive, store_media, store_path
from core.uploads.queries import (
    CALENDAR_LIMIT,
    JobFilter,
    calendar_jobs,
    channel_titles,
    get_job,
    history,
    job_page,
    list_jobs,
    next_scheduled,
    public,
    titles_for_jobs,
)
from core.uploads.requests import (
    Plan,
    PlannedJob,
    UploadRequest,
    check,
    enqueue,
    plan,
    render_template,
)
from core.uploads.rules import publish_time_problem
from core.uploads.runner import Runner, process_runner

__all__ = [
    "CALENDAR_LIMIT",
    "CLI",
    "PARTIAL_GRACE",
    "Actor",
    "JobEdit",
    "JobFilter",
    "MediaWriter",
    "NotAllowed",
    "Plan",
    "PlannedJob",
    "Runner",
    "StoredFile",
    "UploadRequest",
    "allowed_actions",
    "calendar_jobs",
    "cancel",
    "channel_titles",
    "check",
    "discard",
    "edit",
    "enqueue",
    "get_job",
    "history",
    "job_page",
    "list_jobs",
    "media_usage",
    "next_scheduled",
    "plan",
    "process_runner",
    "prune_media",
    "prune_partials",
    "public",
    "publish_time_problem",
    "receive",
    "render_template",
    "reschedule",
    "retry",
    "store_media",
    "store_path",
    "summary",
    "titles_for_jobs",
]
