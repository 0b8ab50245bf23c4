"""HTML of the OAuth consent page (pick a channel, Allow or Cancel) and of OAuth error pages."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from string import Template

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#f1f3f4;
margin:0;color:#202124}
main{max-width:560px;margin:40px auto;background:#fff;border-radius:8px;padding:32px 40px;
box-shadow:0 1px 3px rgba(0,0,0,.2)}
h1{font-size:22px;font-weight:500;margin:0 0 6px}
.sandbox{display:inline-block;background:#fce8b2;color:#7a5b00;border-radius:4px;
font-size:12px;padding:2px 8px;margin-bottom:14px}
.sub{color:#5f6368;margin:0 0 18px}
fieldset{border:1px solid #dadce0;border-radius:8px;margin:0 0 14px;padding:8px 16px}
legend{font-size:14px;color:#5f6368;padding:0 6px}
label{display:flex;align-items:center;gap:10px;padding:8px 0;cursor:pointer}
label img{width:32px;height:32px;border-radius:50%}
.kind{font-size:12px;color:#5f6368}
.none{color:#5f6368;font-size:14px;padding:8px 0}
ul{padding-left:20px;color:#3c4043;font-size:14px}
.error{background:#fce8e6;color:#a50e0e;border-radius:4px;padding:8px 12px;margin-bottom:12px}
.buttons{display:flex;justify-content:flex-end;gap:12px;margin-top:22px}
button{font-size:14px;border-radius:4px;padding:9px 22px;cursor:pointer}
button.deny{background:#fff;border:1px solid #dadce0;color:#1a73e8}
button.allow{background:#1a73e8;border:1px solid #1a73e8;color:#fff}
code{font-size:12px;word-break:break-all}
"""

_PAGE = Template("""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in - Google Accounts (sandbox)</title><style>$style</style></head>
<body><main>
<span class="sandbox">TubeFleet sandbox &middot; not Google</span>
<h1>Choose a channel</h1>
<p class="sub">to continue to <strong>$project</strong></p>
$error
<form method="post" action="$action">
<input type="hidden" name="request_id" value="$request_id">
$accounts
<p><strong>$project</strong> wants to:</p>
<ul>$scopes</ul>
<p class="sub" style="font-size:12px">Client ID <code>$client_id</code></p>
<div class="buttons">
<button type="submit" name="action" value="deny" class="deny">Cancel</button>
<button type="submit" name="action" value="allow" class="allow">Allow</button>
</div>
</form></main></body></html>
""")

_ERROR = Template("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Error $status ($code)</title>
<style>$style</style></head>
<body><main><span class="sandbox">TubeFleet sandbox &middot; not Google</span>
<h1>Access blocked: authorization error</h1>
<p class="error"><strong>Error $status: $code</strong></p>
<p>$message</p></main></body></html>
""")


@dataclass(frozen=True)
class ChannelChoice:
    id: str
    title: str
    handle: str
    brand: bool
    avatar_url: str


@dataclass(frozen=True)
class AccountChoice:
    email: str
    name: str
    channels: list[ChannelChoice]


def _channel_option(channel: ChannelChoice, selected: str | None) -> str:
    checked = " checked" if channel.id == selected else ""
    kind = "Brand Account channel" if channel.brand else "Personal channel"
    return (
        f'<label><input type="radio" name="channel_id" value="{escape(channel.id)}"{checked}>'
        f'<img src="{escape(channel.avatar_url)}" alt="">'
        f'<span>{escape(channel.title)}<br><span class="kind">{kind} &middot; '
        f"{escape(channel.handle)}</span></span></label>"
    )


def _account_block(account: AccountChoice, selected: str | None) -> str:
    options = "".join(_channel_option(c, selected) for c in account.channels)
    if not options:
        options = '<div class="none">This account has no YouTube channel.</div>'
    legend = f"{escape(account.name)} &lt;{escape(account.email)}&gt;"
    return f"<fieldset><legend>{legend}</legend>{options}</fieldset>"


def render_consent(
    *,
    action: str,
    request_id: str,
    project_name: str,
    client_id: str,
    scopes: list[tuple[str, str]],
    accounts: list[AccountChoice],
    selected: str | None = None,
    error: str | None = None,
) -> str:
    scope_items = "".join(
        f"<li>{escape(text)} <code>{escape(scope)}</code></li>" for scope, text in scopes
    )
    return _PAGE.substitute(
        style=_STYLE,
        action=escape(action),
        request_id=escape(request_id),
        project=escape(project_name),
        client_id=escape(client_id),
        scopes=scope_items,
        accounts="".join(_account_block(a, selected) for a in accounts)
        or '<div class="none">The sandbox has no Google accounts yet.</div>',
        error=f'<div class="error">{escape(error)}</div>' if error else "",
    )


def render_error(status: int, code: str, message: str) -> str:
    return _ERROR.substitute(
        style=_STYLE, status=status, code=escape(code), message=escape(message)
    )
